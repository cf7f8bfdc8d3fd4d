// When a campaign may call: dates, calling windows per weekday, a holiday calendar that also knows
// the make-up working days (调休), and repeated rounds (e.g. daily at 9:00 and 16:00 for 14 days).
//
// All times are in Asia/Shanghai (UTC+8, no daylight saving): the civil day and minute of an
// instant are computed by adding eight hours. A holiday uses the holiday windows (none by
// default); a make-up working day uses Monday's windows whatever its weekday.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace steward::campaign {

// The holiday calendar, read from a text file: one date a line, "YYYY-MM-DD holiday [name]" or
// "YYYY-MM-DD workday [name]" (a weekend day worked in exchange, 调休); '#' starts a comment.
class HolidayCalendar {
 public:
  // kInvalidArgument naming the line for anything else.
  static Result<HolidayCalendar> Parse(const std::string& text);
  static Result<HolidayCalendar> Load(const std::string& path);

  bool IsHoliday(const Date& date) const { return holidays_.count(date.ToDays()) > 0; }
  bool IsMakeUpWorkday(const Date& date) const { return workdays_.count(date.ToDays()) > 0; }
  size_t size() const { return holidays_.size() + workdays_.size(); }

 private:
  std::set<int64_t> holidays_;
  std::set<int64_t> workdays_;
};

// A window [from, to) in minutes after local midnight.
struct Window {
  int from = 0;
  int to = 0;
};

struct Schedule {
  Date start_date;
  Date end_date;  // inclusive
  // Monday (0) … Sunday (6), then holidays (7).
  std::array<std::vector<Window>, 8> windows;
  // Times of day (minutes) at which a new round starts every day; empty: one round.
  std::vector<int> rounds;

  // Weekdays 9:00–12:00 and 14:00–18:00, weekends 10:00–12:00 and 15:00–17:00, no holidays.
  static Schedule Default(const Date& start, const Date& end);
  // From the API's JSON (every member optional, defaults as above); errors name the member.
  static Result<Schedule> FromJson(const nlohmann::json& json, const Date& today);
  nlohmann::json ToJson() const;

  // Whether `millis` lies in a calling window.
  bool InWindow(int64_t millis, const HolidayCalendar& calendar) const;
  // The first instant at or after `millis` in a window, or nullopt after the end date.
  std::optional<int64_t> NextCallingTime(int64_t millis, const HolidayCalendar& calendar) const;
  // The round `millis` falls in (0 before the second round starts) and the count of rounds.
  int RoundAt(int64_t millis) const;
  int RoundCount() const;
  // When round `round` starts (the start date's first window for round 0).
  int64_t RoundStart(int round) const;
  // Midnight after the end date: nothing is called from then on.
  int64_t EndMillis() const;
};

// Local (UTC+8) helpers.
int64_t LocalMidnight(const Date& date);  // epoch ms of 00:00 that day
Date LocalDate(int64_t millis);
int LocalMinute(int64_t millis);  // 0 … 1439
int Weekday(const Date& date);    // Monday 0 … Sunday 6

}  // namespace steward::campaign
