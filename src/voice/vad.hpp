// An energy VAD that cuts a resident's spoken answer out of what the far end sends, for the ASR
// plug-in: fed the call's audio frame by frame (RTP packets, usually 20 ms at 8 kHz), it hands
// back an utterance once loud frames have lasted `min_speech_ms` and been followed by
// `trailing_silence_ms` of quiet, or when `max_utterance_ms` is reached. `pre_roll_ms` of audio
// before the first loud frame is kept, so the onset of the first syllable is not cut; a loud
// burst shorter than min_speech (a click, a cough) is dropped.
//
// Thread-safety: none; one per call, on the line's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "voice/audio.hpp"

namespace steward::voice {

struct VadOptions {
  double threshold_dbfs = -40;  // a frame's RMS at or above this is speech
  int min_speech_ms = 200;
  int trailing_silence_ms = 700;
  int max_utterance_ms = 10000;
  int pre_roll_ms = 200;
};

class EnergyVad {
 public:
  explicit EnergyVad(VadOptions options = {}) : options_(options) {}

  // One frame at kTelephoneRate; the utterance this frame ends, if it ends one.
  std::optional<Audio> Feed(std::span<const int16_t> frame);
  // The far end went quiet without sending silence (no packets for a while: a phone with its own
  // VAD): the utterance being heard, if it is long enough to be one.
  std::optional<Audio> Flush();
  // Forgets what was heard so far.
  void Reset();
  bool in_speech() const { return in_speech_; }

 private:
  static double LevelDbfs(std::span<const int16_t> frame);
  std::optional<Audio> Cut();

  VadOptions options_;
  bool in_speech_ = false;
  int loud_ms_ = 0;
  int quiet_ms_ = 0;
  std::vector<int16_t> pre_roll_;
  std::vector<int16_t> utterance_;
};

}  // namespace steward::voice
