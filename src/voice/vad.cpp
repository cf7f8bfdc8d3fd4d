#include "voice/vad.hpp"

#include <cmath>

namespace steward::voice {
namespace {

int Millis(size_t samples) { return static_cast<int>(samples * 1000 / kTelephoneRate); }

}  // namespace

double EnergyVad::LevelDbfs(std::span<const int16_t> frame) {
  if (frame.empty()) return -200;
  double sum = 0;
  for (int16_t sample : frame) sum += static_cast<double>(sample) * sample;
  const double rms = std::sqrt(sum / static_cast<double>(frame.size()));
  return rms <= 0 ? -200 : 20 * std::log10(rms / 32768.0);
}

std::optional<Audio> EnergyVad::Feed(std::span<const int16_t> frame) {
  const bool loud = LevelDbfs(frame) >= options_.threshold_dbfs;
  const int ms = Millis(frame.size());
  if (!in_speech_) {
    if (!loud) {
      pre_roll_.insert(pre_roll_.end(), frame.begin(), frame.end());
      const size_t keep = static_cast<size_t>(options_.pre_roll_ms) * kTelephoneRate / 1000;
      if (pre_roll_.size() > keep) {
        pre_roll_.erase(pre_roll_.begin(), pre_roll_.end() - static_cast<std::ptrdiff_t>(keep));
      }
      return std::nullopt;
    }
    in_speech_ = true;
    utterance_ = std::move(pre_roll_);
    pre_roll_.clear();
    loud_ms_ = 0;
    quiet_ms_ = 0;
  }
  utterance_.insert(utterance_.end(), frame.begin(), frame.end());
  if (loud) {
    loud_ms_ += ms;
    quiet_ms_ = 0;
  } else {
    quiet_ms_ += ms;
  }
  if (quiet_ms_ >= options_.trailing_silence_ms) {
    if (loud_ms_ >= options_.min_speech_ms) return Cut();
    Reset();  // too short to be an answer
    return std::nullopt;
  }
  if (Millis(utterance_.size()) >= options_.max_utterance_ms) return Cut();
  return std::nullopt;
}

std::optional<Audio> EnergyVad::Flush() {
  if (in_speech_ && loud_ms_ >= options_.min_speech_ms) return Cut();
  Reset();
  return std::nullopt;
}

std::optional<Audio> EnergyVad::Cut() {
  Audio audio;
  audio.samples = std::move(utterance_);
  Reset();
  return audio;
}

void EnergyVad::Reset() {
  in_speech_ = false;
  loud_ms_ = 0;
  quiet_ms_ = 0;
  utterance_.clear();
  pre_roll_.clear();
}

}  // namespace steward::voice
