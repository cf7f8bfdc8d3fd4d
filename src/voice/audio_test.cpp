// Audio for the phone line: G.711 against the values of the ITU reference code, WAV in and out,
// resampling to 8 kHz without aliasing, and espeak-ng's real voice rendered to telephone audio.
#include "voice/audio.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <numbers>

#include "voice/tts.hpp"

namespace steward::voice {
namespace {

Audio Tone(double hertz, int rate, double seconds, double amplitude = 10000) {
  Audio audio;
  audio.sample_rate = rate;
  const auto count = static_cast<size_t>(rate * seconds);
  for (size_t i = 0; i < count; ++i) {
    audio.samples.push_back(static_cast<int16_t>(
        amplitude * std::sin(2 * std::numbers::pi * hertz * double(i) / rate)));
  }
  return audio;
}

TEST(G711, ReferenceValues) {
  EXPECT_EQ(LinearToAlaw(0), 0xD5);
  EXPECT_EQ(LinearToUlaw(0), 0xFF);
  EXPECT_EQ(LinearToAlaw(32767), 0xAA);
  EXPECT_EQ(LinearToUlaw(32767), 0x80);
  EXPECT_EQ(LinearToAlaw(-32768), 0x2A);
  EXPECT_EQ(LinearToUlaw(-32768), 0x00);
  EXPECT_EQ(AlawToLinear(0xD5), 8);
  EXPECT_EQ(UlawToLinear(0xFF), 0);
  EXPECT_EQ(AlawToLinear(0xAA), 32256);
  EXPECT_EQ(UlawToLinear(0x80), 32124);
  EXPECT_EQ(UlawToLinear(0x00), -32124);
}

TEST(G711, EveryCodeSurvivesDecodeAndEncode) {
  for (int code = 0; code < 256; ++code) {
    const auto byte = static_cast<uint8_t>(code);
    EXPECT_EQ(LinearToAlaw(AlawToLinear(byte)), byte) << code;
    if (code != 0x7F) {  // 0x7F is -0, read back as 0xFF
      EXPECT_EQ(LinearToUlaw(UlawToLinear(byte)), byte) << code;
    }
  }
}

TEST(G711, QuantisationErrorIsLogarithmic) {
  for (int x = -32768; x <= 32767; x += 7) {
    const auto sample = static_cast<int16_t>(x);
    const int bound = std::abs(x) / 16 + 16;
    EXPECT_LE(std::abs(AlawToLinear(LinearToAlaw(sample)) - x), bound) << x;
    EXPECT_LE(std::abs(UlawToLinear(LinearToUlaw(sample)) - x), bound + 16) << x;
  }
}

TEST(Wav, RoundTripsAndRefusesOtherFormats) {
  const Audio tone = Tone(440, 8000, 0.1);
  const auto parsed = ParseWav(WavBytes(tone));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->sample_rate, 8000);
  EXPECT_EQ(parsed->channels, 1);
  EXPECT_EQ(parsed->samples, tone.samples);

  std::string eight_bit = WavBytes(tone);
  eight_bit[34] = 8;  // bits per sample
  const auto refused = ParseWav(eight_bit);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("16-bit"), std::string::npos);
  EXPECT_FALSE(ParseWav("not a wav at all").has_value());
}

TEST(Wav, StereoRecordingKeepsOneSidePerChannel) {
  const Audio left = Tone(440, 8000, 0.2);
  const std::vector<int16_t> right(800, 0);
  const Audio both = Interleave(left.samples, right, 8000);
  EXPECT_EQ(both.channels, 2);
  EXPECT_EQ(both.DurationMs(), 200);
  EXPECT_GT(RmsLevel(both, 0), 5000);
  EXPECT_EQ(RmsLevel(both, 1), 0);
}

TEST(Resample, KeepsTheVoiceBandAndDropsWhatWouldAlias) {
  // 1 kHz passes; 6 kHz (above the 4 kHz telephone Nyquist) must not fold back to 2 kHz.
  const Audio low = Resample(Tone(1000, 22050, 0.5), 8000);
  const Audio high = Resample(Tone(6000, 22050, 0.5), 8000);
  EXPECT_EQ(low.sample_rate, 8000);
  EXPECT_NEAR(static_cast<double>(low.samples.size()), 4000, 2);
  EXPECT_NEAR(RmsLevel(low), 10000 / std::sqrt(2.0), 300);
  EXPECT_LT(RmsLevel(high), 150);
}

TEST(EspeakTts, RendersMandarinAsTelephoneAudio) {
  EspeakTts espeak;
  const auto audio = espeak.Synthesize("您好，请按1确认。");
  ASSERT_TRUE(audio.has_value()) << audio.error().ToString();
  EXPECT_EQ(audio->sample_rate, 8000);
  EXPECT_EQ(audio->channels, 1);
  EXPECT_GT(audio->DurationMs(), 800);
  EXPECT_LT(audio->DurationMs(), 6000);
  EXPECT_GT(RmsLevel(*audio), 500);
}

TEST(EspeakTts, AMissingProgramIsUnavailable) {
  EspeakOptions options;
  options.program = "steward-no-such-espeak";
  EspeakTts espeak(options);
  const auto audio = espeak.Synthesize("您好");
  ASSERT_FALSE(audio.has_value());
  EXPECT_EQ(audio.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace steward::voice
