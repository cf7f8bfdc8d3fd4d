// Rendered prompts as 8 kHz linear audio, keyed by (voice, text): a text is synthesised once per
// voice and shared by every call that says it (encoded to PCMA or PCMU per call by the line).
//
// A prompt comes as pieces (campaign::RenderPieces: fixed text and each variable's value), and
// its audio is spliced from the pieces' audio, so a personalised opening (王阿姨 + 您好，我是 +
// 龙渊社区 + …) costs one short synthesis per distinct form of address or unit name, not one per
// resident. Pieces are joined back into one text where cutting would change how it is read
// (NormaliseForSpeech of the whole differs from that of the pieces: "2" + "个" is 两个, not 二个).
// Spliced pieces lose the silence espeak-ng puts around them, except after punctuation. A piece
// whose text a recorded prompt says (voice/recorded_prompts.hpp) is the recording.
//
// Synthesis never runs on the caller's thread in Fetch and Warm: worker threads run the TTS, one
// synthesis per text however many calls wait for it. Get and Render are the blocking forms.
// With a directory, synthesised pieces are also kept on disk (<directory>/<sha256>.pcm, raw
// 16-bit little-endian samples; written whole, then renamed) and read back by the next process;
// pieces with digits in them (a phone number said aloud) are kept in memory only.
//
// Thread-safety: every method from any thread; one mutex guards the maps and the queue, and
// synthesis and file access run outside it. Callbacks run on a worker thread, or on the caller's
// when every piece is cached already; never with the mutex held. The destructor waits for the
// synthesis in progress; fetches still queued then complete with kUnavailable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/result.hpp"
#include "voice/tts.hpp"

namespace steward::voice {

class RecordedPrompts;

struct PromptCacheOptions {
  std::string directory;  // empty: memory only
  int workers = 2;        // synthesis threads (espeak-ng is one process per text)
  // Staff's recordings: a piece whose text one of them says is taken from it, not the TTS (and a
  // new or removed recording is noticed at the next Fetch). Outlives the cache; may be null.
  RecordedPrompts* recorded = nullptr;
};

class PromptCache {
 public:
  using Samples = std::shared_ptr<const std::vector<int16_t>>;
  using Done = std::function<void(Result<Samples>)>;

  explicit PromptCache(Tts& tts, PromptCacheOptions options = {});
  ~PromptCache();
  PromptCache(const PromptCache&) = delete;
  PromptCache& operator=(const PromptCache&) = delete;

  // The audio of the prompt made of `pieces` to `done`: at once when every piece is cached,
  // otherwise from a worker once the missing ones are synthesised. kUnavailable when the TTS fails
  // (the message never contains the text).
  void Fetch(const std::vector<std::string>& pieces, Done done);

  // Queues the synthesis of each text not cached yet and returns at once.
  void Warm(const std::vector<std::string>& texts);

  // The blocking forms: the audio of `pieces` (or of one text), synthesised if need be.
  Result<Samples> Get(const std::vector<std::string>& pieces);
  Result<Samples> Get(const std::string& text) { return Get(std::vector<std::string>{text}); }

  // Synthesises every text not cached yet; the first failure stops it.
  Status Render(const std::vector<std::string>& texts);

  // The recorded prompt named `name` (a node's "recording"), or nullopt.
  std::optional<Samples> Recording(const std::string& name);

  // Whether the TTS's last synthesis failed (and none has succeeded since): the voice is down.
  bool failing() const;
  // Whether `text` is cached, or its last synthesis failed (waiting for it is in vain).
  bool Settled(const std::string& text) const;
  // Queues again every text whose synthesis failed: a probe of a voice that was down.
  void RetryFailed();

  size_t size() const;            // texts cached in memory
  size_t synthesised() const;     // texts this process had the TTS synthesise
  size_t read_from_disk() const;  // texts read back from the directory

 private:
  struct Job;

  // The pieces as they are synthesised: `pieces`, or their text whole when cutting changes it.
  static std::vector<std::string> SpeechPieces(const std::vector<std::string>& pieces);
  std::string Key(const std::string& text) const;
  Result<Samples> Produce(const std::string& text);  // a recording, the disk, else the TTS
  void Work();
  void NoticeRecordings();                // drops cached pieces whose recording came or went
  static Samples Splice(const Job& job);  // every piece's audio known

  Tts& tts_;
  PromptCacheOptions options_;
  const std::string voice_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                            // guarded by mutex_
  std::unordered_map<std::string, Samples> cached_;  // key -> audio; guarded
  std::unordered_map<std::string, std::vector<std::shared_ptr<Job>>> waiting_;  // key -> jobs
  std::deque<std::string> queue_;            // texts to synthesise; guarded by mutex_
  size_t synthesised_ = 0;                   // guarded by mutex_
  size_t read_from_disk_ = 0;                // guarded by mutex_
  bool failing_ = false;                     // guarded by mutex_
  std::unordered_set<std::string> failed_;   // texts whose last synthesis failed; guarded
  uint64_t recorded_generation_ = 0;         // guarded by mutex_
  std::vector<std::string> recorded_texts_;  // guarded by mutex_
  std::vector<std::thread> workers_;
};

}  // namespace steward::voice
