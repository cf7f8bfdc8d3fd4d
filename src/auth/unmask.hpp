// Per-resident unmask grants: a user with registry:pii:unmask states a purpose and then sees one
// resident's plain ID number and phones for a while (30 minutes by default).
//
// A grant needs the permission, a non-empty purpose, and the resident inside the user's view scope
// (search-only access never unmasks). Grants are rows of pii_unmask; they are not record edits and
// stay out of the change log: the caller writes the audit entry (who, whom, purpose, client).
// The store's clock decides "now", so tests move time with FakeClock.
// Thread-safety: UnmaskStore holds no mutable state; call it with a connection or transaction owned
// by the calling thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::auth {

struct UnmaskOptions {
  int64_t validity_millis = 30 * 60 * 1000;
};

struct UnmaskGrant {
  Id id = 0;
  Id user_id = 0;
  Id resident_id = 0;
  std::string purpose;
  int64_t granted_at = 0;
  int64_t expires_at = 0;
};

inline constexpr size_t kMaxPurposeLength = 500;  // bytes

class UnmaskStore {
 public:
  UnmaskStore(IdGenerator& ids, const Clock& clock, UnmaskOptions options = {})
      : ids_(ids), clock_(clock), options_(options) {}

  // `resident_unit_path` is the path of the unit the resident counts under, as the caller read it
  // with the resident. kPermissionDenied without the permission or outside the view scope;
  // kInvalidArgument for an empty (or whitespace) or overlong purpose.
  Result<UnmaskGrant> Grant(storage::WriteTransaction& transaction, const Principal& principal,
                            Id resident_id, std::string_view resident_unit_path,
                            std::string_view purpose);

  // True when `user_id` holds a grant for `resident_id` that has not expired.
  Result<bool> IsUnmasked(storage::Connection& connection, Id user_id, Id resident_id);
  // The residents among `resident_ids` the user holds a live grant for (for list pages), sorted.
  Result<std::vector<Id>> UnmaskedAmong(storage::Connection& connection, Id user_id,
                                        std::span<const Id> resident_ids);

 private:
  IdGenerator& ids_;
  const Clock& clock_;
  const UnmaskOptions options_;
};

}  // namespace steward::auth
