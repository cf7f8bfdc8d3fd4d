#include "campaign/review.hpp"

#include <algorithm>

#include "registry/phone.hpp"

namespace steward::campaign {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::RowView;
using storage::Value;
using storage::WriteTransaction;

constexpr const char* kChangeColumns =
    "SELECT c.id, c.resident_id, c.field, c.value, c.campaign_id, c.attempt_id, c.state, "
    "c.version, c.created_at, c.reviewed_by, r.name, u.name, c.value_sealed FROM pending_change c "
    "JOIN resident r "
    "ON r.id = c.resident_id JOIN org_unit u ON u.id = r.unit_id ";
constexpr const char* kTaskColumns =
    "SELECT c.id, c.campaign_id, c.resident_id, c.unit_id, c.kind, c.detail, c.state, c.version, "
    "c.created_at, r.name, u.name FROM follow_up_task c JOIN resident r ON r.id = c.resident_id "
    "JOIN org_unit u ON u.id = c.unit_id ";

PendingChange ChangeFromRow(const RowView& row) {
  return {row.Int(0),
          row.Int(1),
          std::string(row.Text(2)),
          std::string(row.Text(3)),
          row.IsNull(12) ? "" : std::string(row.Text(12)),
          row.IsNull(4) ? 0 : row.Int(4),
          row.IsNull(5) ? 0 : row.Int(5),
          std::string(row.Text(6)),
          row.Int(7),
          row.Int(8),
          row.IsNull(9) ? "" : std::string(row.Text(9)),
          std::string(row.Text(10)),
          std::string(row.Text(11))};
}

FollowUpTask TaskFromRow(const RowView& row) {
  return {row.Int(0),
          row.IsNull(1) ? 0 : row.Int(1),
          row.Int(2),
          row.Int(3),
          std::string(row.Text(4)),
          std::string(row.Text(5)),
          std::string(row.Text(6)),
          row.Int(7),
          row.Int(8),
          std::string(row.Text(9)),
          std::string(row.Text(10))};
}

void AddScope(const UnitScope& scope, std::string& where, std::vector<Value>& params) {
  if (scope.sql.empty()) return;
  where += " AND " + scope.sql;
  params.insert(params.end(), scope.params.begin(), scope.params.end());
}

std::string Filter(std::optional<Id> campaign_id, const std::string& state, const UnitScope& scope,
                   std::vector<Value>& params) {
  std::string where = "WHERE 1 = 1";
  if (campaign_id) {
    where += " AND c.campaign_id = ?";
    params.emplace_back(*campaign_id);
  }
  if (!state.empty()) {
    where += " AND c.state = ?";
    params.emplace_back(state);
  }
  AddScope(scope, where, params);
  return where;
}

Result<PendingChange> FindChange(storage::Connection& connection, Id id,
                                 const UnitScope& scope = {}) {
  std::optional<PendingChange> found;
  std::vector<Value> params{id};
  std::string where = "WHERE c.id = ?";
  AddScope(scope, where, params);
  STEWARD_TRY(connection.QueryEach(std::string(kChangeColumns) + where, params,
                                   [&](const RowView& row) { found = ChangeFromRow(row); }));
  if (!found) {
    return Fail(ErrorCode::kNotFound, "没有编号为 " + std::to_string(id) +
                                          " 的待审核变更 / no pending change " +
                                          std::to_string(id));
  }
  return *found;
}

Status Decide(WriteTransaction& transaction, const PendingChange& change, const char* state,
              int64_t now) {
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      transaction.connection().Execute(
          "UPDATE pending_change SET state = ?, reviewed_by = ?, reviewed_at = ?, version = "
          "version + 1 WHERE id = ? AND version = ? AND state = 'pending'",
          std::vector<Value>{state, transaction.context().actor, now, change.id, change.version}));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "该变更已审核过 / the change was already decided");
  }
  transaction.RecordChange(ChangeRecord{"pending_change",
                                        change.id,
                                        change.version + 1,
                                        ChangeOp::kUpdate,
                                        {{"state", {{"old", "pending"}, {"new", state}}}}});
  return Ok();
}

}  // namespace

nlohmann::json PendingChangeToJson(const PendingChange& change) {
  return {{"id", std::to_string(change.id)},
          {"resident_id", std::to_string(change.resident_id)},
          {"field", change.field},
          {"value", change.value},
          {"campaign_id", std::to_string(change.campaign_id)},
          {"attempt_id", std::to_string(change.attempt_id)},
          {"source", "call"},
          {"state", change.state},
          {"version", change.version},
          {"created_at", FormatIsoMillis(change.created_at)},
          {"reviewed_by", change.reviewed_by},
          {"resident_name", change.resident_name},
          {"unit_name", change.unit_name}};
}

nlohmann::json FollowUpTaskToJson(const FollowUpTask& task) {
  return {{"id", std::to_string(task.id)},
          {"campaign_id", std::to_string(task.campaign_id)},
          {"resident_id", std::to_string(task.resident_id)},
          {"unit_id", std::to_string(task.unit_id)},
          {"kind", task.kind},
          {"detail", task.detail},
          {"state", task.state},
          {"version", task.version},
          {"created_at", FormatIsoMillis(task.created_at)},
          {"resident_name", task.resident_name},
          {"unit_name", task.unit_name}};
}

Result<std::vector<PendingChange>> ListPendingChanges(storage::Connection& connection,
                                                      std::optional<Id> campaign_id,
                                                      const std::string& state, int limit,
                                                      const UnitScope& scope) {
  std::vector<Value> params;
  const std::string where = Filter(campaign_id, state, scope, params);
  params.emplace_back(int64_t{limit});
  std::vector<PendingChange> changes;
  STEWARD_TRY(connection.QueryEach(
      std::string(kChangeColumns) + where + " ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
      params, [&](const RowView& row) { changes.push_back(ChangeFromRow(row)); }));
  return changes;
}

Result<std::vector<FollowUpTask>> ListTasks(storage::Connection& connection,
                                            std::optional<Id> campaign_id, const std::string& state,
                                            int limit, const UnitScope& scope) {
  std::vector<Value> params;
  const std::string where = Filter(campaign_id, state, scope, params);
  params.emplace_back(int64_t{limit});
  std::vector<FollowUpTask> tasks;
  STEWARD_TRY(connection.QueryEach(
      std::string(kTaskColumns) + where + " ORDER BY c.created_at DESC, c.id DESC LIMIT ?", params,
      [&](const RowView& row) { tasks.push_back(TaskFromRow(row)); }));
  return tasks;
}

Result<PendingChange> AcceptChange(storage::Database& database, registry::ResidentStore& residents,
                                   const storage::WriteContext& context, Id change_id,
                                   const Clock& clock, const UnitScope& scope) {
  storage::WriteContext from_call = context;
  from_call.source = storage::Source::kCall;  // the registry history names the call as the source
  STEWARD_TRY(database.Write(from_call, [&](WriteTransaction& transaction) -> Status {
    auto& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(PendingChange change, FindChange(connection, change_id, scope));
    if (change.state != "pending") {
      return Fail(ErrorCode::kConflict, "该变更已审核过 / the change was already decided");
    }
    STEWARD_ASSIGN_OR_RETURN(registry::Resident resident,
                             residents.Get(connection, change.resident_id));
    registry::ResidentPatch patch;
    if (change.field == "residence_status") {
      registry::ResidenceStatus status;
      if (!registry::ParseResidenceStatus(change.value, &status)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "人户状态值有误 / bad residence status: " + change.value);
      }
      patch.residence_status = status;
    } else if (change.field.rfind("tag:", 0) == 0 &&
               (change.value == "add" || change.value == "remove")) {
      const std::string code = change.field.substr(4);
      std::vector<std::string> tags = resident.tags;
      tags.erase(std::remove(tags.begin(), tags.end(), code), tags.end());
      if (change.value == "add") tags.push_back(code);
      patch.tags = tags;
    } else if (change.field == "phone" && !change.value_sealed.empty()) {
      // The new number becomes the resident's first phone; the others stay.
      STEWARD_ASSIGN_OR_RETURN(
          std::string plain,
          residents.RevealPhone({registry::PhoneKind::kMobile, change.value, change.value_sealed}));
      STEWARD_ASSIGN_OR_RETURN(registry::PhoneInfo fresh, registry::NormalizePhone(plain));
      std::vector<registry::PhoneInfo> phones{fresh};
      for (size_t i = 1; i < resident.phones.size(); ++i) {
        STEWARD_ASSIGN_OR_RETURN(std::string other, residents.RevealPhone(resident.phones[i]));
        STEWARD_ASSIGN_OR_RETURN(registry::PhoneInfo kept, registry::NormalizePhone(other));
        if (kept.normalized != fresh.normalized) phones.push_back(kept);
      }
      patch.phones = std::move(phones);
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "不支持的变更字段 / the registry takes no change of " + change.field);
    }
    STEWARD_TRY(residents.Update(transaction, resident.id, resident.version, patch));
    return Decide(transaction, change, "accepted", clock.NowMillis());
  }));
  return database.Read(
      [&](storage::Connection& connection) { return FindChange(connection, change_id); });
}

Result<PendingChange> RejectChange(storage::Database& database,
                                   const storage::WriteContext& context, Id change_id,
                                   const Clock& clock, const UnitScope& scope) {
  STEWARD_TRY(database.Write(context, [&](WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(PendingChange change,
                             FindChange(transaction.connection(), change_id, scope));
    if (change.state != "pending") {
      return Fail(ErrorCode::kConflict, "该变更已审核过 / the change was already decided");
    }
    return Decide(transaction, change, "rejected", clock.NowMillis());
  }));
  return database.Read(
      [&](storage::Connection& connection) { return FindChange(connection, change_id); });
}

Result<FollowUpTask> CloseTask(storage::Database& database, const storage::WriteContext& context,
                               Id task_id, const Clock& clock, const UnitScope& scope) {
  auto find = [&](storage::Connection& connection) -> Result<FollowUpTask> {
    std::optional<FollowUpTask> found;
    std::vector<Value> params{task_id};
    std::string where = "WHERE c.id = ?";
    AddScope(scope, where, params);
    STEWARD_TRY(connection.QueryEach(std::string(kTaskColumns) + where, params,
                                     [&](const RowView& row) { found = TaskFromRow(row); }));
    if (!found) {
      return Fail(ErrorCode::kNotFound, "没有编号为 " + std::to_string(task_id) +
                                            " 的上门任务 / no task " + std::to_string(task_id));
    }
    return *found;
  };
  STEWARD_TRY(database.Write(context, [&](WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(FollowUpTask task, find(transaction.connection()));
    if (task.state != "open") {
      return Fail(ErrorCode::kConflict, "该任务已完成 / the task is already done");
    }
    STEWARD_TRY(transaction.connection().Execute(
        "UPDATE follow_up_task SET state = 'done', closed_by = ?, closed_at = ?, version = "
        "version + 1 WHERE id = ? AND version = ?",
        std::vector<Value>{transaction.context().actor, clock.NowMillis(), task.id, task.version}));
    transaction.RecordChange(ChangeRecord{"follow_up_task",
                                          task.id,
                                          task.version + 1,
                                          ChangeOp::kUpdate,
                                          {{"state", {{"old", "open"}, {"new", "done"}}}}});
    // A task done is a door visit: the resident's last visit, for visited_within.
    const int64_t now = clock.NowMillis();
    int64_t version = 0;
    STEWARD_TRY(transaction.connection().QueryEach(
        "SELECT version FROM resident_visit WHERE resident_id = ?",
        std::vector<Value>{task.resident_id}, [&](const RowView& row) { version = row.Int(0); }));
    STEWARD_TRY(transaction.connection().Execute(
        "INSERT INTO resident_visit (resident_id, last_visited_at, version) VALUES (?, ?, 1) ON "
        "CONFLICT (resident_id) DO UPDATE SET last_visited_at = excluded.last_visited_at, "
        "version = resident_visit.version + 1",
        std::vector<Value>{task.resident_id, now}));
    transaction.RecordChange(ChangeRecord{"resident_visit",
                                          task.resident_id,
                                          version + 1,
                                          version == 0 ? ChangeOp::kCreate : ChangeOp::kUpdate,
                                          {{"last_visited_at", now}, {"task_id", task.id}}});
    return Ok();
  }));
  return database.Read(find);
}

}  // namespace steward::campaign
