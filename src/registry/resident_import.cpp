#include "registry/resident_import.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "crypto/digest.hpp"
#include "registry/import_undo.hpp"
#include "registry/place.hpp"
#include "registry/place_directory.hpp"

namespace steward::registry {
namespace {

using storage::Connection;
using storage::WriteTransaction;

constexpr int kHeaderSearchRows = 20;

// Rows of a workbook's later sheets (an export split past Excel's row limit) are told apart by a
// key: sheet index * kSheetStride + row number. Keys order rows as the file does.
constexpr int64_t kSheetStride = int64_t{1} << 21;  // above Excel's 1,048,576 rows

// A sheet opened and positioned after its header, yielding data rows (blank rows skipped) of
// every visible worksheet; each later sheet must repeat the first one's header.
class DataRows {
 public:
  static Result<DataRows> Open(const std::filesystem::path& file) {
    DataRows rows;
    STEWARD_ASSIGN_OR_RETURN(rows.reader_, sheet::OpenSheet(file));
    STEWARD_ASSIGN_OR_RETURN(bool found, rows.ReadHeader());
    if (!found) return Fail(ErrorCode::kInvalidArgument, "文件为空 / the file is empty");
    return rows;
  }

  // The next non-blank data row, or nullopt at the end of the last sheet.
  Result<std::optional<sheet::Row>> Next() {
    for (;;) {
      std::optional<sheet::Row> row;
      if (next_pending_ < pending_.size()) {
        row = std::move(pending_[next_pending_++]);
      } else {
        STEWARD_ASSIGN_OR_RETURN(row, reader_->Next());
        if (!row) {
          STEWARD_ASSIGN_OR_RETURN(bool more, reader_->NextSheet());
          if (!more) return std::optional<sheet::Row>();
          ++sheet_index_;
          STEWARD_ASSIGN_OR_RETURN(bool found, ReadHeader());
          (void)found;  // an empty later sheet simply has no rows
          continue;
        }
      }
      if (!IsBlankRow(*row)) {
        key_ = sheet_index_ * kSheetStride + row->number;
        return row;
      }
    }
  }

  const SheetColumns& columns() const { return columns_; }
  sheet::SheetReader& reader() { return *reader_; }
  // The last row's key, and the name of its sheet when it is not the first.
  int64_t key() const { return key_; }
  std::string sheet_label() const { return sheet_index_ > 0 ? reader_->sheet_name() : ""; }

 private:
  // Reads the current sheet's header; false when the sheet has no rows at all.
  Result<bool> ReadHeader() {
    std::vector<sheet::Row> head;
    while (head.size() < kHeaderSearchRows) {
      STEWARD_ASSIGN_OR_RETURN(auto row, reader_->Next());
      if (!row) break;
      head.push_back(std::move(*row));
    }
    pending_.clear();
    next_pending_ = 0;
    if (head.empty()) return false;
    STEWARD_ASSIGN_OR_RETURN(SheetColumns columns, MapHeader(head));
    if (sheet_index_ == 0) {
      columns_ = std::move(columns);
    } else if (columns.by_index != columns_.by_index) {
      return Fail(ErrorCode::kInvalidArgument,
                  "工作表“" + reader_->sheet_name() +
                      "”的表头与第一个工作表不同 / a later sheet has a different header");
    }
    const int64_t header_row = sheet_index_ == 0 ? columns_.header_row : columns.header_row;
    for (auto& row : head) {
      if (row.number > header_row) pending_.push_back(std::move(row));
    }
    return true;
  }

  std::unique_ptr<sheet::SheetReader> reader_;
  SheetColumns columns_;
  std::vector<sheet::Row> pending_;
  size_t next_pending_ = 0;
  int64_t sheet_index_ = 0;
  int64_t key_ = 0;
};

// "第 12 行", or "第 3 个工作表第 12 行" for later sheets.
std::string DescribeKey(int64_t key) {
  const int64_t sheet = key / kSheetStride, row = key % kSheetStride;
  return (sheet > 0 ? "第 " + std::to_string(sheet + 1) + " 个工作表" : std::string()) + "第 " +
         std::to_string(row) + " 行";
}

Column ColumnOfPlace(std::string_view place) {
  if (place == "street") return Column::kStreet;
  if (place == "grid") return Column::kGrid;
  if (place == "building") return Column::kBuilding;
  return Column::kCommunity;
}

RowProblem ProblemAt(const SheetColumns& columns, const std::string& sheet, int64_t row,
                     Column column, std::string code, std::string message) {
  RowProblem problem{
      row, std::string(SpecOf(column).header), -1, std::move(code), std::move(message), sheet};
  if (auto index = columns.IndexOf(column)) {
    problem.column = columns.headers[*index];
    problem.column_index = static_cast<int>(*index);
  }
  return problem;
}

Result<std::map<std::string, std::string, std::less<>>> LoadTags(Connection& connection) {
  std::map<std::string, std::string, std::less<>> tags;
  STEWARD_TRY(
      connection.QueryEach("SELECT code, name FROM tag", {}, [&](const storage::RowView& row) {
        tags[std::string(row.Text(0))] = std::string(row.Text(0));
        tags[std::string(row.Text(1))] = std::string(row.Text(0));
      }));
  return tags;
}

// The fields an update may change: only the columns the row fills.
ResidentPatch PatchFrom(const ParsedResident& parsed, const Placement& placement,
                        std::optional<Id> household_id) {
  const NewResident& r = parsed.resident;
  ResidentPatch patch;
  patch.name = r.name;
  const bool has_id = parsed.Has(Column::kIdNumber);
  if (has_id) patch.id_number = r.id_number;
  if (parsed.Has(Column::kGender) || has_id) patch.gender = r.gender;
  if (parsed.Has(Column::kBirthDate) || has_id) patch.birth_date = r.birth_date;
  if (parsed.Has(Column::kEthnicity)) patch.ethnicity = r.ethnicity;
  if (parsed.Has(Column::kPhone)) patch.phones = r.phones;
  if (parsed.Has(Column::kHukouAddress)) patch.hukou_address = r.hukou_address;
  if (parsed.Has(Column::kResidenceStatus)) patch.residence_status = r.residence_status;
  if (parsed.Has(Column::kRelationToHead)) patch.relation_to_head = r.relation_to_head;
  if (parsed.Has(Column::kTags)) patch.tags = r.tags;
  if (parsed.Has(Column::kNotes)) patch.notes = r.notes;
  if (placement.building_id) {
    patch.unit_id = placement.unit_id;
    patch.household_id = household_id;
  }
  return patch;
}

class Importer {
 public:
  Importer(storage::Database& database, const crypto::PiiVault& vault, IdGenerator& ids,
           const Clock& clock, const std::filesystem::path& file, const ImportOptions& options)
      : database_(database),
        ids_(ids),
        clock_(clock),
        file_(file),
        options_(options),
        residents_(vault, ids, clock),
        places_(ids, clock) {}

  Result<ImportResult> Run() {
    const auto start = std::chrono::steady_clock::now();
    STEWARD_TRY(LoadDictionaries());
    STEWARD_TRY(Validate());
    const bool apply =
        !options_.dry_run && (options_.on_error == OnError::kSkip || result_.problem_count == 0);
    if (apply && result_.ok_rows > 0) STEWARD_TRY(Apply());
    result_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result_;
  }

 private:
  Status LoadDictionaries() {
    return database_.Read([&](Connection& connection) -> Status {
      STEWARD_ASSIGN_OR_RETURN(tags_, LoadTags(connection));
      STEWARD_ASSIGN_OR_RETURN(directory_, PlaceDirectory::Load(connection, clock_.Today()));
      return Ok();
    });
  }

  RowContext Context() const { return RowContext{clock_.Today(), options_.region_known, &tags_}; }

  // Pass 1: every rule, nothing written.
  Status Validate() {
    STEWARD_ASSIGN_OR_RETURN(DataRows rows, DataRows::Open(file_));
    result_.format = sheet::FormatName(rows.reader().format());
    result_.encoding = rows.reader().encoding();
    result_.header_row = rows.columns().header_row;
    result_.unknown_columns = rows.columns().unknown;
    if (options_.on_header) options_.on_header(rows.columns());
    const RowContext context = Context();
    std::unordered_map<uint64_t, int64_t> first_row_of_id;
    for (;;) {
      STEWARD_ASSIGN_OR_RETURN(auto row, rows.Next());
      if (!row) break;
      ++result_.rows;
      const std::string sheet = rows.sheet_label();
      RowOutcome outcome;
      outcome.row = &*row;
      ParsedResident parsed = ParseResidentRow(rows.columns(), *row, context);
      for (auto& error : parsed.errors) {
        outcome.problems.push_back(ProblemAt(rows.columns(), sheet, row->number, error.column,
                                             std::move(error.code), std::move(error.message)));
      }
      if (outcome.problems.empty()) {
        auto placed = directory_.Resolve(parsed.street, parsed.community, parsed.grid,
                                         parsed.complex, parsed.building);
        if (auto* error = std::get_if<PlaceError>(&placed)) {
          outcome.problems.push_back(ProblemAt(rows.columns(), sheet, row->number,
                                               ColumnOfPlace(error->column), error->code,
                                               error->message));
        } else if (options_.unit_allowed &&
                   !options_.unit_allowed(std::get<Placement>(placed).unit_id)) {
          outcome.problems.push_back(
              ProblemAt(rows.columns(), sheet, row->number,
                        rows.columns().Has(Column::kGrid) ? Column::kGrid : Column::kCommunity,
                        "unit.out_of_scope", "该地点不在您可采集的范围内，本行未导入"));
        }
      }
      if (outcome.problems.empty() && options_.unit_allowed) {
        STEWARD_TRY(CheckMatchedInScope(parsed, rows.columns(), sheet, row->number, outcome));
      }
      if (parsed.resident.id_number) {
        const uint64_t key = std::hash<std::string>{}(*parsed.resident.id_number);
        const auto [it, inserted] = first_row_of_id.emplace(key, rows.key());
        if (!inserted) {
          outcome.problems.push_back(ProblemAt(
              rows.columns(), sheet, row->number, Column::kIdNumber, "id_number.duplicate_in_file",
              "身份证号与" + DescribeKey(it->second) + "重复，只导入第一行"));
        }
      }
      if (outcome.problems.empty() && parsed.resident_id) {
        STEWARD_ASSIGN_OR_RETURN(RowStatus status,
                                 CheckVersion(parsed, rows.columns(), sheet, outcome));
        outcome.status = status;
      }
      if (!outcome.problems.empty() && outcome.status == RowStatus::kOk) {
        outcome.status = RowStatus::kRefused;
      }
      switch (outcome.status) {
        case RowStatus::kOk:
          ++result_.ok_rows;
          break;
        case RowStatus::kRefused:
          ++result_.refused;
          break;
        case RowStatus::kConflict:
          ++result_.conflicts;
          break;
      }
      if (outcome.status != RowStatus::kOk) {
        bad_rows_.push_back(rows.key());
        for (const auto& problem : outcome.problems) {
          ++result_.problem_count;
          if (result_.problems.size() < ImportResult::kMaxKeptProblems) {
            result_.problems.push_back(problem);
          }
        }
      }
      if (options_.on_row) options_.on_row(outcome);
      if (result_.rows % 1000 == 0) {
        if (options_.progress)
          options_.progress("validate", rows.reader().progress(), result_.rows);
        STEWARD_TRY(CheckCancelled());
      }
    }
    if (options_.progress) options_.progress("validate", 1.0, result_.rows);
    return Ok();
  }

  Status CheckCancelled() const {
    if (options_.cancelled && options_.cancelled()) {
      return Fail(ErrorCode::kUnavailable, "导入已取消 / the import was cancelled");
    }
    return Ok();
  }

  // A row from an earlier export: its version must still be the stored one.
  // A row that matches an existing resident (by resident id or ID number) would update them and
  // may move them: that resident must already be in the importer's scope too.
  Status CheckMatchedInScope(const ParsedResident& parsed, const SheetColumns& columns,
                             const std::string& sheet, int64_t row_number, RowOutcome& outcome) {
    if (!parsed.resident_id && !parsed.resident.id_number) return Ok();
    STEWARD_ASSIGN_OR_RETURN(
        auto unit, database_.Read([&](Connection& connection) -> Result<std::optional<int64_t>> {
          if (parsed.resident_id) {
            return connection.QueryInt(
                "SELECT unit_id FROM resident WHERE id = ? AND deleted_at IS NULL",
                {*parsed.resident_id});
          }
          STEWARD_ASSIGN_OR_RETURN(
              auto id, residents_.FindByIdNumber(connection, *parsed.resident.id_number));
          if (!id) return std::optional<int64_t>();
          return connection.QueryInt("SELECT unit_id FROM resident WHERE id = ?", {*id});
        }));
    if (unit && !options_.unit_allowed(*unit)) {
      outcome.problems.push_back(ProblemAt(
          columns, sheet, row_number, parsed.resident_id ? Column::kResidentId : Column::kIdNumber,
          "resident.out_of_scope",
          "该居民已登记在您负责范围以外的单位，本行未导入，请由其所在社区办理"));
    }
    return Ok();
  }

  Result<RowStatus> CheckVersion(const ParsedResident& parsed, const SheetColumns& columns,
                                 const std::string& sheet, RowOutcome& outcome) {
    return database_.Read([&](Connection& connection) -> Result<RowStatus> {
      STEWARD_ASSIGN_OR_RETURN(
          auto rows, connection.Query("SELECT version, deleted_at FROM resident WHERE id = ?",
                                      {*parsed.resident_id}));
      if (rows.empty() || !rows.IsNull(0, 1)) {
        outcome.problems.push_back(ProblemAt(columns, sheet, parsed.row_number, Column::kResidentId,
                                             "resident_id.unknown",
                                             "系统中没有这个居民编号（或已删除）"));
        return RowStatus::kRefused;
      }
      if (rows.Int(0, 0) != parsed.version) {
        outcome.problems.push_back(
            ProblemAt(columns, sheet, parsed.row_number, Column::kVersion, "version.stale",
                      "导出后该居民已被修改（现为第 " + std::to_string(rows.Int(0, 0)) +
                          " 版），本行未导入，请重新导出后再修改"));
        return RowStatus::kConflict;
      }
      return RowStatus::kOk;
    });
  }

  // Pass 2: the good rows, in chunks, resumable.
  Status Apply() {
    STEWARD_ASSIGN_OR_RETURN(const std::string digest, crypto::Sha256OfFile(file_));
    // Earlier imports of other files that died half-way are rolled back first; one of this file
    // is resumed.
    STEWARD_TRY(RecoverInterruptedImports(database_, clock_, digest));
    STEWARD_TRY(StartOrResumeJob(digest));
    auto applied = ApplyRows();
    if (!applied) {
      // Not a crash but an error (the file changed, the database failed): undo what was written
      // while this process still holds the job, so nothing stays half-applied.
      auto rolled_back = RollBackImport(database_, clock_, *result_.job_id);
      if (!rolled_back) {
        spdlog::error("import job {}: rollback failed: {}", *result_.job_id,
                      rolled_back.error().ToString());
      }
      return applied;
    }
    return Ok();
  }

  Status ApplyRows() {
    STEWARD_ASSIGN_OR_RETURN(DataRows rows, DataRows::Open(file_));
    const RowContext context = Context();
    std::vector<std::pair<ParsedResident, Placement>> chunk;
    int64_t seen = 0;
    for (;;) {
      STEWARD_ASSIGN_OR_RETURN(auto row, rows.Next());
      if (!row) break;
      ++seen;
      if (rows.key() <= applied_through_) continue;
      if (std::binary_search(bad_rows_.begin(), bad_rows_.end(), rows.key())) continue;
      ParsedResident parsed = ParseResidentRow(rows.columns(), *row, context);
      auto placed = directory_.Resolve(parsed.street, parsed.community, parsed.grid, parsed.complex,
                                       parsed.building);
      if (!parsed.ok() || !std::holds_alternative<Placement>(placed)) {
        return Fail(ErrorCode::kFailedPrecondition,
                    DescribeKey(rows.key()) +
                        "在两次读取之间发生了变化：文件在导入期间被修改 / the file changed "
                        "during the import");
      }
      parsed.row_number = rows.key();  // from here on the key orders and resumes the apply
      chunk.emplace_back(std::move(parsed), std::get<Placement>(placed));
      if (static_cast<int>(chunk.size()) >= options_.chunk_rows) {
        STEWARD_TRY(CheckCancelled());
        STEWARD_TRY(ApplyChunk(chunk));
        chunk.clear();
        if (options_.progress) options_.progress("apply", rows.reader().progress(), seen);
      }
    }
    if (!chunk.empty()) {
      STEWARD_TRY(CheckCancelled());
      STEWARD_TRY(ApplyChunk(chunk));
    }
    if (options_.progress) options_.progress("apply", 1.0, seen);
    result_.written = true;
    STEWARD_TRY(database_.Write(options_.context, [&](WriteTransaction& transaction) -> Status {
      STEWARD_TRY(transaction.connection().Execute(
          "UPDATE import_job SET state = 'done', finished_at = ?, result = ? WHERE id = ?",
          {clock_.NowMillis(), result_.ToJson().dump(), *result_.job_id}));
      STEWARD_TRY(transaction.connection().Execute("DELETE FROM import_undo WHERE job_id = ?",
                                                   {*result_.job_id}));
      return Ok();
    }));
    return Ok();
  }

  Status StartOrResumeJob(const std::string& digest) {
    STEWARD_TRY(database_.Write(options_.context, [&](WriteTransaction& transaction) -> Status {
      Connection& connection = transaction.connection();
      STEWARD_ASSIGN_OR_RETURN(
          auto unfinished,
          connection.Query("SELECT id, applied_through_row FROM import_job WHERE file_sha256 = ? "
                           "AND kind = 'residents' AND state = 'applying' ORDER BY id LIMIT 1",
                           {digest}));
      if (!unfinished.empty()) {
        const Id job = unfinished.Int(0, 0);
        STEWARD_ASSIGN_OR_RETURN(job_lock_, database_.TryLockJob(job));
        if (!job_lock_) {
          return Fail(ErrorCode::kConflict,
                      "另一个进程正在导入同一个文件 / another process is importing this file");
        }
        result_.job_id = job;
        applied_through_ = unfinished.Int(0, 1);
        result_.resumed = true;
        STEWARD_ASSIGN_OR_RETURN(const int64_t step, ImportUndoLog::NextStep(connection, job));
        undo_.emplace(job, step);
        return Ok();
      }
      result_.job_id = ids_.Next();
      STEWARD_ASSIGN_OR_RETURN(job_lock_, database_.TryLockJob(*result_.job_id));
      if (!job_lock_) return Fail(ErrorCode::kInternal, "a new import job's lock is taken");
      undo_.emplace(*result_.job_id, 1);
      STEWARD_TRY(connection.Execute(
          "INSERT INTO import_job (id, kind, file_name, file_sha256, on_error, state, "
          "applied_through_row, actor, started_at) VALUES (?, 'residents', ?, ?, ?, 'applying', "
          "0, ?, ?)",
          {*result_.job_id, file_.filename().string(), digest,
           options_.on_error == OnError::kAbort ? "abort" : "skip", options_.context.actor,
           clock_.NowMillis()}));
      return Ok();
    }));
    return Ok();
  }

  Result<std::optional<Id>> HouseholdFor(WriteTransaction& transaction,
                                         const ParsedResident& parsed, const Placement& placement) {
    if (!placement.building_id) return std::optional<Id>();
    const auto key = std::make_tuple(*placement.building_id, parsed.unit_no, parsed.room);
    if (auto found = households_.find(key); found != households_.end()) {
      return std::optional<Id>(found->second);
    }
    STEWARD_ASSIGN_OR_RETURN(
        auto existing,
        transaction.connection().QueryInt(
            "SELECT id FROM household WHERE building_id = ? AND unit_no = ? AND room = ? "
            "ORDER BY id LIMIT 1",
            {*placement.building_id, parsed.unit_no, parsed.room}));
    Id id;
    if (existing) {
      id = *existing;
    } else {
      NewHousehold household;
      household.building_id = *placement.building_id;
      household.unit_no = parsed.unit_no;
      household.room = parsed.room;
      STEWARD_ASSIGN_OR_RETURN(auto created,
                               places_.CreateHouseholds(transaction, std::span(&household, 1)));
      id = created.front();
      undo_->CreatedHousehold(id);
    }
    households_[key] = id;
    return std::optional<Id>(id);
  }

  Result<std::optional<Id>> FindExisting(Connection& connection, const ParsedResident& parsed,
                                         std::optional<Id> household_id) {
    if (parsed.resident_id) return std::optional<Id>(*parsed.resident_id);
    if (parsed.resident.id_number) {
      return residents_.FindByIdNumber(connection, *parsed.resident.id_number);
    }
    if (!parsed.resident.birth_date) return std::optional<Id>();
    const std::string birth = parsed.resident.birth_date->ToString();
    if (household_id) {
      return connection.QueryInt(
          "SELECT id FROM resident WHERE name = ? AND birth_date = ? AND household_id = ? AND "
          "deleted_at IS NULL ORDER BY id LIMIT 1",
          {parsed.resident.name, birth, *household_id});
    }
    return connection.QueryInt(
        "SELECT id FROM resident WHERE name = ? AND birth_date = ? AND household_id IS NULL AND "
        "deleted_at IS NULL ORDER BY id LIMIT 1",
        {parsed.resident.name, birth});
  }

  Status ApplyChunk(std::vector<std::pair<ParsedResident, Placement>>& chunk) {
    const int64_t last_row = chunk.back().first.row_number;
    ImportResult counts;  // this chunk's counts, added to the result only when it commits
    auto committed =
        database_.Write(options_.context, [&](WriteTransaction& transaction) -> Status {
          counts = ImportResult{};
          Connection& connection = transaction.connection();
          std::vector<NewResident> created;
          std::vector<bool> created_needs_review;
          std::vector<std::pair<size_t, Id>> heads;  // (index in created, household)
          for (auto& [parsed, placement] : chunk) {
            STEWARD_ASSIGN_OR_RETURN(auto household_id,
                                     HouseholdFor(transaction, parsed, placement));
            STEWARD_ASSIGN_OR_RETURN(auto existing, FindExisting(connection, parsed, household_id));
            if (existing) {
              STEWARD_ASSIGN_OR_RETURN(auto current, residents_.Get(connection, *existing));
              STEWARD_ASSIGN_OR_RETURN(auto before, ImportUndoLog::Snapshot(connection, *existing));
              const int64_t expected = parsed.version.value_or(current.version);
              auto updated = residents_.Update(transaction, *existing, expected,
                                               PatchFrom(parsed, placement, household_id));
              if (!updated) {
                if (updated.error().code != ErrorCode::kConflict) {
                  return tl::unexpected(std::move(updated).error());
                }
                ++counts.conflicts;  // changed by someone else since pass 1
                continue;
              }
              if (updated->version != current.version) {
                undo_->Updated(*existing, updated->version, std::move(before));
                ++counts.updated;
              } else {
                ++counts.unchanged;
              }
              if (household_id && parsed.resident.relation_to_head == "户主") {
                STEWARD_TRY(SetHead(transaction, *household_id, *existing));
              }
              continue;
            }
            NewResident resident = parsed.resident;
            resident.unit_id = placement.unit_id;
            resident.household_id = household_id;
            if (household_id && resident.relation_to_head == "户主") {
              heads.emplace_back(created.size(), *household_id);
            }
            created.push_back(std::move(resident));
            created_needs_review.push_back(parsed.needs_review);
          }
          if (!created.empty()) {
            STEWARD_ASSIGN_OR_RETURN(auto new_ids, residents_.CreateMany(transaction, created));
            counts.created = static_cast<int64_t>(new_ids.size());
            undo_->CreatedResidents(new_ids);
            for (size_t i = 0; i < new_ids.size(); ++i) {
              if (!created_needs_review[i]) continue;
              STEWARD_TRY(connection.Execute(
                  "INSERT INTO resident_review (resident_id, reason, import_job_id, created_at) "
                  "VALUES (?, 'no_id_number', ?, ?)",
                  {new_ids[i], *result_.job_id, clock_.NowMillis()}));
              ++counts.flagged_for_review;
            }
            for (const auto& [index, household] : heads) {
              STEWARD_TRY(SetHead(transaction, household, new_ids[index]));
            }
          }
          STEWARD_TRY(undo_->Flush(connection));
          STEWARD_TRY(
              connection.Execute("UPDATE import_job SET applied_through_row = ? WHERE id = ?",
                                 {last_row, *result_.job_id}));
          return Ok();
        });
    if (!committed) {
      // The chunk rolled back: forget households cached from it, and its undo records.
      households_.clear();
      undo_->Discard();
      return tl::unexpected(std::move(committed).error());
    }
    result_.created += counts.created;
    result_.updated += counts.updated;
    result_.unchanged += counts.unchanged;
    result_.conflicts += counts.conflicts;
    result_.flagged_for_review += counts.flagged_for_review;
    applied_through_ = last_row;
    return Ok();
  }

  Status SetHead(WriteTransaction& transaction, Id household, Id resident) {
    STEWARD_ASSIGN_OR_RETURN(
        int64_t changed,
        transaction.connection().Execute(
            "UPDATE household SET head_resident_id = ?, version = version + 1, updated_at = ? "
            "WHERE id = ? AND head_resident_id IS NULL",
            {resident, clock_.NowMillis(), household}));
    if (changed == 1) {
      undo_->HeadSet(household, resident);
      STEWARD_ASSIGN_OR_RETURN(auto version,
                               transaction.connection().QueryInt(
                                   "SELECT version FROM household WHERE id = ?", {household}));
      transaction.RecordChange(
          storage::ChangeRecord{"household",
                                household,
                                version.value_or(0),
                                storage::ChangeOp::kUpdate,
                                {{"head_resident_id", {{"old", nullptr}, {"new", resident}}}}});
    }
    return Ok();
  }

  storage::Database& database_;
  IdGenerator& ids_;
  const Clock& clock_;
  const std::filesystem::path file_;
  const ImportOptions& options_;
  ResidentStore residents_;
  PlaceStore places_;
  std::map<std::string, std::string, std::less<>> tags_;
  PlaceDirectory directory_;
  std::vector<int64_t> bad_rows_;  // in file order, so sorted
  int64_t applied_through_ = 0;
  std::unique_ptr<storage::JobLock> job_lock_;  // held while this process applies the job
  std::optional<ImportUndoLog> undo_;
  std::map<std::tuple<Id, std::string, std::string>, Id> households_;
  ImportResult result_;
};

}  // namespace

const char* RowStatusName(RowStatus status) {
  switch (status) {
    case RowStatus::kOk:
      return "ok";
    case RowStatus::kRefused:
      return "refused";
    case RowStatus::kConflict:
      return "conflict";
  }
  return "ok";
}

nlohmann::json ImportResult::ToJson() const {
  auto problem_list = nlohmann::json::array();
  for (const auto& problem : problems) {
    problem_list.push_back({{"sheet", problem.sheet},
                            {"row", problem.row},
                            {"column", problem.column},
                            {"code", problem.code},
                            {"message", problem.message}});
  }
  return {{"format", format},
          {"encoding", encoding},
          {"header_row", header_row},
          {"unknown_columns", unknown_columns},
          {"rows", rows},
          {"outcomes", {{"ok", ok_rows}, {"refused", refused}, {"conflict", conflicts}}},
          {"applied",
           {{"created", created},
            {"updated", updated},
            {"unchanged", unchanged},
            {"flagged_for_review", flagged_for_review}}},
          {"written", written},
          {"resumed", resumed},
          {"job_id", job_id ? nlohmann::json(*job_id) : nlohmann::json()},
          {"problem_count", problem_count},
          {"problems", problem_list},
          {"seconds", seconds}};
}

Result<ImportResult> ImportResidents(storage::Database& database, const crypto::PiiVault& vault,
                                     IdGenerator& ids, const Clock& clock,
                                     const std::filesystem::path& file,
                                     const ImportOptions& options) {
  Importer importer(database, vault, ids, clock, file, options);
  return importer.Run();
}

}  // namespace steward::registry
