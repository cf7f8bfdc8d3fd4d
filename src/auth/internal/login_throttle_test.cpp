#include "auth/internal/login_throttle.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"

namespace steward::auth::internal {
namespace {

constexpr int64_t kMinute = 60 * 1000;

TEST(LoginThrottleTest, AnAddressIsRefusedUntilItsOldestFailureLeavesTheWindow) {
  FakeClock clock(1795797000000);
  LoginThrottle throttle(3, 10 * kMinute);
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 0);
  throttle.CountFailure("10.0.0.1", clock.NowMillis());
  clock.Advance(2 * kMinute);
  throttle.CountFailure("10.0.0.1", clock.NowMillis());
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 0);
  clock.Advance(1 * kMinute);
  throttle.CountFailure("10.0.0.1", clock.NowMillis());
  // Three failures within ten minutes: wait until the first is ten minutes old.
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 7 * kMinute);
  // Other addresses are not affected.
  EXPECT_EQ(throttle.RetryAfter("10.0.0.2", clock.NowMillis()), 0);
  clock.Advance(7 * kMinute - 1);
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 1);
  clock.Advance(1);
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 0);
  // One more failure fills the window again, until the second failure is ten minutes old.
  throttle.CountFailure("10.0.0.1", clock.NowMillis());
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 2 * kMinute);
  clock.Advance(10 * kMinute);
  EXPECT_EQ(throttle.RetryAfter("10.0.0.1", clock.NowMillis()), 0);
}

TEST(LoginThrottleTest, NoAddressAndAZeroLimitAreNeverThrottled) {
  LoginThrottle throttle(1, kMinute);
  throttle.CountFailure("", 0);
  EXPECT_EQ(throttle.RetryAfter("", 0), 0);
  LoginThrottle off(0, kMinute);
  off.CountFailure("10.0.0.1", 0);
  EXPECT_EQ(off.RetryAfter("10.0.0.1", 0), 0);
}

TEST(LoginThrottleTest, TheTableStaysBoundedAndForgetsExpiredAddressesFirst) {
  LoginThrottle throttle(1, kMinute);
  throttle.CountFailure("recent", 10 * kMinute);
  for (size_t i = 0; i + 1 < LoginThrottle::kMaxClients; ++i) {
    throttle.CountFailure("old" + std::to_string(i), 0);
  }
  // Full: the next address makes room by dropping the expired ones, not the recent one.
  throttle.CountFailure("new", 10 * kMinute);
  EXPECT_GT(throttle.RetryAfter("recent", 10 * kMinute), 0);
  EXPECT_GT(throttle.RetryAfter("new", 10 * kMinute), 0);
  EXPECT_EQ(throttle.RetryAfter("old0", 10 * kMinute), 0);
}

}  // namespace
}  // namespace steward::auth::internal
