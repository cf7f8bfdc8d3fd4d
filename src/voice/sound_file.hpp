// Sound files staff upload as recorded prompts: WAV, MP3, FLAC, Ogg/Vorbis … whatever libsndfile
// reads, at any rate, mono or stereo, decoded to mono 16-bit audio at kTelephoneRate.
// Thread-safety: pure function (libsndfile over the bytes in memory).
#pragma once

#include <string_view>

#include "base/result.hpp"
#include "voice/audio.hpp"

namespace steward::voice {

inline constexpr int kMaxRecordedPromptMs = 120'000;

// `bytes` as mono audio at 8 kHz (channels averaged, resampled). kInvalidArgument, saying so in
// Chinese and English, when libsndfile cannot read them, they hold no sound, or they last longer
// than kMaxRecordedPromptMs.
Result<Audio> DecodeSoundFile(std::string_view bytes);

}  // namespace steward::voice
