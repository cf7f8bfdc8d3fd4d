#include "voice/prompt_cache.hpp"

namespace steward::voice {

Result<PromptCache::Samples> PromptCache::Get(const std::string& text) {
  const std::string key = tts_.VoiceId() + '\n' + text;
  {
    std::lock_guard lock(mutex_);
    if (auto found = cached_.find(key); found != cached_.end()) return found->second;
  }
  STEWARD_ASSIGN_OR_RETURN(Audio audio, tts_.Synthesize(text));
  auto samples = std::make_shared<const std::vector<int16_t>>(std::move(audio.samples));
  std::lock_guard lock(mutex_);
  return cached_.emplace(key, std::move(samples)).first->second;
}

Status PromptCache::Render(const std::vector<std::string>& texts) {
  for (const std::string& text : texts) STEWARD_TRY(Get(text));
  return Ok();
}

size_t PromptCache::size() const {
  std::lock_guard lock(mutex_);
  return cached_.size();
}

}  // namespace steward::voice
