// The prompt cache synthesises each piece once however many calls wait for it, never on the
// caller's thread, splices a personalised prompt from its pieces, keeps whole what cutting would
// misread, and keeps pieces on disk for the next process (never those with digits).
#include "voice/prompt_cache.hpp"

#include "voice/recorded_prompts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <thread>

namespace steward::voice {
namespace {

constexpr size_t kLead = 400;    // 50 ms of silence before a piece's sound
constexpr size_t kSound = 800;   // 100 ms of sound
constexpr size_t kTrail = 1600;  // 200 ms of silence after it

// A TTS whose audio says which text it is (the sound's level) and which can be held back.
class FakeTts final : public Tts {
 public:
  Result<Audio> Synthesize(std::string_view text) override {
    gate_.wait();
    std::lock_guard lock(mutex_);
    ++calls_[std::string(text)];
    if (text == "坏") return Fail(ErrorCode::kUnavailable, "tts: engine down");
    Audio audio;
    audio.samples.assign(kLead, 0);
    audio.samples.insert(audio.samples.end(), kSound, Level(text));
    audio.samples.insert(audio.samples.end(), kTrail, 3);  // below the silence threshold
    return audio;
  }
  std::string VoiceId() const override { return "fake"; }

  static int16_t Level(std::string_view text) {
    return static_cast<int16_t>(1000 + 10 * static_cast<int>(text.size()));
  }
  int Calls(const std::string& text) {
    std::lock_guard lock(mutex_);
    return calls_[text];
  }
  int AllCalls() {
    std::lock_guard lock(mutex_);
    int total = 0;
    for (const auto& [text, count] : calls_) total += count;
    return total;
  }
  void Hold() {
    release_ = {};
    gate_ = release_.get_future().share();
  }
  void Release() { release_.set_value(); }

 private:
  std::mutex mutex_;
  std::map<std::string, int> calls_;
  std::promise<void> release_;
  std::shared_future<void> gate_ = [] {
    std::promise<void> open;
    open.set_value();
    return open.get_future().share();
  }();
};

// Counts callbacks and keeps their results.
class Waiter {
 public:
  PromptCache::Done Callback() {
    return [this](Result<PromptCache::Samples> audio) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(audio));
      changed_.notify_all();
    };
  }
  std::vector<Result<PromptCache::Samples>> WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return results_.size() >= count; });
    return results_;
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return results_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Result<PromptCache::Samples>> results_;
};

TEST(PromptCacheTest, OnePieceIsSynthesisedOnceHoweverManyCallsWaitAndNoCallerWaits) {
  FakeTts tts;
  tts.Hold();
  PromptCache cache(tts);
  Waiter waiter;
  for (int i = 0; i < 50; ++i) cache.Fetch({"王阿姨", "您好，我是社区的社工。"}, waiter.Callback());
  EXPECT_EQ(waiter.count(), 0u);  // every Fetch returned while the TTS was still held
  tts.Release();
  const auto results = waiter.WaitFor(50);
  for (const auto& result : results) {
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_EQ(**result, **results.front());
  }
  EXPECT_EQ(tts.Calls("王阿姨"), 1);
  EXPECT_EQ(tts.Calls("您好，我是社区的社工。"), 1);
  EXPECT_EQ(cache.synthesised(), 2u);
  // Cached now: answered on the caller's thread, before Fetch returns.
  Waiter again;
  cache.Fetch({"王阿姨", "您好，我是社区的社工。"}, again.Callback());
  EXPECT_EQ(again.count(), 1u);
}

TEST(PromptCacheTest, PiecesAreSplicedWithoutTheSilenceBetweenThemExceptAfterPunctuation) {
  FakeTts tts;
  PromptCache cache(tts);
  auto audio = cache.Get(std::vector<std::string>{"王阿姨", "您好，", "再见"});
  ASSERT_TRUE(audio.has_value()) << audio.error().ToString();
  const std::vector<int16_t>& samples = **audio;
  // 王阿姨: its lead, its sound, 10 ms; 您好，: 10 ms, sound, its whole pause; 再见: 10 ms, sound,
  // and the end as synthesised.
  const size_t edge = 80;
  ASSERT_EQ(samples.size(),
            (kLead + kSound + edge) + (edge + kSound + kTrail) + (edge + kSound + kTrail));
  EXPECT_EQ(samples[kLead], FakeTts::Level("王阿姨"));
  EXPECT_EQ(samples[kLead + kSound + 2 * edge], FakeTts::Level("您好，"));
  EXPECT_EQ(samples[samples.size() - kTrail - 1], FakeTts::Level("再见"));
}

TEST(PromptCacheTest, PiecesThatReadDifferentlyApartAreSynthesisedWhole) {
  FakeTts tts;
  PromptCache cache(tts);
  // 2个 is read 两个; cut, it would be 二 + 个.
  ASSERT_TRUE(cache.Get(std::vector<std::string>{"您家有", "2", "个人吗"}).has_value());
  EXPECT_EQ(tts.Calls("您家有2个人吗"), 1);
  EXPECT_EQ(tts.AllCalls(), 1);
  // A surname cut from its form of address loses its reading (单先生 is shan4, 单 alone dan1).
  ASSERT_TRUE(cache.Get(std::vector<std::string>{"单", "先生，您好"}).has_value());
  EXPECT_EQ(tts.Calls("单先生，您好"), 1);
}

TEST(PromptCacheTest, AFailedPieceFailsItsPromptsAndIsTriedAgainNextTime) {
  FakeTts tts;
  PromptCache cache(tts);
  auto audio = cache.Get(std::vector<std::string>{"王阿姨", "坏"});
  ASSERT_FALSE(audio.has_value());
  EXPECT_EQ(audio.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(cache.Get("坏").has_value());
  EXPECT_EQ(tts.Calls("坏"), 2);
  EXPECT_TRUE(cache.Get("王阿姨").has_value());
  EXPECT_EQ(tts.Calls("王阿姨"), 1);
}

TEST(PromptCacheTest, AFailingVoiceIsReportedUntilItSpeaksAgainAndCanBeProbed) {
  FakeTts tts;
  PromptCache cache(tts);
  EXPECT_FALSE(cache.failing());
  EXPECT_FALSE(cache.Get("坏").has_value());
  EXPECT_TRUE(cache.failing());
  EXPECT_TRUE(cache.Settled("坏"));  // nobody should wait for it
  EXPECT_FALSE(cache.Settled("好"));
  ASSERT_TRUE(cache.Get("好").has_value());
  EXPECT_FALSE(cache.failing());  // the voice spoke again
  EXPECT_TRUE(cache.Settled("好"));
  // The probe: what failed is tried again (and fails again here).
  cache.RetryFailed();
  for (int i = 0; i < 500 && !cache.failing(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(cache.failing());
  EXPECT_EQ(tts.Calls("坏"), 2);
}

TEST(PromptCacheTest, WarmedPiecesAreReadyWhenTheCallAsks) {
  FakeTts tts;
  PromptCache cache(tts);
  ASSERT_TRUE(cache.Render({"您好，", "再见"}).has_value());
  EXPECT_EQ(cache.size(), 2u);
  Waiter waiter;
  cache.Fetch({"您好，", "再见"}, waiter.Callback());
  EXPECT_EQ(waiter.count(), 1u);
  EXPECT_EQ(tts.AllCalls(), 2);
}

TEST(PromptCacheTest, PiecesAreKeptOnDiskForTheNextProcessButNotThoseWithDigits) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("steward-prompts-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  std::vector<int16_t> first;
  {
    FakeTts tts;
    PromptCache cache(tts, {.directory = dir.string()});
    auto audio = cache.Get("您好，我是社区的社工。");
    ASSERT_TRUE(audio.has_value());
    first = **audio;
    ASSERT_TRUE(cache.Get("网格员电话13800001111").has_value());
    EXPECT_EQ(cache.synthesised(), 2u);
  }
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().extension(), ".pcm");
    ++files;
  }
  EXPECT_EQ(files, 1u);  // the phone number was not written down
  FakeTts tts;
  PromptCache cache(tts, {.directory = dir.string()});
  auto audio = cache.Get("您好，我是社区的社工。");
  ASSERT_TRUE(audio.has_value());
  EXPECT_EQ(**audio, first);
  EXPECT_EQ(cache.read_from_disk(), 1u);
  EXPECT_EQ(tts.AllCalls(), 0);
  std::filesystem::remove_all(dir);
}

TEST(PromptCacheTest, APieceStaffRecordedIsTheRecordingNotTheTts) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("steward-recorded-cache-" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  RecordedPrompts recorded(dir);
  FakeTts tts;
  PromptCache cache(tts, {.recorded = &recorded});
  auto before = cache.Get(std::vector<std::string>{"王阿姨", "您好，"});
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(tts.Calls("您好，"), 1);
  // Staff record 您好，: the next prompt says it in their voice, the rest still by TTS.
  Audio voice;
  voice.samples.assign(1200, 4321);
  ASSERT_TRUE(recorded.Save("问候", "您好，", voice, 1).has_value());
  auto after = cache.Get(std::vector<std::string>{"王阿姨", "您好，"});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(std::count(after->get()->begin(), after->get()->end(), int16_t{4321}), 1200);
  EXPECT_EQ(tts.Calls("您好，"), 1);  // not synthesised again
  EXPECT_EQ(tts.Calls("王阿姨"), 1);
  ASSERT_TRUE(cache.Recording("问候").has_value());
  EXPECT_FALSE(cache.Recording("没有").has_value());
  // Removed: back to the TTS.
  ASSERT_TRUE(recorded.Remove("问候").has_value());
  ASSERT_TRUE(cache.Get(std::vector<std::string>{"您好，"}).has_value());
  EXPECT_EQ(tts.Calls("您好，"), 2);
  std::filesystem::remove_all(dir);
}

TEST(PromptCacheTest, StoppingAnswersEveryFetchStillWaitingOnce) {
  FakeTts tts;
  tts.Hold();
  Waiter waiter;
  {
    auto cache = std::make_unique<PromptCache>(tts, PromptCacheOptions{.workers = 1});
    cache->Fetch({"一句"}, waiter.Callback());
    cache->Fetch({"两句"}, waiter.Callback());
    std::thread stopper([&] { cache.reset(); });
    tts.Release();
    stopper.join();
  }
  EXPECT_EQ(waiter.WaitFor(2).size(), 2u);
  EXPECT_EQ(waiter.count(), 2u);
}

}  // namespace
}  // namespace steward::voice
