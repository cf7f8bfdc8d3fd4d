// What the live monitor and the calls list show of a campaign: its targets counted by state, the
// calls in progress and the latest results, read from the tables any node writes (so every server
// shows the same picture, whichever node places the calls).
// Thread-safety: stateless.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/id.hpp"
#include "base/result.hpp"
#include "campaign/campaign_store.hpp"
#include "storage/connection.hpp"

namespace steward::campaign {

// One call attempt. No phone number: the monitor never shows one.
struct CallRecord {
  Id id = 0;
  Id resident_id = 0;
  std::string resident_name;
  std::string unit_name;
  std::string address;  // the form of address the call used: 王阿姨
  int round = 0;
  int attempt = 0;
  std::string node;
  int64_t started_at = 0;
  int64_t answered_at = 0;  // 0: not answered (yet)
  int64_t ended_at = 0;     // 0: in flight
  std::string outcome;      // empty while in flight
  std::string recording;    // the recording's file name (empty: none)
};

nlohmann::json CallRecordToJson(const CallRecord& call);

struct CallFilter {
  bool in_flight_only = false;
  int limit = 50;
  int64_t before_id = 0;  // paging: only attempts with a smaller id (0: from the newest)
  Id call_id = 0;         // only this attempt (0: any)
};

// Newest first; only residents whose unit at the start lies inside `scope`.
Result<std::vector<CallRecord>> ListCalls(storage::Connection& connection, Id campaign_id,
                                          const CallFilter& filter, const UnitScope& scope = {});

// Targets by state (pending, retry, in_call, done) over every round, inside `scope`; every state
// present.
using TargetStates = std::map<std::string, int64_t>;
Result<TargetStates> CountTargetStates(storage::Connection& connection, Id campaign_id,
                                       const UnitScope& scope = {});
// The same for every campaign at once (one query), for lists.
Result<std::map<Id, TargetStates>> CountAllTargetStates(storage::Connection& connection,
                                                        const UnitScope& scope = {});

}  // namespace steward::campaign
