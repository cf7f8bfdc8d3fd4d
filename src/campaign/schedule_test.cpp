// Calling windows, the holiday calendar with make-up working days, rounds, and the policy's JSON.
#include "campaign/schedule.hpp"

#include <gtest/gtest.h>

#include <set>

#include "campaign/policy.hpp"

namespace steward::campaign {
namespace {

int64_t At(const char* date, int hour, int minute = 0) {
  Date day;
  EXPECT_TRUE(Date::Parse(date, &day));
  return LocalMidnight(day) + (int64_t{hour} * 60 + minute) * 60'000;
}

TEST(ScheduleTest, LocalTimeIsChinaStandardTime) {
  // 2026-12-07 is a Monday; 01:30 UTC is 09:30 in Beijing.
  const int64_t utc_0130 = 1796607000000;  // 2026-12-07T01:30:00Z
  EXPECT_EQ(LocalDate(utc_0130).ToString(), "2026-12-07");
  EXPECT_EQ(LocalMinute(utc_0130), 9 * 60 + 30);
  EXPECT_EQ(Weekday(LocalDate(utc_0130)), 0);
  EXPECT_EQ(At("2026-12-07", 9, 30), utc_0130);
}

TEST(ScheduleTest, WindowsWeekendsHolidaysAndMakeUpDays) {
  auto calendar =
      HolidayCalendar::Parse("# 示例\n2026-12-09 holiday 测试假日\n2026-12-12 workday 调休\n\n");
  ASSERT_TRUE(calendar) << calendar.error().ToString();
  Date start, end;
  Date::Parse("2026-12-07", &start);
  Date::Parse("2026-12-13", &end);
  const Schedule schedule = Schedule::Default(start, end);
  EXPECT_TRUE(schedule.InWindow(At("2026-12-07", 9, 0), *calendar));
  EXPECT_FALSE(schedule.InWindow(At("2026-12-07", 8, 59), *calendar));
  EXPECT_FALSE(schedule.InWindow(At("2026-12-07", 12, 0), *calendar));  // lunch
  EXPECT_TRUE(schedule.InWindow(At("2026-12-07", 17, 59), *calendar));
  EXPECT_FALSE(schedule.InWindow(At("2026-12-09", 10, 0), *calendar));  // the holiday
  // Saturday the 12th is worked: Monday's windows, 9:00 rather than the weekend's 10:00.
  EXPECT_TRUE(schedule.InWindow(At("2026-12-12", 9, 30), *calendar));
  EXPECT_FALSE(schedule.InWindow(At("2026-12-13", 9, 30), *calendar));  // a plain Sunday
  EXPECT_TRUE(schedule.InWindow(At("2026-12-13", 10, 30), *calendar));
  EXPECT_FALSE(schedule.InWindow(At("2026-12-14", 10, 0), *calendar));  // after the end date
  // The next calling time skips the night, lunch and the holiday.
  EXPECT_EQ(schedule.NextCallingTime(At("2026-12-07", 12, 30), *calendar), At("2026-12-07", 14, 0));
  EXPECT_EQ(schedule.NextCallingTime(At("2026-12-08", 20, 0), *calendar), At("2026-12-10", 9, 0));
  EXPECT_EQ(schedule.NextCallingTime(At("2026-12-13", 18, 0), *calendar), std::nullopt);
  EXPECT_EQ(schedule.NextCallingTime(At("2026-12-01", 10, 0), *calendar), At("2026-12-07", 9, 0));
}

TEST(ScheduleTest, BadHolidayLinesNameTheLine) {
  auto calendar = HolidayCalendar::Parse("2026-10-01 holiday\n2026-13-01 holiday\n");
  ASSERT_FALSE(calendar);
  EXPECT_NE(calendar.error().message.find("第 2 行"), std::string::npos);
  EXPECT_FALSE(HolidayCalendar::Parse("2026-10-01 vacation\n"));
}

TEST(ScheduleTest, RoundsDailyAtNineAndFourForTwoWeeks) {
  Date today;
  Date::Parse("2026-12-07", &today);
  auto schedule = Schedule::FromJson(nlohmann::json::parse(R"({
      "start_date": "2026-12-07", "end_date": "2026-12-20", "rounds": ["09:00", "16:00"],
      "windows": {"sat": [["09:00", "17:00"]], "sun": [["09:00", "17:00"]]}})"),
                                     today);
  ASSERT_TRUE(schedule) << schedule.error().ToString();
  EXPECT_EQ(schedule->RoundCount(), 28);
  EXPECT_EQ(schedule->RoundStart(0), At("2026-12-07", 9, 0));
  EXPECT_EQ(schedule->RoundStart(1), At("2026-12-07", 16, 0));
  EXPECT_EQ(schedule->RoundStart(27), At("2026-12-20", 16, 0));
  EXPECT_EQ(schedule->RoundAt(At("2026-12-07", 8, 0)), 0);
  EXPECT_EQ(schedule->RoundAt(At("2026-12-07", 15, 59)), 0);
  EXPECT_EQ(schedule->RoundAt(At("2026-12-08", 10, 0)), 2);
  EXPECT_EQ(schedule->EndMillis(), At("2026-12-21", 0, 0));
  auto again = Schedule::FromJson(schedule->ToJson(), today);
  ASSERT_TRUE(again) << again.error().ToString() << " " << again.error().details[0].field;
  EXPECT_EQ(again->ToJson(), schedule->ToJson());
}

TEST(ScheduleTest, BadScheduleNamesEachMember) {
  Date today;
  Date::Parse("2026-12-07", &today);
  auto bad = Schedule::FromJson(nlohmann::json::parse(R"({
      "start_date": "2026-12-09", "end_date": "2026-12-08",
      "windows": {"mon": [["12:00", "09:00"]], "funday": []}, "rounds": ["16:00", "09:00"]})"),
                                today);
  ASSERT_FALSE(bad);
  std::set<std::string> fields;
  for (const auto& detail : bad.error().details) fields.insert(detail.field);
  EXPECT_EQ(fields, (std::set<std::string>{"schedule.end_date", "schedule.windows.mon",
                                           "schedule.windows.funday", "schedule.rounds"}));
}

TEST(PolicyTest, DefaultsOverridesAndNeverAnImmediateRedial) {
  auto policy = Policy::FromJson(
      {{"max_concurrent", 1000}, {"retry_after_min", {{"busy", 15}}}, {"per_day_cap", 1}});
  ASSERT_TRUE(policy) << policy.error().ToString();
  EXPECT_EQ(policy->max_concurrent, 1000);
  EXPECT_EQ(policy->RetryAfterMinutes(Outcome::kBusy), 15);
  EXPECT_EQ(policy->RetryAfterMinutes(Outcome::kNoAnswer), 60);
  auto again = Policy::FromJson(policy->ToJson());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ToJson(), policy->ToJson());
  auto bad = Policy::FromJson({{"retry_after_min", {{"busy", 0}, {"declined", 30}}},
                               {"max_concurrent", 0},
                               {"per_day_cap", 5},
                               {"per_week_cap", 3}});
  ASSERT_FALSE(bad);
  std::set<std::string> fields;
  for (const auto& detail : bad.error().details) fields.insert(detail.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"policy.retry_after_min.busy", "policy.retry_after_min.declined",
                                   "policy.max_concurrent", "policy.per_week_cap"}));
}

}  // namespace
}  // namespace steward::campaign
