#include "audit/verify.hpp"

#include "audit/internal/chain.hpp"

namespace steward::audit {

namespace {

constexpr int64_t kPageRows = 1000;  // rows per query: memory stays constant

// Walks the chain, one row at a time, remembering only the previous entry.
class ChainWalker {
 public:
  explicit ChainWalker(VerifyReport& report) : report_(report) {}

  // Returns false once a problem is found.
  bool Visit(const storage::RowView& row) {
    const int64_t seq = row.Int(0);
    const int64_t expected = report_.last_seq + 1;
    if (seq != expected) {
      return Broken(ChainProblem::kGap, expected,
                    "entry " + std::to_string(expected) + " is missing (the next one is " +
                        std::to_string(seq) + ")");
    }
    const std::string_view prev_hash = row.Text(8);
    if (prev_hash != report_.head_hash) {
      return Broken(
          ChainProblem::kPrevHashMismatch, seq,
          "prev_hash of entry " + std::to_string(seq) + " is not the hash of the entry before it");
    }
    const internal::ChainFields fields{seq,         row.Int(1),  row.Text(2), row.Text(3),
                                       row.Text(4), row.Text(5), row.Text(6), row.Text(7)};
    std::string hash = internal::ChainHash(prev_hash, internal::CanonicalForm(fields));
    if (hash != row.Text(9)) {
      return Broken(ChainProblem::kHashMismatch, seq,
                    "entry " + std::to_string(seq) + " does not match its hash (edited)");
    }
    report_.last_seq = seq;
    report_.head_hash = std::move(hash);
    ++report_.entries_checked;
    return true;
  }

  bool Broken(ChainProblem problem, int64_t seq, std::string reason) {
    report_.problem = problem;
    report_.broken_seq = seq;
    report_.reason = std::move(reason);
    return false;
  }

 private:
  VerifyReport& report_;
};

}  // namespace

const char* ChainProblemName(ChainProblem problem) {
  switch (problem) {
    case ChainProblem::kNone:
      return "none";
    case ChainProblem::kGap:
      return "gap";
    case ChainProblem::kPrevHashMismatch:
      return "prev_hash_mismatch";
    case ChainProblem::kHashMismatch:
      return "hash_mismatch";
    case ChainProblem::kTailMismatch:
      return "tail_mismatch";
  }
  return "none";
}

std::string VerifyReport::ToText() const {
  if (ok()) {
    return "audit log ok: " + std::to_string(entries_checked) + " entries, head seq " +
           std::to_string(last_seq) + " hash " + (head_hash.empty() ? "-" : head_hash);
  }
  return "audit log BROKEN at seq " + std::to_string(broken_seq) + " (" +
         ChainProblemName(problem) + "): " + reason + "; " + std::to_string(entries_checked) +
         " entries checked before it";
}

Result<VerifyReport> Verify(storage::Database& database) {
  return database.Read([](storage::Connection& connection) -> Result<VerifyReport> {
    VerifyReport report;
    STEWARD_ASSIGN_OR_RETURN(
        auto tail, connection.Query("SELECT last_seq, last_hash FROM audit_tail WHERE id = 1"));
    if (tail.size() != 1) {
      return Fail(ErrorCode::kFailedPrecondition, "audit_tail missing: run migrate");
    }
    const int64_t tail_seq = tail.Int(0, 0);
    const std::string tail_hash = tail.Text(0, 1);

    ChainWalker walker(report);
    bool going = true;
    while (going && report.last_seq < tail_seq) {
      const int64_t before = report.last_seq;
      const storage::Value params[] = {report.last_seq, tail_seq, kPageRows};
      STEWARD_TRY(connection.QueryEach(
          "SELECT seq, at, actor, action, target, detail, client, request_id, prev_hash, hash "
          "FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
          params, [&](const storage::RowView& row) {
            if (going) going = walker.Visit(row);
          }));
      if (going && report.last_seq == before) break;  // no more rows up to the tail
    }
    if (!going) return report;
    if (report.last_seq != tail_seq) {
      walker.Broken(ChainProblem::kTailMismatch, report.last_seq + 1,
                    "entries " + std::to_string(report.last_seq + 1) + ".." +
                        std::to_string(tail_seq) + " are missing (the log ends early)");
    } else if (report.head_hash != tail_hash) {
      walker.Broken(ChainProblem::kTailMismatch, tail_seq,
                    "the tail row's hash does not match entry " + std::to_string(tail_seq));
    }
    return report;
  });
}

}  // namespace steward::audit
