// Linear audio for the phone line: 16-bit PCM, read from and written to WAV, resampled to the
// telephone rate (8 kHz), and G.711 A-law (PCMA) and μ-law (PCMU) as RTP carries it.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace steward::voice {

inline constexpr int kTelephoneRate = 8000;

// Mono (or, for recordings, interleaved stereo) 16-bit samples at `sample_rate`.
struct Audio {
  int sample_rate = kTelephoneRate;
  int channels = 1;
  std::vector<int16_t> samples;

  // Length in milliseconds.
  int64_t DurationMs() const;
};

// A RIFF/WAVE file of 16-bit PCM (any rate, one or two channels). A data size of 0 or 0xFFFFFFFF
// (a streaming writer such as `espeak-ng --stdout`) means "to the end". Other formats are a
// kInvalidArgument naming what was found.
Result<Audio> ParseWav(std::string_view bytes);

// A WAV file of `audio` (16-bit PCM).
std::string WavBytes(const Audio& audio);

// `audio` (mono) at `to_rate`, through a windowed-sinc low-pass at 0.9 × the lower Nyquist
// frequency, so a 22.05 kHz voice does not alias into the 8 kHz telephone band.
Audio Resample(const Audio& audio, int to_rate);

// Two mono tracks side by side (left, right), the shorter padded with silence: a call recording.
Audio Interleave(const std::vector<int16_t>& left, const std::vector<int16_t>& right,
                 int sample_rate);

// Root-mean-square level of the samples of one channel (0 = left) of `audio`, 0..32767.
double RmsLevel(const Audio& audio, int channel = 0);

// G.711 (ITU-T Recommendation G.711, as in the reference code of G.191).
uint8_t LinearToAlaw(int16_t sample);
int16_t AlawToLinear(uint8_t code);
uint8_t LinearToUlaw(int16_t sample);
int16_t UlawToLinear(uint8_t code);

enum class Codec { kPcma, kPcmu };

// The samples encoded one byte each, and back.
std::string Encode(const std::vector<int16_t>& samples, Codec codec);
std::vector<int16_t> Decode(std::string_view payload, Codec codec);

}  // namespace steward::voice
