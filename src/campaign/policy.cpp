#include "campaign/policy.hpp"

#include <string>

namespace steward::campaign {

Result<Policy> Policy::FromJson(const nlohmann::json& json) {
  Policy policy;
  if (json.is_null()) return policy;
  if (!json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "policy 应为对象 / policy must be an object");
  }
  std::vector<ErrorDetail> details;
  auto integer = [&](const char* key, int* target, int low, int high) {
    auto it = json.find(key);
    if (it == json.end() || it->is_null()) return;
    if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high) {
      details.push_back({std::string("policy.") + key, "range",
                         "应为 " + std::to_string(low) + " 到 " + std::to_string(high) +
                             " 的整数 / an integer from " + std::to_string(low) + " to " +
                             std::to_string(high)});
      return;
    }
    *target = static_cast<int>(it->get<int64_t>());
  };
  integer("max_concurrent", &policy.max_concurrent, 1, 5000);
  integer("max_calls_per_second", &policy.max_calls_per_second, 1, 500);
  integer("ring_timeout_s", &policy.ring_timeout_s, 10, 120);
  integer("max_attempts", &policy.max_attempts, 1, 10);
  integer("per_day_cap", &policy.per_day_cap, 1, 20);
  integer("per_week_cap", &policy.per_week_cap, 1, 100);
  if (auto retry = json.find("retry_after_min"); retry != json.end() && !retry->is_null()) {
    if (!retry->is_object()) {
      details.push_back({"policy.retry_after_min", "type", "应为对象 / must be an object"});
    } else {
      for (const auto& [name, minutes] : retry->items()) {
        auto outcome = ParseOutcome(name);
        const std::string path = "policy.retry_after_min." + name;
        if (!outcome || RetryFor(*outcome) != RetryRule::kRetryAfterInterval) {
          details.push_back(
              {path, "outcome",
               "只有 no_answer、busy、failed_retryable、hung_up_during_opening 会重拨 / "
               "only no_answer, busy, failed_retryable, hung_up_during_opening are retried"});
        } else if (!minutes.is_number_integer() || minutes.get<int64_t>() < 1 ||
                   minutes.get<int64_t>() > 7 * 24 * 60) {
          // Never an immediate redial: at least a minute.
          details.push_back({path, "range", "应为 1 到 10080 分钟 / 1 to 10080 minutes"});
        } else {
          policy.retry_after_min[*outcome] = static_cast<int>(minutes.get<int64_t>());
        }
      }
    }
  }
  if (policy.per_week_cap < policy.per_day_cap) {
    details.push_back({"policy.per_week_cap", "range",
                       "每周上限不能小于每日上限 / the weekly cap is below the daily one"});
  }
  if (!details.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "呼叫策略有误 / invalid policy", std::move(details));
  }
  return policy;
}

nlohmann::json Policy::ToJson() const {
  nlohmann::json retry = nlohmann::json::object();
  for (const auto& [outcome, minutes] : retry_after_min) retry[OutcomeName(outcome)] = minutes;
  return {{"max_concurrent", max_concurrent}, {"max_calls_per_second", max_calls_per_second},
          {"ring_timeout_s", ring_timeout_s}, {"max_attempts", max_attempts},
          {"retry_after_min", retry},         {"per_day_cap", per_day_cap},
          {"per_week_cap", per_week_cap}};
}

int Policy::RetryAfterMinutes(Outcome outcome) const {
  auto it = retry_after_min.find(outcome);
  return it == retry_after_min.end() ? 60 : it->second;
}

}  // namespace steward::campaign
