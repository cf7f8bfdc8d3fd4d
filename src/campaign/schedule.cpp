#include "campaign/schedule.hpp"

#include <fstream>
#include <sstream>

namespace steward::campaign {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kOffsetMs = 8 * 3'600'000;  // China Standard Time
constexpr std::array<const char*, 8> kDayNames = {"mon", "tue", "wed", "thu",
                                                  "fri", "sat", "sun", "holiday"};

bool ParseMinute(const std::string& text, int* minute) {
  int hour = 0;
  int min = 0;
  char colon = 0;
  std::istringstream in(text);
  if (!(in >> hour >> colon >> min) || colon != ':' || hour < 0 || hour > 24 || min < 0 ||
      min > 59 || (hour == 24 && min != 0) || text.size() != 5) {
    return false;
  }
  *minute = hour * 60 + min;
  return true;
}

std::string MinuteText(int minute) {
  char text[8];
  std::snprintf(text, sizeof(text), "%02d:%02d", minute / 60 % 100, minute % 60);
  return text;
}

const std::vector<Window>& WindowsOf(const Schedule& schedule, const Date& date,
                                     const HolidayCalendar& calendar) {
  if (calendar.IsMakeUpWorkday(date)) return schedule.windows[0];
  if (calendar.IsHoliday(date)) return schedule.windows[7];
  return schedule.windows[Weekday(date)];
}

}  // namespace

int64_t LocalMidnight(const Date& date) { return date.ToDays() * kDayMs - kOffsetMs; }
Date LocalDate(int64_t millis) {
  const int64_t local = millis + kOffsetMs;
  return Date::FromDays(local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs);
}
int LocalMinute(int64_t millis) {
  const int64_t local = millis + kOffsetMs;
  const int64_t in_day = ((local % kDayMs) + kDayMs) % kDayMs;
  return static_cast<int>(in_day / 60'000);
}
int Weekday(const Date& date) {
  // 1970-01-01 was a Thursday (3 counting Monday as 0).
  return static_cast<int>(((date.ToDays() % 7) + 7 + 3) % 7);
}

Result<HolidayCalendar> HolidayCalendar::Parse(const std::string& text) {
  HolidayCalendar calendar;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string date_text;
    std::string kind;
    if (!(words >> date_text)) continue;
    Date date;
    words >> kind;
    if (!Date::Parse(date_text, &date) || (kind != "holiday" && kind != "workday")) {
      return Fail(ErrorCode::kInvalidArgument,
                  "节假日文件第 " + std::to_string(number) +
                      " 行应为“日期 holiday|workday [名称]” / holiday file line " +
                      std::to_string(number) + ": expected DATE holiday|workday [name]",
                  {{"line " + std::to_string(number), "holiday_line", line}});
    }
    (kind == "holiday" ? calendar.holidays_ : calendar.workdays_).insert(date.ToDays());
  }
  return calendar;
}

Result<HolidayCalendar> HolidayCalendar::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Fail(ErrorCode::kNotFound, "找不到节假日文件 " + path + " / no holiday file " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str());
}

Schedule Schedule::Default(const Date& start, const Date& end) {
  Schedule schedule;
  schedule.start_date = start;
  schedule.end_date = end;
  for (int day = 0; day < 5; ++day) schedule.windows[day] = {{9 * 60, 12 * 60}, {14 * 60, 18 * 60}};
  for (int day = 5; day < 7; ++day)
    schedule.windows[day] = {{10 * 60, 12 * 60}, {15 * 60, 17 * 60}};
  return schedule;
}

Result<Schedule> Schedule::FromJson(const nlohmann::json& json, const Date& today) {
  std::vector<ErrorDetail> details;
  auto date = [&](const char* key, const Date& fallback) {
    auto it = json.find(key);
    if (it == json.end() || it->is_null()) return fallback;
    Date parsed;
    if (!it->is_string() || !Date::Parse(it->get<std::string>(), &parsed)) {
      details.push_back(
          {std::string("schedule.") + key, "date", "应为 YYYY-MM-DD / must be YYYY-MM-DD"});
      return fallback;
    }
    return parsed;
  };
  if (!json.is_null() && !json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "schedule 应为对象 / schedule must be an object");
  }
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& body = json.is_null() ? empty : json;
  const Date start = body.is_object() ? date("start_date", today) : today;
  const Date end = date("end_date", Date::FromDays(start.ToDays() + 6));
  Schedule schedule = Default(start, end);
  if (end < start) {
    details.push_back(
        {"schedule.end_date", "range", "结束日期早于开始日期 / ends before it starts"});
  }
  if (auto windows = body.find("windows"); windows != body.end()) {
    if (!windows->is_object()) {
      details.push_back({"schedule.windows", "type", "应为对象 / must be an object"});
    } else {
      for (const auto& [day, ranges] : windows->items()) {
        int index = -1;
        for (int i = 0; i < 8; ++i) {
          if (day == kDayNames[i]) index = i;
        }
        const std::string path = "schedule.windows." + day;
        if (index < 0) {
          details.push_back({path, "day", "应为 mon…sun 或 holiday / one of mon … sun, holiday"});
          continue;
        }
        schedule.windows[index].clear();
        if (!ranges.is_array()) {
          details.push_back({path, "type", "应为 [[\"09:00\",\"12:00\"], …]"});
          continue;
        }
        for (const auto& range : ranges) {
          Window window;
          if (!range.is_array() || range.size() != 2 || !range[0].is_string() ||
              !range[1].is_string() || !ParseMinute(range[0].get<std::string>(), &window.from) ||
              !ParseMinute(range[1].get<std::string>(), &window.to) || window.to <= window.from) {
            details.push_back({path, "window",
                               "时段应为 [\"HH:MM\",\"HH:MM\"]，且结束晚于开始 / a "
                               "window is [\"HH:MM\",\"HH:MM\"], ending after it starts"});
            continue;
          }
          schedule.windows[index].push_back(window);
        }
      }
    }
  }
  if (auto rounds = body.find("rounds"); rounds != body.end() && !rounds->is_null()) {
    if (!rounds->is_array()) {
      details.push_back(
          {"schedule.rounds", "type", "应为 [\"09:00\", \"16:00\"] / a list of times"});
    } else {
      for (const auto& time : *rounds) {
        int minute = 0;
        if (!time.is_string() || !ParseMinute(time.get<std::string>(), &minute) ||
            (!schedule.rounds.empty() && minute <= schedule.rounds.back())) {
          details.push_back({"schedule.rounds", "time", "应为递增的 HH:MM / rising HH:MM times"});
          break;
        }
        schedule.rounds.push_back(minute);
      }
    }
  }
  if (!details.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "呼叫时间安排有误 / invalid schedule",
                std::move(details));
  }
  return schedule;
}

nlohmann::json Schedule::ToJson() const {
  nlohmann::json windows_json = nlohmann::json::object();
  for (int day = 0; day < 8; ++day) {
    nlohmann::json ranges = nlohmann::json::array();
    for (const auto& window : windows[day]) {
      ranges.push_back({MinuteText(window.from), MinuteText(window.to)});
    }
    windows_json[kDayNames[day]] = ranges;
  }
  nlohmann::json rounds_json = nlohmann::json::array();
  for (int minute : rounds) rounds_json.push_back(MinuteText(minute));
  return {{"start_date", start_date.ToString()},
          {"end_date", end_date.ToString()},
          {"windows", windows_json},
          {"rounds", rounds_json}};
}

bool Schedule::InWindow(int64_t millis, const HolidayCalendar& calendar) const {
  const Date date = LocalDate(millis);
  if (date < start_date || end_date < date) return false;
  const int minute = LocalMinute(millis);
  for (const auto& window : WindowsOf(*this, date, calendar)) {
    if (minute >= window.from && minute < window.to) return true;
  }
  return false;
}

std::optional<int64_t> Schedule::NextCallingTime(int64_t millis,
                                                 const HolidayCalendar& calendar) const {
  if (InWindow(millis, calendar)) return millis;
  Date date = LocalDate(millis);
  if (date < start_date) {
    date = start_date;
    millis = LocalMidnight(date);
  }
  for (int days = 0; days < 400 && !(end_date < date); ++days) {
    const int64_t midnight = LocalMidnight(date);
    for (const auto& window : WindowsOf(*this, date, calendar)) {
      const int64_t from = midnight + int64_t{window.from} * 60'000;
      const int64_t to = midnight + int64_t{window.to} * 60'000;
      if (millis < to) return millis > from ? millis : from;
    }
    date = Date::FromDays(date.ToDays() + 1);
  }
  return std::nullopt;
}

int Schedule::RoundCount() const {
  if (rounds.empty()) return 1;
  return static_cast<int>((end_date.ToDays() - start_date.ToDays() + 1) * rounds.size());
}

int64_t Schedule::RoundStart(int round) const {
  if (rounds.empty()) return LocalMidnight(start_date);
  const int per_day = static_cast<int>(rounds.size());
  const Date day = Date::FromDays(start_date.ToDays() + round / per_day);
  return LocalMidnight(day) + int64_t{rounds[round % per_day]} * 60'000;
}

int Schedule::RoundAt(int64_t millis) const {
  if (rounds.empty()) return 0;
  int round = 0;
  const int count = RoundCount();
  while (round + 1 < count && RoundStart(round + 1) <= millis) ++round;
  return round;
}

int64_t Schedule::EndMillis() const { return LocalMidnight(Date::FromDays(end_date.ToDays() + 1)); }

}  // namespace steward::campaign
