// Search: what auditors read — audit entries matching a filter, newest first, a page at a time.
//
// Every condition is optional and they combine with AND. Pages follow seq: the next page passes
// the smallest seq of the page before as `before_seq`, so pages stay stable while entries are
// added. Indexes on (actor, seq), (action, seq), (target, seq) and (at) serve the filters.
// Thread-safety: runs on a borrowed Connection (one thread); no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "base/result.hpp"
#include "storage/connection.hpp"

namespace steward::audit {

struct AuditFilter {
  std::optional<std::string> actor;    // exact, e.g. "user:42"
  std::optional<std::string> action;   // exact ("pii.unmask"), or a prefix ending in '.'
                                       // ("resident." = every resident action)
  std::optional<std::string> target;   // exact, e.g. "resident:123"
  std::optional<int64_t> from_millis;  // at >= from
  std::optional<int64_t> to_millis;    // at < to
  std::optional<int64_t> before_seq;   // seq < before_seq: the next page
  int limit = 50;                      // 1..1000
};

// Matching entries, newest (highest seq) first; detail parsed back to JSON (a string when the
// stored text is not JSON).
Result<std::vector<AuditEntry>> Search(storage::Connection& connection, const AuditFilter& filter);

}  // namespace steward::audit
