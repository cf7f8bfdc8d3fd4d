// CampaignService: the server's own campaign runner. `steward serve` starts one so campaigns
// started in the console are called while the server runs: a CampaignRunner on RealTimers (its
// own thread) with the simulator channel for `sim` campaigns and, when a phone line is attached
// (app/ attaches its SIP channel when a trunk is configured), a second one for `sip` campaigns on
// the same thread. Request handlers only write
// campaigns (start, pause, resume, cancel) and call Wake() so the runner looks at once instead of
// at its next idle tick. Several servers on one PostgreSQL each run one: they share the calls
// (CampaignStore::ClaimDue) without dialling anybody twice.
// Thread-safety: Start/Stop from the owner's thread; Wake from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "campaign/campaign_store.hpp"
#include "campaign/runner.hpp"
#include "campaign/schedule.hpp"
#include "campaign/simulator.hpp"
#include "campaign/timers.hpp"

namespace steward::campaign {

class CampaignService {
 public:
  struct Options {
    std::string node = "node-1";
    int max_calls = 1000;  // simulated calls at once on this node
    uint64_t seed = 1;     // the simulated residents' seed
    int64_t tick_ms = 1000;
    int64_t idle_tick_ms = 30'000;
  };

  CampaignService(storage::Database& database, const crypto::PiiVault& vault, IdGenerator& ids,
                  HolidayCalendar calendar, Options options);
  ~CampaignService();

  // Ends this node's calls left in flight by an earlier process (counted as attempts), then
  // starts placing calls.
  Status Start();
  void Stop();
  void Wake();

  // The timers' thread the runners live on: a phone line's channel hands its events here.
  Timers& timers() { return timers_; }
  // Before Start: calls campaigns on channel "sip" through `channel` (owned by the caller, which
  // must outlive Stop), up to `max_calls` at once.
  void AttachPhoneLine(Channel& channel, int max_calls);
  // Whether campaigns on `channel` ("sim", "sip") are called by this server.
  bool Calls(const std::string& channel) const {
    return channel == "sim" || (channel == "sip" && sip_runner_);
  }
  // Why this server places no call on `channel` now (CampaignRunner::Waiting); empty while it
  // dials, or when it does not call that channel. Any thread.
  std::string Waiting(const std::string& channel) const;

 private:
  HolidayCalendar calendar_;
  Options options_;
  storage::Database& database_;
  const crypto::PiiVault& vault_;
  RealTimers timers_;
  std::unique_ptr<CampaignStore> store_;
  std::unique_ptr<SimulatorChannel> channel_;
  std::unique_ptr<CampaignRunner> runner_;
  std::unique_ptr<CampaignRunner> sip_runner_;  // campaigns on the phone line, when attached
  std::atomic<bool> running_{false};
};

}  // namespace steward::campaign
