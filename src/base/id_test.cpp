#include "base/id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace steward {
namespace {

TEST(IdGenerator, IdsCarryTimeMinterAndSequence) {
  FakeClock clock(1764300000000);
  IdGenerator generator(clock, 7);
  const Id id = generator.Next();
  const IdParts parts = SplitId(id);
  EXPECT_EQ(parts.millis, 1764300000000);
  EXPECT_EQ(parts.minter, 7);
  EXPECT_EQ(parts.sequence, 0);
  EXPECT_GT(id, 0);
}

TEST(IdGenerator, StrictlyIncreasingEvenPastFourThousandInOneMillisecond) {
  FakeClock clock(1764300000000);
  IdGenerator generator(clock, 1);
  Id last = 0;
  for (int i = 0; i < 10000; ++i) {
    const Id id = generator.Next();
    ASSERT_GT(id, last);
    last = id;
  }
  // The generator ran ahead of the frozen clock instead of repeating.
  EXPECT_GT(SplitId(last).millis, clock.NowMillis());
  clock.Advance(1000);
  EXPECT_EQ(SplitId(generator.Next()).millis, clock.NowMillis());
}

TEST(IdGenerator, DifferentMintersNeverCollideAndThreadsGetUniqueIds) {
  FakeClock clock(1764300000000);
  IdGenerator server(clock, 1);
  IdGenerator field_client(clock, 513);
  std::set<Id> seen;
  std::vector<std::vector<Id>> per_thread(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i)
        per_thread[t].push_back((t % 2 ? server : field_client).Next());
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& ids : per_thread) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(IdGenerator, RejectsMinterOutOfRange) {
  FakeClock clock(0);
  EXPECT_THROW(IdGenerator(clock, 1024), std::invalid_argument);
}

}  // namespace
}  // namespace steward
