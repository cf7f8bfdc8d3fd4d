// A campaign's calling policy: how many calls at once and per second, how long to ring, which
// outcomes are retried after how long and how often, and the per-resident caps that hold across
// every campaign. Thread-safety: plain values.
#pragma once

#include <map>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "campaign/outcome.hpp"

namespace steward::campaign {

struct Policy {
  int max_concurrent = 30;
  int max_calls_per_second = 5;
  int ring_timeout_s = 30;
  int max_attempts = 3;  // per resident and round, the first call included
  // Minutes to wait before the next attempt, by the outcome of the last one (RetryFor decides
  // which outcomes are retried at all).
  std::map<Outcome, int> retry_after_min = {{Outcome::kNoAnswer, 60},
                                            {Outcome::kBusy, 30},
                                            {Outcome::kFailedRetryable, 10},
                                            {Outcome::kHungUpDuringOpening, 120}};
  int per_day_cap = 2;   // calls to one resident a day, all campaigns together
  int per_week_cap = 5;  // … and a week (Monday to Sunday)

  // Every member optional; errors name the member ("policy.max_concurrent").
  static Result<Policy> FromJson(const nlohmann::json& json);
  nlohmann::json ToJson() const;
  int RetryAfterMinutes(Outcome outcome) const;
};

}  // namespace steward::campaign
