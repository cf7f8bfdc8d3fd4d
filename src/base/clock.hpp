// Clock: the one source of "now" and "today", behind an interface so tests never wait on wall time.
//
// SystemClock reads the real time; FakeClock is set by tests. "Today" is the civil date in China
// Standard Time (UTC+8, no daylight saving), the calendar the registry's dates are written in.
// Thread-safety: SystemClock is stateless; FakeClock's time is atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace steward {

// A civil date (proleptic Gregorian).
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  friend auto operator<=>(const Date&, const Date&) = default;

  // Days since 1970-01-01.
  int64_t ToDays() const;
  static Date FromDays(int64_t days);
  // "YYYY-MM-DD".
  std::string ToString() const;
  // Parses "YYYY-MM-DD"; returns false for anything else or an impossible date.
  static bool Parse(std::string_view text, Date* out);
  static bool IsValid(int year, int month, int day);
  // Whole years from this date to `on` (age on that date).
  int YearsUntil(const Date& on) const;
  // The same day `years` earlier (29 February becomes 28 February): someone born on or before
  // it is at least `years` old on this date.
  Date YearsEarlier(int years) const;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
  // Today's civil date in China Standard Time.
  Date Today() const;
  // ISO-8601 with offset, e.g. "2026-11-28T10:45:32.123+08:00".
  std::string NowIso() const;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t millis) : millis_(millis) {}
  int64_t NowMillis() const override { return millis_.load(); }
  void Set(int64_t millis) { millis_.store(millis); }
  void Advance(int64_t millis) { millis_.fetch_add(millis); }

 private:
  std::atomic<int64_t> millis_;
};

// Formats epoch milliseconds as ISO-8601 in China Standard Time.
std::string FormatIsoMillis(int64_t millis);

}  // namespace steward
