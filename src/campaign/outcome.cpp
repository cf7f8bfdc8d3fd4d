#include "campaign/outcome.hpp"

#include <array>
#include <utility>

namespace steward::campaign {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 15> kNames = {{
    {Outcome::kAnsweredCompleted, "answered_completed"},
    {Outcome::kAnsweredPartial, "answered_partial"},
    {Outcome::kHungUpDuringOpening, "hung_up_during_opening"},
    {Outcome::kOptedOut, "opted_out"},
    {Outcome::kNoAnswer, "no_answer"},
    {Outcome::kBusy, "busy"},
    {Outcome::kDeclined, "declined"},
    {Outcome::kInvalidNumber, "invalid_number"},
    {Outcome::kFailedRetryable, "failed_retryable"},
    {Outcome::kNoPhone, "no_phone"},
    {Outcome::kOnDoNotCallList, "on_do_not_call_list"},
    {Outcome::kCapped, "capped"},
    {Outcome::kDuplicatePhone, "duplicate_phone"},
    {Outcome::kCancelled, "cancelled"},
    {Outcome::kExpired, "expired"},
}};

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  for (const auto& [value, name] : kNames) {
    if (value == outcome) return name;
  }
  return "unknown";
}

std::string_view OutcomeLabel(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAnsweredCompleted:
      return "已完成";
    case Outcome::kAnsweredPartial:
      return "接通未完成";
    case Outcome::kHungUpDuringOpening:
      return "开场白时挂断";
    case Outcome::kOptedOut:
      return "拒绝来电（已登记）";
    case Outcome::kNoAnswer:
      return "无人接听";
    case Outcome::kBusy:
      return "占线";
    case Outcome::kDeclined:
      return "拒接";
    case Outcome::kInvalidNumber:
      return "空号";
    case Outcome::kFailedRetryable:
      return "线路故障";
    case Outcome::kNoPhone:
      return "无电话";
    case Outcome::kOnDoNotCallList:
      return "免打扰名单";
    case Outcome::kCapped:
      return "超过呼叫次数上限";
    case Outcome::kDuplicatePhone:
      return "与他人共用电话";
    case Outcome::kCancelled:
      return "任务已取消";
    case Outcome::kExpired:
      return "到期未拨通";
  }
  return "未知";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

RetryRule RetryFor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNoAnswer:
    case Outcome::kBusy:
    case Outcome::kFailedRetryable:
    case Outcome::kHungUpDuringOpening:
      return RetryRule::kRetryAfterInterval;
    default:
      return RetryRule::kFinal;
  }
}

bool IsNeverDialled(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNoPhone:
    case Outcome::kOnDoNotCallList:
    case Outcome::kCapped:
    case Outcome::kDuplicatePhone:
      return true;
    default:
      return false;
  }
}

bool IsAnswered(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAnsweredCompleted:
    case Outcome::kAnsweredPartial:
    case Outcome::kHungUpDuringOpening:
    case Outcome::kOptedOut:
      return true;
    default:
      return false;
  }
}

}  // namespace steward::campaign
