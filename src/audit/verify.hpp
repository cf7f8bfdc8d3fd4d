// Verify: checks the audit log's hash chain from the first entry to the newest (`steward audit
// verify`).
//
// Reads the tail row (audit_tail) first, then every entry up to the seq it names, in pages of a
// thousand rows, so memory stays constant however long the log is; entries committed while it runs
// are left for the next run. It stops at the first problem:
//   kGap               an entry is missing (seq not dense): the missing seq
//   kPrevHashMismatch  an entry's prev_hash is not the previous entry's hash (one was rewritten,
//                      or entries were removed and renumbered)
//   kHashMismatch      an entry's stored hash does not match its contents (it was edited)
//   kTailMismatch      the newest entries are gone or the tail row was edited: the tail names a
//                      seq or hash the log does not end with
// What it cannot see: someone with write access who rewrites an entry AND every hash after it,
// tail included. Keep the printed head hash somewhere else (a ticket, a signed mail) now and then;
// a later run must still pass through that seq with that hash.
// Thread-safety: uses a pooled read connection; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "storage/database.hpp"

namespace steward::audit {

enum class ChainProblem { kNone, kGap, kPrevHashMismatch, kHashMismatch, kTailMismatch };
const char* ChainProblemName(ChainProblem problem);

struct VerifyReport {
  int64_t entries_checked = 0;
  int64_t last_seq = 0;   // the newest entry checked (the tail's seq when ok)
  std::string head_hash;  // its hash
  ChainProblem problem = ChainProblem::kNone;
  int64_t broken_seq = 0;  // the first seq that fails, when problem != kNone
  std::string reason;      // one English sentence, when problem != kNone

  bool ok() const { return problem == ChainProblem::kNone; }
  // What `steward audit verify` prints: "audit log ok: N entries, head seq S hash H" or
  // "audit log BROKEN at seq S (problem): reason; N entries checked before it".
  std::string ToText() const;
};

// Errors are only the database's (unreachable, not migrated); a broken chain is a report.
Result<VerifyReport> Verify(storage::Database& database);

}  // namespace steward::audit
