// Recordings appear whole or not at all, and retention deletes only old recordings.
#include "voice/recordings.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "voice/audio.hpp"

namespace steward::voice {
namespace {

class RecordingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("steward-recordings-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(RecordingsTest, SavedWholeUnderTheCallId) {
  const std::string wav = WavBytes(Interleave({1, 2, 3}, {4, 5, 6}, kTelephoneRate));
  auto saved = SaveRecording(dir_ / "recordings", "7345", wav);
  ASSERT_TRUE(saved.has_value()) << saved.error().ToString();
  EXPECT_EQ(*saved, dir_ / "recordings" / "7345.wav");
  std::ifstream in(*saved, std::ios::binary);
  const std::string read((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read, wav);
  int files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir_ / "recordings")) {
    ++files;
  }
  EXPECT_EQ(files, 1);  // no .part left behind
}

TEST_F(RecordingsTest, RetentionDeletesOnlyOldRecordings) {
  const auto now = std::filesystem::file_time_type::clock::now();
  ASSERT_TRUE(SaveRecording(dir_, "1", "old").has_value());
  ASSERT_TRUE(SaveRecording(dir_, "2", "new").has_value());
  std::ofstream(dir_ / "3.wav.part") << "crashed";
  std::ofstream(dir_ / "notes.txt") << "not a recording";
  for (const char* name : {"1.wav", "3.wav.part", "notes.txt"}) {
    std::filesystem::last_write_time(dir_ / name, now - std::chrono::hours(24 * 31));
  }
  auto deleted = PruneRecordings(dir_, std::chrono::hours(24 * 30), now);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "1.wav"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "3.wav.part"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "2.wav"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notes.txt"));
  EXPECT_EQ(*PruneRecordings(dir_ / "missing", std::chrono::hours(1), now), 0);
}

}  // namespace
}  // namespace steward::voice
