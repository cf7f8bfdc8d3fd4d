#include "registry/import_undo.hpp"

#include <algorithm>
#include <set>
#include <span>
#include <string>

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::Value;
using storage::WriteTransaction;

// The resident's columns an update may change, in this order in a snapshot; the integer ones
// are marked. Personal columns (sealed, hash, masked) are restored as stored.
struct Column {
  const char* name;
  bool integer;
};
constexpr Column kResidentColumns[] = {
    {"household_id", true},
    {"unit_id", true},
    {"name", false},
    {"gender", false},
    {"birth_date", false},
    {"ethnicity", false},
    {"id_number_sealed", false},
    {"id_number_hash", false},
    {"id_number_masked", false},
    {"hukou_address", false},
    {"residence_status", false},
    {"relation_to_head", false},
    {"notes", false},
    {"deleted_at", true},
    {"deleted_reason", false},
};
constexpr int kResidentColumnCount = sizeof kResidentColumns / sizeof kResidentColumns[0];

// Columns that never go into the change log as they are: the history keeps the sealed ID number
// under "id_number" and nothing of the hash or the masked form.
bool IsPersonal(std::string_view column) {
  return column == "id_number_hash" || column == "id_number_masked";
}

std::string ResidentSelect() {
  std::string sql = "SELECT ";
  for (int i = 0; i < kResidentColumnCount; ++i) {
    sql += std::string(i ? ", " : "") + kResidentColumns[i].name;
  }
  return sql + ", version FROM resident WHERE id = ?";
}

nlohmann::json CellJson(const storage::Rows& rows, size_t row, size_t column, bool integer) {
  if (rows.IsNull(row, column)) return nullptr;
  if (integer) return rows.Int(row, column);
  return rows.Text(row, column);
}

Value JsonValue(const nlohmann::json& value) {
  if (value.is_null()) return Value(nullptr);
  if (value.is_number_integer()) return Value(value.get<int64_t>());
  return Value(value.get<std::string>());
}

std::string IdList(std::span<const Id> ids) {
  std::string list;
  for (Id id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return list;
}

const storage::WriteContext kRollbackContext{"system:import_rollback", storage::Source::kImport};

// Undoes one step inside `transaction`. `restored` maps residents restored by this rollback to
// their version now, so a resident the import created and then updated is still recognised as
// the import's own.
class StepUndoer {
 public:
  StepUndoer(WriteTransaction& transaction, const Clock& clock, Id job_id,
             std::map<Id, int64_t>& restored, RollbackReport& report)
      : transaction_(transaction),
        connection_(transaction.connection()),
        clock_(clock),
        job_id_(job_id),
        restored_(restored),
        report_(report) {}

  Status Undo(std::string_view kind, const nlohmann::json& data) {
    if (kind == "heads_set") return ClearHeads(data);
    if (kind == "created_residents") return RemoveResidents(data.get<std::vector<Id>>());
    if (kind == "residents_before") return RestoreResidents(data);
    if (kind == "created_households") return RemoveHouseholds(data.get<std::vector<Id>>());
    return Fail(ErrorCode::kInternal, "unknown import undo step: " + std::string(kind));
  }

 private:
  nlohmann::json Because() const { return {{"undone_import", job_id_}}; }

  Status ClearHeads(const nlohmann::json& pairs) {
    for (const auto& pair : pairs) {
      const Id household = pair.at(0).get<Id>();
      const Id resident = pair.at(1).get<Id>();
      STEWARD_ASSIGN_OR_RETURN(
          int64_t changed,
          connection_.Execute(
              "UPDATE household SET head_resident_id = NULL, version = version + 1, "
              "updated_at = ? WHERE id = ? AND head_resident_id = ?",
              {clock_.NowMillis(), household, resident}));
      if (changed != 1) {
        ++report_.kept;
        continue;
      }
      STEWARD_ASSIGN_OR_RETURN(
          auto version,
          connection_.QueryInt("SELECT version FROM household WHERE id = ?", {household}));
      transaction_.RecordChange(ChangeRecord{
          "household",
          household,
          version.value_or(0),
          ChangeOp::kUpdate,
          {{"head_resident_id", {{"old", resident}, {"new", nullptr}}}, {"reason", Because()}}});
      ++report_.heads_cleared;
    }
    return Ok();
  }

  Status RemoveResidents(const std::vector<Id>& ids) {
    if (ids.empty()) return Ok();
    std::vector<Id> removable;
    STEWARD_ASSIGN_OR_RETURN(
        auto found,
        connection_.Query("SELECT id, version FROM resident WHERE id IN (" + IdList(ids) + ")"));
    for (size_t i = 0; i < found.size(); ++i) {
      const Id id = found.Int(i, 0);
      const auto restored = restored_.find(id);
      const int64_t ours = restored == restored_.end() ? 1 : restored->second;
      if (found.Int(i, 1) == ours) removable.push_back(id);
    }
    // Still a household's head (set by someone else): keep.
    if (!removable.empty()) {
      STEWARD_ASSIGN_OR_RETURN(auto heads,
                               connection_.Query("SELECT head_resident_id FROM household WHERE "
                                                 "head_resident_id IN (" +
                                                 IdList(removable) + ")"));
      std::set<Id> head_ids;
      for (size_t i = 0; i < heads.size(); ++i) head_ids.insert(heads.Int(i, 0));
      std::erase_if(removable, [&](Id id) { return head_ids.contains(id); });
    }
    report_.kept += static_cast<int64_t>(ids.size() - removable.size());
    if (removable.empty()) return Ok();
    const std::string list = IdList(removable);
    for (const char* table : {"resident_review", "resident_tag", "resident_phone"}) {
      STEWARD_TRY(connection_.Execute(std::string("DELETE FROM ") + table +
                                      " WHERE resident_id IN (" + list + ")"));
    }
    STEWARD_TRY(connection_.Execute("DELETE FROM resident WHERE id IN (" + list + ")"));
    for (Id id : removable) {
      transaction_.RecordChange(
          ChangeRecord{"resident", id, 0, ChangeOp::kDelete, {{"reason", Because()}}});
    }
    report_.residents_removed += static_cast<int64_t>(removable.size());
    return Ok();
  }

  Status RestoreResidents(const nlohmann::json& entries) {
    // Reverse: a resident updated twice by the import goes back to its first snapshot.
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
      STEWARD_TRY(RestoreResident((*entry).at("id").get<Id>(),
                                  (*entry).at("version_after").get<int64_t>(),
                                  (*entry).at("before")));
    }
    return Ok();
  }

  Status RestoreResident(Id id, int64_t version_after, const nlohmann::json& before) {
    STEWARD_ASSIGN_OR_RETURN(auto current, connection_.Query(ResidentSelect(), {id}));
    if (current.empty() || current.Int(0, kResidentColumnCount) != version_after) {
      ++report_.kept;
      return Ok();
    }
    const auto& columns = before.at("resident");
    // Someone else took the ID number meanwhile: the old row cannot have it back.
    const auto& old_hash = columns.at("id_number_hash");
    if (!old_hash.is_null()) {
      STEWARD_ASSIGN_OR_RETURN(
          auto taken, connection_.QueryInt("SELECT id FROM resident WHERE id_number_hash = ? AND "
                                           "id <> ? AND deleted_at IS NULL",
                                           {old_hash.get<std::string>(), id}));
      if (taken) {
        ++report_.kept;
        return Ok();
      }
    }
    nlohmann::json fields = {{"reason", Because()}};
    std::string sql = "UPDATE resident SET ";
    std::vector<Value> params;
    for (int i = 0; i < kResidentColumnCount; ++i) {
      const Column& column = kResidentColumns[i];
      const nlohmann::json now = CellJson(current, 0, i, column.integer);
      const nlohmann::json& then = columns.at(column.name);
      sql += std::string(column.name) + " = ?, ";
      params.push_back(JsonValue(then));
      if (now == then || IsPersonal(column.name)) continue;
      const std::string key = column.name == std::string_view("id_number_sealed")
                                  ? std::string("id_number")
                                  : std::string(column.name);
      fields[key] = {{"old", now}, {"new", then}};
    }
    sql += "version = ?, updated_at = ? WHERE id = ? AND version = ?";
    params.push_back(version_after + 1);
    params.push_back(clock_.NowMillis());
    params.push_back(id);
    params.push_back(version_after);
    STEWARD_TRY(connection_.Execute(sql, params));
    STEWARD_TRY(connection_.Execute("DELETE FROM resident_phone WHERE resident_id = ?", {id}));
    for (const auto& phone : before.at("phones")) {
      STEWARD_TRY(connection_.Execute(
          "INSERT INTO resident_phone (resident_id, position, kind, phone_sealed, phone_hash, "
          "phone_masked) VALUES (?, ?, ?, ?, ?, ?)",
          {id, phone.at(0).get<int64_t>(), phone.at(1).get<std::string>(),
           phone.at(2).get<std::string>(), phone.at(3).get<std::string>(),
           phone.at(4).get<std::string>()}));
    }
    STEWARD_TRY(connection_.Execute("DELETE FROM resident_tag WHERE resident_id = ?", {id}));
    for (const auto& tag : before.at("tags")) {
      STEWARD_TRY(
          connection_.Execute("INSERT INTO resident_tag (resident_id, tag_code) VALUES (?, ?)",
                              {id, tag.get<std::string>()}));
    }
    fields["phones_and_tags"] = "restored";
    transaction_.RecordChange(
        ChangeRecord{"resident", id, version_after + 1, ChangeOp::kUpdate, std::move(fields)});
    restored_[id] = version_after + 1;
    ++report_.residents_restored;
    return Ok();
  }

  Status RemoveHouseholds(const std::vector<Id>& ids) {
    if (ids.empty()) return Ok();
    std::vector<Id> removable;
    STEWARD_ASSIGN_OR_RETURN(
        auto found, connection_.Query("SELECT h.id FROM household h WHERE h.id IN (" + IdList(ids) +
                                      ") AND h.head_resident_id IS NULL AND NOT EXISTS "
                                      "(SELECT 1 FROM resident r WHERE r.household_id = h.id)"));
    for (size_t i = 0; i < found.size(); ++i) removable.push_back(found.Int(i, 0));
    report_.kept += static_cast<int64_t>(ids.size() - removable.size());
    if (removable.empty()) return Ok();
    STEWARD_TRY(
        connection_.Execute("DELETE FROM household WHERE id IN (" + IdList(removable) + ")"));
    for (Id id : removable) {
      transaction_.RecordChange(
          ChangeRecord{"household", id, 0, ChangeOp::kDelete, {{"reason", Because()}}});
    }
    report_.households_removed += static_cast<int64_t>(removable.size());
    return Ok();
  }

  WriteTransaction& transaction_;
  Connection& connection_;
  const Clock& clock_;
  Id job_id_;
  std::map<Id, int64_t>& restored_;
  RollbackReport& report_;
};

void Add(RollbackReport& total, const RollbackReport& part) {
  total.jobs += part.jobs;
  total.residents_removed += part.residents_removed;
  total.residents_restored += part.residents_restored;
  total.households_removed += part.households_removed;
  total.heads_cleared += part.heads_cleared;
  total.kept += part.kept;
}

}  // namespace

Result<int64_t> ImportUndoLog::NextStep(Connection& connection, Id job_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto last,
      connection.QueryInt("SELECT max(step) FROM import_undo WHERE job_id = ?", {job_id}));
  return last.value_or(0) + 1;
}

Result<nlohmann::json> ImportUndoLog::Snapshot(Connection& connection, Id resident) {
  STEWARD_ASSIGN_OR_RETURN(auto rows, connection.Query(ResidentSelect(), {resident}));
  if (rows.empty()) {
    return Fail(ErrorCode::kNotFound, "resident " + std::to_string(resident) + " not found");
  }
  nlohmann::json columns = nlohmann::json::object();
  for (int i = 0; i < kResidentColumnCount; ++i) {
    columns[kResidentColumns[i].name] = CellJson(rows, 0, i, kResidentColumns[i].integer);
  }
  nlohmann::json phones = nlohmann::json::array();
  STEWARD_ASSIGN_OR_RETURN(
      auto phone_rows,
      connection.Query("SELECT position, kind, phone_sealed, phone_hash, phone_masked FROM "
                       "resident_phone WHERE resident_id = ? ORDER BY position",
                       {resident}));
  for (size_t i = 0; i < phone_rows.size(); ++i) {
    phones.push_back({phone_rows.Int(i, 0), phone_rows.Text(i, 1), phone_rows.Text(i, 2),
                      phone_rows.Text(i, 3), phone_rows.Text(i, 4)});
  }
  nlohmann::json tags = nlohmann::json::array();
  STEWARD_ASSIGN_OR_RETURN(
      auto tag_rows,
      connection.Query("SELECT tag_code FROM resident_tag WHERE resident_id = ? ORDER BY tag_code",
                       {resident}));
  for (size_t i = 0; i < tag_rows.size(); ++i) tags.push_back(tag_rows.Text(i, 0));
  return nlohmann::json{{"resident", std::move(columns)}, {"phones", phones}, {"tags", tags}};
}

void ImportUndoLog::Updated(Id resident, int64_t version_after, nlohmann::json snapshot) {
  updated_.push_back(
      {{"id", resident}, {"version_after", version_after}, {"before", std::move(snapshot)}});
}

Status ImportUndoLog::Flush(Connection& connection) {
  // The rollback runs steps from the last to the first: heads, created residents, restored
  // residents, then the households, once nothing of the import points at them.
  auto write = [&](const char* kind, const nlohmann::json& data) -> Status {
    STEWARD_TRY(
        connection.Execute("INSERT INTO import_undo (job_id, step, kind, data) VALUES (?, ?, ?, ?)",
                           {job_id_, next_step_, kind, data.dump()}));
    ++next_step_;
    return Ok();
  };
  const int64_t first = next_step_;
  auto written = [&]() -> Status {
    if (!households_.empty()) STEWARD_TRY(write("created_households", households_));
    if (!updated_.empty()) STEWARD_TRY(write("residents_before", updated_));
    if (!residents_.empty()) STEWARD_TRY(write("created_residents", residents_));
    if (!heads_.empty()) STEWARD_TRY(write("heads_set", heads_));
    return Ok();
  }();
  if (!written) {
    next_step_ = first;
    return written;
  }
  Discard();
  return Ok();
}

void ImportUndoLog::Discard() {
  households_.clear();
  residents_.clear();
  heads_.clear();
  updated_ = nlohmann::json::array();
}

nlohmann::json RollbackReport::ToJson() const {
  return {{"jobs", jobs},
          {"residents_removed", residents_removed},
          {"residents_restored", residents_restored},
          {"households_removed", households_removed},
          {"heads_cleared", heads_cleared},
          {"kept", kept}};
}

Result<RollbackReport> RollBackImport(storage::Database& database, const Clock& clock, Id job_id) {
  RollbackReport report;
  std::map<Id, int64_t> restored;
  for (;;) {
    bool finished = false;
    RollbackReport step_report;
    // One step a transaction: a step is at most one chunk of the import.
    STEWARD_TRY(database.Write(kRollbackContext, [&](WriteTransaction& transaction) -> Status {
      step_report = RollbackReport{};
      Connection& connection = transaction.connection();
      STEWARD_ASSIGN_OR_RETURN(
          auto step, connection.Query("SELECT step, kind, data FROM import_undo WHERE job_id = ? "
                                      "ORDER BY step DESC LIMIT 1",
                                      {job_id}));
      if (step.empty()) {
        finished = true;
        STEWARD_TRY(connection.Execute(
            "UPDATE import_job SET state = 'rolled_back', finished_at = ? WHERE id = ?",
            {clock.NowMillis(), job_id}));
        return Ok();
      }
      nlohmann::json data = nlohmann::json::parse(step.Text(0, 2), nullptr, false);
      if (data.is_discarded()) return Fail(ErrorCode::kInternal, "unreadable import undo step");
      StepUndoer undoer(transaction, clock, job_id, restored, step_report);
      STEWARD_TRY(undoer.Undo(step.Text(0, 1), data));
      STEWARD_TRY(connection.Execute("DELETE FROM import_undo WHERE job_id = ? AND step = ?",
                                     {job_id, step.Int(0, 0)}));
      return Ok();
    }));
    Add(report, step_report);
    if (finished) break;
  }
  report.jobs = 1;
  return report;
}

Result<RollbackReport> RecoverInterruptedImports(storage::Database& database, const Clock& clock,
                                                 std::string_view resume_digest) {
  STEWARD_ASSIGN_OR_RETURN(auto jobs, database.Read([](Connection& connection) {
    return connection.Query("SELECT id, file_sha256 FROM import_job WHERE state = 'applying'");
  }));
  RollbackReport total;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!resume_digest.empty() && jobs.Text(i, 1) == resume_digest) continue;
    const Id job = jobs.Int(i, 0);
    STEWARD_ASSIGN_OR_RETURN(auto lock, database.TryLockJob(job));
    if (!lock) continue;  // its import is still running
    // Between the list and the lock the job may have finished.
    STEWARD_ASSIGN_OR_RETURN(auto state, database.Read([&](Connection& connection) {
      return connection.Query("SELECT state FROM import_job WHERE id = ?", {job});
    }));
    if (state.empty() || state.Text(0, 0) != "applying") continue;
    STEWARD_ASSIGN_OR_RETURN(auto report, RollBackImport(database, clock, job));
    Add(total, report);
  }
  return total;
}

}  // namespace steward::registry
