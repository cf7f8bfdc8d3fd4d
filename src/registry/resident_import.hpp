// Resident import: a spreadsheet (xlsx, xls, csv) into the registry, never losing a row and never
// letting a bad one in.
//
// Two passes over the file, both streaming:
// 1. Validate: header recognition (MapHeader), the row rules (ParseResidentRow), places
//    (PlaceDirectory), duplicates within the file (the first row with an ID number wins), and stale
//    versions of rows that carry a resident id from an earlier export (a conflict). Nothing is
//    written. Every row's outcome goes to `on_row` (for the report workbook).
// 2. Apply (unless dry_run, and with on_error=abort only when pass 1 found no bad row): the good
//    rows in file order, in transactions of `chunk_rows` rows, so no transaction holds SQLite's
//    write lock for long. Each chunk also records, in the same transaction, the last row it
//    applied in import_job; an import interrupted by a crash or kill -9 is recognised by the file's
//    SHA-256 when it is run again and resumes after that row, so no row is applied twice and the
//    import completes; or another Steward process rolls it back first (import_undo.hpp). Each
//    chunk's undo records go in with it, and the job's lock (Database::TryLockJob) is held while
//    applying. Earlier crashed imports of other files are rolled back before this one starts.
// Matching: a resident id (+ version) from an export; else the ID number's lookup hash; else name
// + birth date + household (such rows are flagged in resident_review for the duplicate review).
// A matched resident is updated with the columns the row fills (history source "import").
// Thread-safety: runs on the calling thread; other writers interleave between chunks.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "registry/resident_row.hpp"
#include "storage/database.hpp"

namespace steward::registry {

enum class OnError { kAbort, kSkip };

enum class RowStatus { kOk, kRefused, kConflict };
const char* RowStatusName(RowStatus status);

struct RowProblem {
  int64_t row = 0;
  std::string column;  // the header as written in the file ("" for the whole row)
  int column_index = -1;
  std::string code;
  std::string message;
  std::string sheet;  // the worksheet's name for rows of a later sheet; "" on the first
};

// One data row's verdict after pass 1, with the row as read (for the report workbook).
struct RowOutcome {
  const sheet::Row* row = nullptr;
  RowStatus status = RowStatus::kOk;
  std::vector<RowProblem> problems;
};

struct ImportOptions {
  bool dry_run = false;
  OnError on_error = OnError::kAbort;
  storage::WriteContext context{"system:cli", storage::Source::kImport};
  int chunk_rows = 2000;
  std::function<bool(std::string_view)> region_known;  // ID-number region codes; may be empty
  // Progress: the pass ("validate" or "apply"), the fraction of the file read, rows so far.
  std::function<void(std::string_view, double, int64_t)> progress;
  // Called once with the header (row and mapping), then for every data row in pass 1.
  std::function<void(const SheetColumns&)> on_header;
  std::function<void(const RowOutcome&)> on_row;
  // Asked every 1,000 rows of pass 1 and before each chunk of pass 2; true stops the import with
  // kUnavailable, and what pass 2 had written is rolled back (a server shutting down). May be
  // empty.
  std::function<bool()> cancelled;
  // Asked in pass 1 for each row's resolved unit, and for the current unit of the resident a row
  // matches (by resident id or ID number); false refuses the row (codes "unit.out_of_scope",
  // "resident.out_of_scope"): the API imports only into, and only updates residents already in,
  // the caller's capture scope. May be empty (everything allowed).
  std::function<bool(Id unit_id)> unit_allowed;
};

struct ImportResult {
  std::string format;
  std::string encoding;
  int64_t header_row = 0;
  std::vector<std::string> unknown_columns;
  int64_t rows = 0;     // data rows read (blank rows skipped)
  int64_t ok_rows = 0;  // passed validation
  int64_t refused = 0;
  int64_t conflicts = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t flagged_for_review = 0;
  int64_t problem_count = 0;
  std::vector<RowProblem> problems;  // the first kMaxKeptProblems
  bool written = false;              // pass 2 ran
  bool resumed = false;              // pass 2 continued an interrupted import
  std::optional<Id> job_id;
  double seconds = 0;

  static constexpr size_t kMaxKeptProblems = 1000;
  // Counts by outcome and the problems: the shape `steward import --json` prints and the API's
  // import jobs reuse.
  nlohmann::json ToJson() const;
};

Result<ImportResult> ImportResidents(storage::Database& database, const crypto::PiiVault& vault,
                                     IdGenerator& ids, const Clock& clock,
                                     const std::filesystem::path& file,
                                     const ImportOptions& options);

}  // namespace steward::registry
