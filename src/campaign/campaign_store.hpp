// CampaignStore: campaigns (外呼任务) in the database — creating one, snapshotting its audience,
// its state, and everything a call writes: the attempt before it is dialled, each answer, the end
// with its retry decision, do-not-call entries, door-visit tasks, pending registry changes and
// the residents' last contact. See the tables in storage/migrations/0010_campaign.sql.
//
// Invariants: every targeted resident has one campaign_target row per round, ending `done` with
// one final outcome; an attempt row exists before its call is dialled and counts towards the
// caps and max_attempts even when the process dies mid-call (Recover ends it as
// failed_retryable at the node's restart, TakeOver on another node once the dead node's
// heartbeat is older than the lease); a target is claimed by one node at a time (PostgreSQL: FOR
// UPDATE SKIP LOCKED; SQLite: the single writer). Nothing here writes the registry itself: proposed
// changes wait in pending_change for review. Thread-safety: stateless apart from the references it
// holds; the Database serialises writes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "campaign/policy.hpp"
#include "campaign/schedule.hpp"
#include "campaign/script.hpp"
#include "campaign/session.hpp"
#include "crypto/pii_vault.hpp"
#include "storage/database.hpp"

namespace steward::campaign {

enum class CampaignState { kDraft, kRunning, kPaused, kCompleted, kCancelled };
std::string_view CampaignStateName(CampaignState state);
std::optional<CampaignState> ParseCampaignState(std::string_view name);

struct NewCampaign {
  std::string name;
  Script script;
  int64_t script_version = 0;  // the library's version; 0: a built-in template or an unsaved script
  std::string segment_query;   // canonical text
  std::optional<Id> segment_id;
  std::optional<int64_t> segment_version;
  std::map<std::string, std::string> fields;  // campaign field values
  Schedule schedule;
  Policy policy;
  std::string channel = "sim";
  int priority = 0;
};

struct Campaign {
  Id id = 0;
  std::string name;
  std::string script_name;
  int64_t script_version = 0;
  Script script;
  std::string segment_query;
  std::optional<Id> segment_id;
  std::optional<int64_t> segment_version;
  std::map<std::string, std::string> fields;
  Schedule schedule;
  Policy policy;
  std::string channel;
  CampaignState state = CampaignState::kDraft;
  int priority = 0;
  int64_t targeted = 0;
  int current_round = 0;
  int64_t version = 0;
  std::string created_by;
  int64_t created_at = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

nlohmann::json CampaignToJson(const Campaign& campaign);

// The rows a caller may see: a condition on the column `u.path` (the org_unit of the resident's
// unit), as auth::DataScope::Sql("u.path") gives it. Empty sql: every row (the CLI).
struct UnitScope {
  std::string sql;
  std::vector<storage::Value> params;
};

// A target claimed for one attempt: what the runner needs to dial it.
struct Claim {
  Id campaign_id = 0;
  int round = 0;
  Id resident_id = 0;
  Id attempt_id = 0;  // also the call id given to the channel
  int attempt = 0;
  Id unit_id = 0;
  std::string address;
  std::string phone;  // unsealed, for the channel only; never logged
};

// Counts for `campaign status` and the funnel view.
struct Funnel {
  int64_t targeted = 0;
  int64_t dialled = 0;    // at least one attempt
  int64_t answered = 0;   // at least one answered attempt
  int64_t completed = 0;  // final answered_completed
  int64_t done = 0;       // with a final outcome
  int64_t attempts = 0;
  std::map<std::string, int64_t> outcomes;                        // final outcomes
  std::map<std::string, std::map<std::string, int64_t>> answers;  // slot -> value -> count
  struct ByUnit {
    std::string name;
    int64_t targeted = 0, dialled = 0, answered = 0, completed = 0;
  };
  std::map<Id, ByUnit> by_community;
  std::map<Id, ByUnit> by_grid;
};

nlohmann::json FunnelToJson(const Funnel& funnel);

class CampaignStore {
 public:
  CampaignStore(storage::Database& database, const crypto::PiiVault& vault, IdGenerator& ids,
                const Clock& clock)
      : database_(database), vault_(vault), ids_(ids), clock_(clock) {}

  // A draft. kInvalidArgument when the script has errors (CheckScript) or names a campaign
  // field the campaign does not fill, or the channel is unknown.
  Result<Campaign> Create(const storage::WriteContext& context, const NewCampaign& campaign);
  // Snapshots `residents` (the segment's selection, in the caller's scope) as round 0 and sets
  // the campaign running, in one transaction: a crash leaves it a draft with no targets. Those
  // without a phone, on the do-not-call list, or sharing a phone with an earlier one are done at
  // once (no_phone, on_do_not_call_list, duplicate_phone). kConflict unless it is a draft.
  Result<Campaign> Start(const storage::WriteContext& context, Id campaign_id,
                         const std::vector<Id>& residents, const Date& today);
  Result<Campaign> Get(Id campaign_id);
  Result<std::vector<Campaign>> List(std::optional<CampaignState> state);
  // pause: running → paused; resume: paused → running; cancel: draft/running/paused → cancelled
  // (targets not done end as `cancelled`). kConflict for any other transition.
  Result<Campaign> Pause(const storage::WriteContext& context, Id campaign_id);
  Result<Campaign> Resume(const storage::WriteContext& context, Id campaign_id);
  Result<Campaign> Cancel(const storage::WriteContext& context, Id campaign_id);

  // Starts the rounds that are due at `now` (copying round 0's audience) and ends the earlier
  // rounds' unreached targets as `expired`; at or past the schedule's end, expires everything
  // left. Completes the campaign when every target is done and none is in a call.
  Status Advance(const storage::WriteContext& context, const Campaign& campaign, int64_t now);

  // Claims up to `limit` targets due at `now` for one attempt each, persisting the attempts
  // (the caller dials only what this returns). Targets capped for now move to the next day or
  // week (or end `capped` past the campaign's end); newly opted-out phones end
  // `on_do_not_call_list`.
  Result<std::vector<Claim>> ClaimDue(const storage::WriteContext& context,
                                      const Campaign& campaign, const std::string& node, int limit,
                                      int64_t now);
  Status CommitAnswer(const storage::WriteContext& context, const Claim& claim,
                      const Answer& answer);
  // Records how the attempt ended and what follows: a retry or the final outcome, do-not-call,
  // tasks, pending changes, last contact.
  Status FinishAttempt(const storage::WriteContext& context, const Campaign& campaign,
                       const Claim& claim, const CallResult& result, int64_t now);
  // Ends this node's attempts still in flight (a crash) as failed_retryable. Returns how many.
  Result<int64_t> Recover(const storage::WriteContext& context, const std::string& node,
                          int64_t now);
  // Records that `node` is alive (campaign_node.seen_at = now).
  Status Heartbeat(const std::string& node, int64_t now);
  // Ends, as Recover does, the attempts in flight of other nodes whose heartbeat is older than
  // `lease_ms` (a node that died and did not come back). Safe to run on several nodes at once:
  // an attempt is ended once. Returns how many.
  Result<int64_t> TakeOver(const storage::WriteContext& context, const std::string& node,
                           int64_t now, int64_t lease_ms);

  // The funnel of the targets inside `scope` (their units' paths; empty: all of them).
  Result<Funnel> ComputeFunnel(Id campaign_id, const UnitScope& scope = {});
  // The counts alone (targeted, dialled, answered, completed, done, attempts) of every campaign,
  // inside `scope`, in three queries: for lists, where a funnel per campaign would cost N.
  Result<std::map<Id, Funnel>> CountFunnels(const UnitScope& scope = {});

 private:
  // Ends the attempts `sql` selects (id, campaign_id, resident_id, round, attempt) as
  // failed_retryable, each through FinishAttempt.
  Result<int64_t> EndInFlight(const storage::WriteContext& context, const std::string& sql,
                              std::vector<storage::Value> params, int64_t now);
  Status Transition(const storage::WriteContext& context, Id campaign_id,
                    std::initializer_list<CampaignState> from, CampaignState to);

  storage::Database& database_;
  const crypto::PiiVault& vault_;
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::campaign

namespace steward::campaign {

// The variables every call to a resident of `unit_id` shares: street, community and grid names,
// the grid worker's name and phone (unsealed: for the prompt only).
Result<Variables> UnitVariables(storage::Connection& connection, const crypto::PiiVault& vault,
                                Id unit_id);

}  // namespace steward::campaign
