// The undo of an import: what each chunk wrote, recorded in the chunk's own transaction, and the
// rollback of an import that stopped half-way.
//
// An import writes in chunks (storage/database.hpp: short write transactions), so a crash or
// kill -9 in the middle would leave the chunks already committed. The import job's lock
// (storage::Database::TryLockJob) tells a crashed job from a running one; a crashed job is either
// resumed by the next run of the same file (resident_import.hpp) or rolled back here by whichever
// Steward process comes first (`steward serve` checks every few seconds; import, export and stats
// check when they start). Rolling back removes the residents and households the import created,
// restores the residents it updated, and clears the household heads it set — each only where no
// one else has changed the record since (those are counted as kept).
//
// Thread-safety: ImportUndoLog belongs to one import; the free functions are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::registry {

// Collects one chunk's undo records and writes them in the chunk's transaction (Flush).
class ImportUndoLog {
 public:
  ImportUndoLog(Id job_id, int64_t next_step) : job_id_(job_id), next_step_(next_step) {}

  // The step after the last one written for `job_id` (1 for a new job).
  static Result<int64_t> NextStep(storage::Connection& connection, Id job_id);

  void CreatedHousehold(Id household) { households_.push_back(household); }
  void CreatedResidents(const std::vector<Id>& residents) {
    residents_.insert(residents_.end(), residents.begin(), residents.end());
  }
  void HeadSet(Id household, Id resident) { heads_.emplace_back(household, resident); }
  // The resident's rows as they are now, before the import updates it.
  static Result<nlohmann::json> Snapshot(storage::Connection& connection, Id resident);
  void Updated(Id resident, int64_t version_after, nlohmann::json snapshot);

  // Writes the chunk's records (ordered so that the rollback undoes them in reverse) and clears
  // them; Discard clears them when the chunk's transaction rolled back.
  Status Flush(storage::Connection& connection);
  void Discard();

 private:
  Id job_id_;
  int64_t next_step_;
  std::vector<Id> households_;
  std::vector<Id> residents_;
  std::vector<std::pair<Id, Id>> heads_;
  nlohmann::json updated_ = nlohmann::json::array();
};

struct RollbackReport {
  int64_t jobs = 0;
  int64_t residents_removed = 0;
  int64_t residents_restored = 0;
  int64_t households_removed = 0;
  int64_t heads_cleared = 0;
  int64_t kept = 0;  // records someone else changed after the import wrote them

  nlohmann::json ToJson() const;
};

// Rolls back job `job_id`, whose lock the caller holds, in short transactions (resumable if it
// is interrupted too), and marks the job rolled_back.
Result<RollbackReport> RollBackImport(storage::Database& database, const Clock& clock, Id job_id);

// Rolls back every import job left half-applied by a process that died, except those of the file
// with digest `resume_digest` (its import is about to resume them).
Result<RollbackReport> RecoverInterruptedImports(storage::Database& database, const Clock& clock,
                                                 std::string_view resume_digest = {});

}  // namespace steward::registry
