#include "campaign/runner.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace steward::campaign {

CampaignRunner::CampaignRunner(CampaignStore& store, Channel& channel, Timers& timers,
                               const HolidayCalendar& calendar, UnitLookup units, Options options)
    : store_(store),
      channel_(channel),
      timers_(timers),
      calendar_(calendar),
      units_(std::move(units)),
      options_(std::move(options)) {}

CampaignRunner::~CampaignRunner() { Stop(); }

CampaignRunner::UnitLookup CampaignRunner::UnitsFrom(storage::Database& database,
                                                     const crypto::PiiVault& vault) {
  return [&database, &vault](Id unit) {
    return database.Read(
        [&](storage::Connection& connection) { return UnitVariables(connection, vault, unit); });
  };
}

Status CampaignRunner::Start() {
  const int64_t now = timers_.clock().NowMillis();
  STEWARD_TRY(store_.Heartbeat(options_.node, now));
  next_heartbeat_ = now + options_.lease_ms / 4;
  STEWARD_ASSIGN_OR_RETURN(int64_t recovered, store_.Recover(context_, options_.node, now));
  if (recovered > 0) {
    spdlog::info("campaigns: {} call(s) in flight at the last stop counted as failed attempts",
                 recovered);
  }
  running_ = true;
  tick_ = timers_.After(0, [this] { Tick(); });
  return Ok();
}

void CampaignRunner::Stop() {
  running_ = false;
  if (tick_ != 0) timers_.Cancel(tick_);
  tick_ = 0;
}

void CampaignRunner::Wake() {
  if (!running_) return;
  if (tick_ != 0) timers_.Cancel(tick_);
  tick_ = timers_.After(0, [this] { Tick(); });
}

std::string CampaignRunner::Waiting() const {
  std::lock_guard lock(waiting_mutex_);
  return waiting_;
}

void CampaignRunner::Tick() {
  tick_ = 0;
  if (!running_) return;
  const int64_t now = timers_.clock().NowMillis();
  if (now >= next_heartbeat_) Keepalive(now);
  auto campaigns = store_.List(CampaignState::kRunning);
  int64_t wake = now + (active_.empty() ? options_.idle_tick_ms : options_.tick_ms);
  if (!campaigns) {
    last_error_ = campaigns.error();
  } else {
    int capacity = options_.max_calls - static_cast<int>(active_.size());
    tick_waiting_.clear();
    for (auto& campaign : *campaigns) {
      if (!options_.channel.empty() && campaign.channel != options_.channel) continue;
      auto next = RunCampaign(campaign, now, &capacity);
      if (!next) {
        last_error_ = next.error();
        spdlog::warn("campaign {}: {}", campaign.id, next.error().ToString());
        continue;
      }
      wake = std::min(wake, *next);
    }
    std::lock_guard lock(waiting_mutex_);
    waiting_ = tick_waiting_;
  }
  tick_ = timers_.After(std::max<int64_t>(wake - now, options_.tick_ms), [this] { Tick(); });
}

// This node's heartbeat, and the calls of nodes not seen within the lease ended for them.
void CampaignRunner::Keepalive(int64_t now) {
  next_heartbeat_ = now + options_.lease_ms / 4;
  if (auto beat = store_.Heartbeat(options_.node, now); !beat) {
    last_error_ = beat.error();
    return;
  }
  auto taken = store_.TakeOver(context_, options_.node, now, options_.lease_ms);
  if (!taken) {
    last_error_ = taken.error();
  } else if (*taken > 0) {
    spdlog::warn("campaigns: {} call(s) of a node not seen for {} s ended as failed attempts",
                 *taken, options_.lease_ms / 1000);
  }
}

Result<int64_t> CampaignRunner::RunCampaign(Campaign& campaign, int64_t now, int* capacity) {
  STEWARD_TRY(store_.Advance(context_, campaign, now));
  const int active = active_by_campaign_[campaign.id];
  const int64_t busy = now + options_.tick_ms;
  const int64_t idle = now + options_.idle_tick_ms;
  // Outside the windows, sleep until the next one opens (or a round starts, or the end).
  if (!campaign.schedule.InWindow(now, calendar_)) {
    int64_t next = campaign.schedule.EndMillis();
    if (auto opens = campaign.schedule.NextCallingTime(now, calendar_)) next = *opens;
    const int round = campaign.schedule.RoundAt(now);
    if (round + 1 < campaign.schedule.RoundCount()) {
      next = std::min(next, campaign.schedule.RoundStart(round + 1));
    }
    return active > 0 ? busy : std::max(next, busy);
  }
  // The channel renders a campaign's prompts before its first call, and nobody is dialled while
  // it is not ready (its voice failing): no attempt is spent on a call that could say nothing.
  if (prepared_campaigns_.insert(campaign.id).second) {
    Variables known;
    for (const auto& [name, value] : campaign.fields) known["campaign." + name] = value;
    channel_.Prepare(PromptPieces(campaign.script, known));
  }
  if (const std::string why = channel_.NotReady(); !why.empty()) {
    tick_waiting_ = why;
    if (now >= next_not_ready_log_) {
      spdlog::warn("campaign {}: no calls placed: {}", campaign.id, why);
      next_not_ready_log_ = now + 60'000;
    }
    return busy;
  }
  if (*capacity <= 0) return busy;
  const int per_tick =
      std::max<int64_t>(1, int64_t{campaign.policy.max_calls_per_second} * options_.tick_ms / 1000);
  const int budget = std::min({campaign.policy.max_concurrent - active, per_tick, *capacity});
  if (budget <= 0) return busy;
  STEWARD_ASSIGN_OR_RETURN(auto claims,
                           store_.ClaimDue(context_, campaign, options_.node, budget, now));
  *capacity -= static_cast<int>(claims.size());
  const bool claimed = !claims.empty();
  for (auto& claim : claims) Dial(campaign, std::move(claim));
  return claimed || active > 0 ? busy : idle;
}

void CampaignRunner::Dial(const Campaign& campaign, Claim claim) {
  auto cached = unit_cache_.find(claim.unit_id);
  if (cached == unit_cache_.end()) {
    auto variables = units_ ? units_(claim.unit_id) : Result<Variables>(Variables{});
    cached = unit_cache_.emplace(claim.unit_id, variables ? *variables : Variables{}).first;
  }
  Variables variables = cached->second;
  for (const auto& [name, value] : campaign.fields) variables["campaign." + name] = value;
  // The first call of a campaign in a unit: the channel renders what these calls will say.
  if (prepared_.insert({campaign.id, claim.unit_id}).second) {
    channel_.Prepare(PromptPieces(campaign.script, variables));
  }
  variables["address"] = claim.address;
  const Id call_id = claim.attempt_id;
  ActiveCall& call = active_[call_id];
  call.claim = std::move(claim);
  call.campaign = campaign;
  ++active_by_campaign_[campaign.id];
  call.driver = std::make_unique<CallDriver>(
      call_id, call.campaign.script, std::move(variables), channel_, timers_,
      CallDriver::Hooks{
          [this, call_id](const Answer& answer) -> Status {
            auto it = active_.find(call_id);
            if (it == active_.end()) return Ok();
            return store_.CommitAnswer(context_, it->second.claim, answer);
          },
          [this, call_id](CallDriver& driver) { Ended(call_id, driver.session().result()); }});
  if (auto dialled = call.driver->Start(call.claim.phone, campaign.policy.ring_timeout_s * 1000);
      !dialled) {
    CallResult failed;
    failed.outcome = Outcome::kFailedRetryable;
    failed.ended_at_ms = timers_.clock().NowMillis();
    Ended(call_id, failed);
  }
}

void CampaignRunner::Ended(Id call_id, const CallResult& result) {
  auto it = active_.find(call_id);
  if (it == active_.end()) return;
  const int64_t now = timers_.clock().NowMillis();
  if (auto status =
          store_.FinishAttempt(context_, it->second.campaign, it->second.claim, result, now);
      !status) {
    // The attempt stays open in the database; Recover ends it at the next start.
    last_error_ = status.error();
    spdlog::warn("campaign {}: {}", it->second.campaign.id, status.error().ToString());
  }
  --active_by_campaign_[it->second.campaign.id];
  // The driver is inside its own callback: destroy it once that has returned.
  it->second.claim.phone.clear();
  timers_.After(0, [this, call_id] { active_.erase(call_id); });
}

}  // namespace steward::campaign
