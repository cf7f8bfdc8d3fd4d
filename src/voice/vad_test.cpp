// The VAD hands back a spoken answer with its onset and without the silence around it, drops
// clicks, and cuts an answer that never stops at the longest allowed.
#include "voice/vad.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace steward::voice {
namespace {

constexpr size_t kFrame = 160;  // 20 ms

std::vector<int16_t> Tone(int ms, double amplitude) {
  std::vector<int16_t> samples(static_cast<size_t>(ms) * 8);
  for (size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<int16_t>(amplitude * std::sin(2 * M_PI * 300 * i / 8000.0));
  }
  return samples;
}

std::vector<int16_t> Quiet(int ms) { return std::vector<int16_t>(static_cast<size_t>(ms) * 8, 3); }

// Feeds `audio` in 20 ms frames; the utterances that came out.
std::vector<Audio> FeedAll(EnergyVad& vad, const std::vector<int16_t>& audio) {
  std::vector<Audio> out;
  for (size_t at = 0; at + kFrame <= audio.size(); at += kFrame) {
    if (auto cut = vad.Feed(std::span(audio).subspan(at, kFrame))) out.push_back(std::move(*cut));
  }
  return out;
}

std::vector<int16_t> Then(std::vector<int16_t> a, const std::vector<int16_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(EnergyVadTest, AnAnswerComesOutOnceItsTrailingSilenceHasPassed) {
  EnergyVad vad;
  const auto heard = Then(Then(Then(Quiet(1000), Tone(800, 6000)), Quiet(700)), Quiet(1000));
  const auto cut = FeedAll(vad, heard);
  ASSERT_EQ(cut.size(), 1u);
  // 200 ms before the onset, the 800 ms said, the 700 ms of silence that ended it.
  EXPECT_EQ(cut[0].DurationMs(), 200 + 800 + 700);
  EXPECT_EQ(cut[0].sample_rate, kTelephoneRate);
  EXPECT_GT(RmsLevel(cut[0]), 1000);
  EXPECT_FALSE(vad.in_speech());
}

TEST(EnergyVadTest, APauseShorterThanTheTrailingSilenceKeepsOneAnswer) {
  EnergyVad vad;
  const auto heard = Then(Then(Then(Tone(400, 6000), Quiet(300)), Tone(400, 6000)), Quiet(800));
  const auto cut = FeedAll(vad, heard);
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].DurationMs(), 400 + 300 + 400 + 700);
}

TEST(EnergyVadTest, ClicksAndLineNoiseAreNotAnswers) {
  EnergyVad vad;
  EXPECT_TRUE(FeedAll(vad, Then(Then(Quiet(500), Tone(100, 8000)), Quiet(1000))).empty());
  EXPECT_TRUE(FeedAll(vad, Tone(3000, 150)).empty());  // about -47 dBFS: below the threshold
}

TEST(EnergyVadTest, AnAnswerThatNeverStopsIsCutAtTheLongestAllowed) {
  EnergyVad vad({.max_utterance_ms = 2000});
  const auto cut = FeedAll(vad, Tone(5000, 6000));
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[0].DurationMs(), 2000);
  EXPECT_EQ(cut[1].DurationMs(), 2000);
  EXPECT_TRUE(vad.in_speech());  // the last second is still being heard
}

TEST(EnergyVadTest, WhenThePacketsStopTheAnswerSoFarIsFlushed) {
  EnergyVad vad;
  EXPECT_TRUE(FeedAll(vad, Then(Quiet(100), Tone(600, 6000))).empty());
  auto flushed = vad.Flush();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(flushed->DurationMs(), 100 + 600);
  FeedAll(vad, Tone(100, 6000));
  EXPECT_FALSE(vad.Flush().has_value());  // a click is still not an answer
  EXPECT_FALSE(vad.in_speech());
}

}  // namespace
}  // namespace steward::voice
