// Rendered prompts as 8 kHz linear audio, keyed by (voice, text): a text is synthesised once per
// voice and shared by every call that says it (encoded to PCMA or PCMU per call by the line).
// Render warms the cache before a campaign starts, so calls do not wait for the TTS.
//
// Thread-safety: Get and Render from any thread; one mutex guards the map, and synthesis runs
// outside it (two threads asking for one new text may both synthesise it; the first is kept).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "voice/tts.hpp"

namespace steward::voice {

class PromptCache {
 public:
  using Samples = std::shared_ptr<const std::vector<int16_t>>;

  explicit PromptCache(Tts& tts) : tts_(tts) {}

  // The prompt's audio, synthesised on first use. kUnavailable when the TTS fails.
  Result<Samples> Get(const std::string& text);

  // Synthesises every text not cached yet; the first failure stops it.
  Status Render(const std::vector<std::string>& texts);

  size_t size() const;

 private:
  Tts& tts_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Samples> cached_;  // guarded by mutex_
};

}  // namespace steward::voice
