// Uploaded sound files become 8 kHz mono whatever they were (WAV at CD rate and in stereo, MP3),
// garbage is a clear error, and recorded prompts are found by name and by the text they say,
// across processes sharing their folder.
#include "voice/sound_file.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>

#include "voice/recorded_prompts.hpp"

namespace steward::voice {
namespace {

std::vector<int16_t> Tone(int rate, int channels, int milliseconds, double hz = 500) {
  std::vector<int16_t> samples;
  for (int i = 0; i < rate * milliseconds / 1000; ++i) {
    const auto value = static_cast<int16_t>(8000 * std::sin(2 * std::numbers::pi * hz * i / rate));
    for (int c = 0; c < channels; ++c) samples.push_back(value);
  }
  return samples;
}

// A sound file written by libsndfile itself in `format`, as bytes.
std::string Encoded(int format, int rate, int channels, const std::vector<int16_t>& samples) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("steward-sound-" + std::to_string(format) + "-" + std::to_string(rate));
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) return {};
  sf_writef_short(file, samples.data(), static_cast<sf_count_t>(samples.size() / channels));
  sf_close(file);
  std::ifstream in(path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(path);
  return bytes;
}

TEST(SoundFileTest, AStereoWavAtCdRateBecomesTelephoneMono) {
  const std::string wav = Encoded(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, Tone(44100, 2, 1500));
  ASSERT_FALSE(wav.empty());
  auto audio = DecodeSoundFile(wav);
  ASSERT_TRUE(audio.has_value()) << audio.error().ToString();
  EXPECT_EQ(audio->sample_rate, kTelephoneRate);
  EXPECT_EQ(audio->channels, 1);
  EXPECT_NEAR(static_cast<double>(audio->DurationMs()), 1500, 2);
  EXPECT_GT(RmsLevel(*audio), 4000);
}

TEST(SoundFileTest, AnMp3IsDecoded) {
  const std::string mp3 =
      Encoded(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 16000, 1, Tone(16000, 1, 2000));
  ASSERT_FALSE(mp3.empty()) << "libsndfile cannot write MP3 here";
  ASSERT_EQ(mp3.substr(0, 3) == "ID3" || (static_cast<unsigned char>(mp3[0]) == 0xFF), true);
  auto audio = DecodeSoundFile(mp3);
  ASSERT_TRUE(audio.has_value()) << audio.error().ToString();
  EXPECT_EQ(audio->sample_rate, kTelephoneRate);
  EXPECT_NEAR(static_cast<double>(audio->DurationMs()), 2000, 150);  // MP3 frames pad the ends
  EXPECT_GT(RmsLevel(*audio), 3000);
}

TEST(SoundFileTest, GarbageAndEmptyFilesAreClearErrors) {
  auto garbage = DecodeSoundFile("this is not a sound file at all, just some words");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(garbage.error().message.find("WAV"), std::string::npos);
  EXPECT_FALSE(DecodeSoundFile("").has_value());
}

TEST(RecordedPromptsTest, FoundByNameAndTextAndSeenByAnotherProcess) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("steward-recorded-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  RecordedPrompts staff(dir);
  RecordedPrompts line(dir);  // as a `campaign run` would open the same folder
  EXPECT_FALSE(line.ByText("本次通话将被录音。").has_value());
  const uint64_t before = line.generation();
  Audio audio;
  audio.samples = Tone(kTelephoneRate, 1, 800);
  auto saved = staff.Save("录音提示", "本次通话将被录音。", audio, 1000);
  ASSERT_TRUE(saved.has_value()) << saved.error().ToString();
  EXPECT_EQ(saved->duration_ms, 800);
  EXPECT_NE(line.generation(), before);
  auto by_text = line.ByText("本次通话将被录音。");
  ASSERT_TRUE(by_text.has_value());
  EXPECT_EQ(**by_text, audio.samples);
  EXPECT_TRUE(line.ByName("录音提示").has_value());
  // One text, one recording.
  auto twice = staff.Save("另一个", "本次通话将被录音。", audio, 2000);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(staff.Remove("录音提示").has_value());
  EXPECT_FALSE(line.ByText("本次通话将被录音。").has_value());
  EXPECT_EQ(staff.Remove("录音提示").error().code, ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steward::voice
