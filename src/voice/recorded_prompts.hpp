// Recorded prompts: audio staff upload (voice/sound_file.hpp) for fixed text, kept as 8 kHz mono
// WAV under a folder (DATA_DIR/recorded_prompts): <sha256 of the name>.wav, and index.json naming
// each one's name, the text it says (empty for a node's `recording` that says something else),
// its length and when it was saved. Scripts use them two ways: a node's "recording" names one,
// and wherever a prompt piece's text is the text of a recorded prompt (a template's fixed text),
// the prompt cache takes the recording instead of the TTS.
//
// Several processes may share the folder (serve saves, a `campaign run` reads): the index is
// written whole and read again when its file changes or a second has passed; generation()
// changes when its contents do.
// Thread-safety: every method from any thread (one mutex).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/result.hpp"
#include "voice/audio.hpp"

namespace steward::voice {

struct RecordedPrompt {
  std::string name;
  std::string text;
  int64_t duration_ms = 0;
  int64_t saved_at_ms = 0;
};

class RecordedPrompts {
 public:
  using Samples = std::shared_ptr<const std::vector<int16_t>>;

  explicit RecordedPrompts(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Keeps `audio` (mono, kTelephoneRate) as `name` (1..100 bytes), replacing one of that name.
  // Another prompt with the same non-empty text is a kAlreadyExists naming it.
  Result<RecordedPrompt> Save(const std::string& name, const std::string& text, const Audio& audio,
                              int64_t now_ms);
  // kNotFound when there is none of that name.
  Status Remove(const std::string& name);
  std::vector<RecordedPrompt> List();

  // The audio of the prompt named `name`, or of the one saying `text`; nullopt when none.
  std::optional<Samples> ByName(const std::string& name);
  std::optional<Samples> ByText(const std::string& text);
  // The WAV file of `name` (for the console to play).
  std::optional<std::filesystem::path> File(const std::string& name);

  // Changes whenever the set of recordings changes, here or in another process.
  uint64_t generation();
  // The texts recorded prompts say (what the prompt cache must not take from the TTS).
  std::vector<std::string> Texts();

 private:
  std::filesystem::path FileOf(const std::string& name) const;
  void Refresh();       // re-reads the index when it changed on disk; mutex_ held
  Status WriteIndex();  // mutex_ held
  std::optional<Samples> Load(const std::string& name);  // mutex_ held

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::map<std::string, RecordedPrompt> prompts_;         // by name
  std::map<std::string, Samples> loaded_;                 // by name
  std::tuple<bool, ino_t, int64_t, off_t> index_stat_{};  // exists, inode, mtime (ns), size
  std::chrono::steady_clock::time_point index_read_at_{};
  std::string index_content_;  // the index as last read or written
  uint64_t generation_ = 0;
};

}  // namespace steward::voice
