// What follows a call and waits for a person: pending registry changes (a grid worker or social
// worker accepts or rejects each; an accepted one is written through registry::ResidentStore, so
// it enters the resident's history with source `call`) and door-visit tasks (closed when done).
// Nothing here writes the registry without a reviewer. A change decided already, or one whose
// resident changed since (kConflict from the store), is not applied.
// Thread-safety: stateless; the Database serialises writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "campaign/campaign_store.hpp"
#include "registry/resident.hpp"
#include "storage/database.hpp"

namespace steward::campaign {

struct PendingChange {
  Id id = 0;
  Id resident_id = 0;
  std::string field;         // residence_status | tag:<code> | phone
  std::string value;         // a status code | add | remove | a masked phone
  std::string value_sealed;  // phone: the number, sealed (never in JSON or logs)
  Id campaign_id = 0;
  Id attempt_id = 0;
  std::string state;  // pending | accepted | rejected
  int64_t version = 0;
  int64_t created_at = 0;
  std::string reviewed_by;
  std::string resident_name;
  std::string unit_name;  // the resident's unit
};

struct FollowUpTask {
  Id id = 0;
  Id campaign_id = 0;
  Id resident_id = 0;
  Id unit_id = 0;
  std::string kind;  // unreachable | refused | answer
  std::string detail;
  std::string state;  // open | done
  int64_t version = 0;
  int64_t created_at = 0;
  std::string resident_name;
  std::string unit_name;
};

nlohmann::json PendingChangeToJson(const PendingChange& change);
nlohmann::json FollowUpTaskToJson(const FollowUpTask& task);

// `state` empty: all. Newest first, at most `limit`; only residents inside `scope`.
Result<std::vector<PendingChange>> ListPendingChanges(storage::Connection& connection,
                                                      std::optional<Id> campaign_id,
                                                      const std::string& state, int limit,
                                                      const UnitScope& scope = {});
Result<std::vector<FollowUpTask>> ListTasks(storage::Connection& connection,
                                            std::optional<Id> campaign_id, const std::string& state,
                                            int limit, const UnitScope& scope = {});

// Accepts: applies the change to the resident (written by `context.actor`, source call) and marks
// it accepted, in one transaction. kConflict when it is not pending; kInvalidArgument for a field
// the registry does not take this way. A change or task of a resident outside `scope` is
// kNotFound, as if it did not exist.
Result<PendingChange> AcceptChange(storage::Database& database, registry::ResidentStore& residents,
                                   const storage::WriteContext& context, Id change_id,
                                   const Clock& clock, const UnitScope& scope = {});
Result<PendingChange> RejectChange(storage::Database& database,
                                   const storage::WriteContext& context, Id change_id,
                                   const Clock& clock, const UnitScope& scope = {});
// Marks a door-visit task done: the grid worker visited, so the resident's last visit
// (resident_visit, read by the segment model's visited_within) is now.
Result<FollowUpTask> CloseTask(storage::Database& database, const storage::WriteContext& context,
                               Id task_id, const Clock& clock, const UnitScope& scope = {});

}  // namespace steward::campaign
