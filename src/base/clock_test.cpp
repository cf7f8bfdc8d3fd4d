#include "base/clock.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

TEST(Date, RoundTripsThroughDays) {
  for (int64_t days = -700000; days < 800000; days += 37) {
    const Date date = Date::FromDays(days);
    ASSERT_EQ(date.ToDays(), days);
    ASSERT_TRUE(Date::IsValid(date.year, date.month, date.day));
  }
  EXPECT_EQ(Date::FromDays(0).ToString(), "1970-01-01");
}

TEST(Date, ParsesOnlyRealDates) {
  Date date;
  EXPECT_TRUE(Date::Parse("2024-02-29", &date));
  EXPECT_EQ(date, (Date{2024, 2, 29}));
  EXPECT_FALSE(Date::Parse("2023-02-29", &date));
  EXPECT_FALSE(Date::Parse("2023-13-01", &date));
  EXPECT_FALSE(Date::Parse("2023-1-01", &date));
  EXPECT_FALSE(Date::Parse("20230101", &date));
}

TEST(Date, AgeCountsWholeYears) {
  EXPECT_EQ((Date{1950, 6, 15}).YearsUntil(Date{2026, 6, 14}), 75);
  EXPECT_EQ((Date{1950, 6, 15}).YearsUntil(Date{2026, 6, 15}), 76);
}

TEST(Date, YearsEarlierAgreesWithYearsUntil) {
  EXPECT_EQ((Date{2026, 11, 28}).YearsEarlier(60), (Date{1966, 11, 28}));
  EXPECT_EQ((Date{1966, 11, 28}).YearsUntil(Date{2026, 11, 28}), 60);
  EXPECT_EQ((Date{2028, 2, 29}).YearsEarlier(1), (Date{2027, 2, 28}));
}

TEST(Clock, TodayIsChinaStandardTime) {
  // 2026-11-27T16:30:00Z is 2026-11-28 00:30 in Beijing.
  FakeClock clock(1795797000000);
  EXPECT_EQ(clock.Today(), (Date{2026, 11, 28}));
  EXPECT_EQ(clock.NowIso(), "2026-11-28T00:30:00.000+08:00");
}

}  // namespace
}  // namespace steward
