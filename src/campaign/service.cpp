#include "campaign/service.hpp"

#include <algorithm>
#include <future>

namespace steward::campaign {

CampaignService::CampaignService(storage::Database& database, const crypto::PiiVault& vault,
                                 IdGenerator& ids, HolidayCalendar calendar, Options options)
    : calendar_(std::move(calendar)),
      options_(std::move(options)),
      database_(database),
      vault_(vault),
      store_(std::make_unique<CampaignStore>(database, vault, ids, timers_.clock())),
      channel_(std::make_unique<SimulatorChannel>(timers_, options_.seed)) {
  channel_->SetPersonaMix(DefaultPersonaMix());
  runner_ = std::make_unique<CampaignRunner>(
      *store_, *channel_, timers_, calendar_, CampaignRunner::UnitsFrom(database, vault),
      CampaignRunner::Options{.node = options_.node,
                              .tick_ms = options_.tick_ms,
                              .max_calls = options_.max_calls,
                              .idle_tick_ms = options_.idle_tick_ms,
                              .channel = "sim"});
}

CampaignService::~CampaignService() { Stop(); }

void CampaignService::AttachPhoneLine(Channel& channel, int max_calls) {
  sip_runner_ = std::make_unique<CampaignRunner>(
      *store_, channel, timers_, calendar_, CampaignRunner::UnitsFrom(database_, vault_),
      CampaignRunner::Options{.node = options_.node,
                              .tick_ms = std::min<int64_t>(options_.tick_ms, 200),
                              .max_calls = max_calls,
                              .idle_tick_ms = options_.idle_tick_ms,
                              .channel = "sip"});
}

Status CampaignService::Start() {
  timers_.Start();
  std::promise<Status> started;
  auto result = started.get_future();
  timers_.After(0, [this, &started] {
    Status status = runner_->Start();
    if (status && sip_runner_) status = sip_runner_->Start();
    started.set_value(status);
  });
  Status status = result.get();
  if (!status) {
    timers_.Stop();
    return status;
  }
  running_ = true;
  return Ok();
}

void CampaignService::Stop() {
  if (!running_.exchange(false)) return;
  std::promise<void> stopped;
  auto done = stopped.get_future();
  timers_.After(0, [this, &stopped] {
    runner_->Stop();
    if (sip_runner_) sip_runner_->Stop();
    stopped.set_value();
  });
  done.wait();
  // Calls still in flight stay open in the database; the next Start ends them as attempts.
  timers_.Stop();
}

void CampaignService::Wake() {
  if (!running_) return;
  timers_.After(0, [this] {
    runner_->Wake();
    if (sip_runner_) sip_runner_->Wake();
  });
}

std::string CampaignService::Waiting(const std::string& channel) const {
  if (channel == "sip") return sip_runner_ ? sip_runner_->Waiting() : std::string();
  return channel == "sim" ? runner_->Waiting() : std::string();
}

}  // namespace steward::campaign
