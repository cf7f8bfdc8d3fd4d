// CampaignRunner: places a node's share of the running campaigns' calls, on Timers.
//
// Every tick (a second by default) it advances each running campaign (rounds, end, completion),
// and, inside the calling windows, claims due targets and dials them: at most the campaign's
// max_concurrent calls at once and max_calls_per_second new calls a second, campaigns of higher
// priority first within the node's own limit (`max_calls`). Each call runs in a CallDriver whose
// answers are committed (CampaignStore::CommitAnswer) before the next prompt, and whose end is
// recorded (FinishAttempt) before the next tick can claim the target again. Start() first ends
// the attempts this node left in flight (a crash) as failed_retryable. Every lease / 4 a tick
// records the node's heartbeat and ends the calls in flight of nodes not seen within the lease
// (a node that died and stayed down), so their residents are called again within policy.
// Before a campaign's first call the channel is given its prompt pieces (Channel::Prepare; again
// at its first call in each unit, with the unit's names), and nothing is dialled while the
// channel is NotReady (a TTS rendering them, or failing), so no attempt is spent on silence.
// Threads: everything runs on the thread that runs `timers` (the channel's thread).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "campaign/call_driver.hpp"
#include "campaign/campaign_store.hpp"
#include "campaign/channel.hpp"
#include "campaign/schedule.hpp"
#include "campaign/timers.hpp"

namespace steward::campaign {

class CampaignRunner {
 public:
  struct Options {
    std::string node = "node-1";
    int64_t tick_ms = 1000;
    int max_calls = 5000;           // this node's channel capacity over all campaigns
    int64_t idle_tick_ms = 30'000;  // between ticks while nothing is due or in a call
    // A node not seen for this long is taken for dead: its calls in flight are ended as
    // failed_retryable by the nodes still running. Heartbeats come every lease / 4.
    int64_t lease_ms = 120'000;
    std::string channel;  // only campaigns on this channel (sim | sip); empty: all
  };
  // Looks up the variables of a resident's unit (UnitsFrom, in practice).
  using UnitLookup = std::function<Result<Variables>(Id unit_id)>;
  // UnitVariables read from `database` (both must outlive the runner).
  static UnitLookup UnitsFrom(storage::Database& database, const crypto::PiiVault& vault);

  CampaignRunner(CampaignStore& store, Channel& channel, Timers& timers,
                 const HolidayCalendar& calendar, UnitLookup units, Options options);
  ~CampaignRunner();

  // Recovers this node's interrupted attempts, then ticks until Stop.
  Status Start();
  void Stop();
  // Ticks now (a campaign was started or resumed): on the timers' thread, after Start.
  void Wake();

  size_t active_calls() const { return active_.size(); }
  // The last error a tick met (a database that went away); ticks go on.
  const std::optional<Error>& last_error() const { return last_error_; }
  // Why no call is being placed although campaigns are due: the channel's NotReady reason at the
  // last tick (its voice failing, prompts being rendered); empty while it dials. Any thread.
  std::string Waiting() const;

 private:
  struct ActiveCall {
    Claim claim;
    Campaign campaign;
    std::unique_ptr<CallDriver> driver;
  };

  void Tick();
  void Keepalive(int64_t now);
  // Returns when this campaign next needs a tick.
  Result<int64_t> RunCampaign(Campaign& campaign, int64_t now, int* capacity);
  void Dial(const Campaign& campaign, Claim claim);
  void Ended(Id call_id, const CallResult& result);

  CampaignStore& store_;
  Channel& channel_;
  Timers& timers_;
  const HolidayCalendar& calendar_;
  UnitLookup units_;
  Options options_;
  storage::WriteContext context_{"system:campaign", storage::Source::kCall};
  std::unordered_map<Id, ActiveCall> active_;
  std::map<Id, int> active_by_campaign_;
  std::unordered_map<Id, Variables> unit_cache_;
  std::set<std::pair<Id, Id>> prepared_;  // (campaign, unit) whose prompts were prepared
  std::set<Id> prepared_campaigns_;       // campaigns whose fixed prompts were prepared
  int64_t next_not_ready_log_ = 0;        // the channel's NotReady is logged once a minute
  std::string tick_waiting_;              // the NotReady reason this tick met (timers' thread)
  mutable std::mutex waiting_mutex_;
  std::string waiting_;  // the last tick's, for Waiting(); guarded by waiting_mutex_
  Timers::TimerId tick_ = 0;
  int64_t next_heartbeat_ = 0;
  bool running_ = false;
  std::optional<Error> last_error_;
};

}  // namespace steward::campaign
