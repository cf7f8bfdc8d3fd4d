// The policy layer: who is asking (Principal), what they may do (permissions) and on which records
// (DataScope). Every query that reads or writes records scoped by unit passes through here, never
// through per-handler checks.
//
// Contract (ARCHITECTURE.md, "Access"):
// - A Principal is loaded once per request (LoadPrincipal) and then read without the database.
// - A user belongs to units, each with a scope kind. Capture (may write) implies view (may read
//   records and figures), which implies search (may look a resident up by exact ID number or phone
//   outside the view scope, seeing only the name, masked fields and the responsible unit). So the
//   view scope is the user's capture and view units, the search scope all of them.
// - A scope covers its units and everything below them: with org's immutable materialised paths,
//   the byte-order range [path, SubtreeUpperBound(path)). A city_admin on the city sees everything.
// - A unit that was retired (split, moved, 村改居) still counts, and so do its successors
//   (org_unit_link), so a re-gridding does not lock anybody out of their records.
// - DataScope gives the same answer in two forms: Sql() for queries (a condition over a unit path
//   column), and roots()/ranges()/Contains() for in-memory indexes (the segment read model keeps
//   each resident's unit path or a dense unit-row -> path table, and intersects with ranges();
//   LoadScopeUnitIds() expands a scope to unit ids where an index is keyed by unit id).
// - Masking is a pure function of the principal, its access to the record and whether an unmask
//   grant (auth/unmask.hpp) is active; handlers call FieldsFor() and never decide themselves.
// Thread-safety: Principal and DataScope are immutable values; share them freely.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "storage/connection.hpp"

namespace steward::auth {

enum class ScopeKind { kCapture, kView, kSearch };
const char* ScopeKindName(ScopeKind kind);  // capture | view | search
bool ParseScopeKind(std::string_view text, ScopeKind* kind);

struct ScopeUnit {
  Id id = 0;
  std::string path;  // org_unit.path, "/<city id>/.../<id>/"
};

// A SQL fragment with `?` placeholders and its parameters, to be ANDed into a WHERE clause.
struct SqlCondition {
  std::string sql;
  std::vector<storage::Value> params;  // owned strings: valid after the scope is gone
};

class DataScope {
 public:
  // A byte-order range of unit paths: low <= path < high.
  struct PathRange {
    std::string low;
    std::string high;
  };

  DataScope() = default;  // empty: contains nothing
  // Units below another listed unit are dropped (their parent covers them); duplicates too.
  explicit DataScope(std::vector<ScopeUnit> units);

  bool empty() const { return roots_.empty(); }
  // The top-most units of the scope, no one below another, ordered by path.
  const std::vector<ScopeUnit>& roots() const { return roots_; }
  // One range per root, in the same order; disjoint and sorted.
  const std::vector<PathRange>& ranges() const { return ranges_; }

  // True when a unit with this path lies in the scope. O(log roots).
  bool Contains(std::string_view unit_path) const;

  // "(col >= ? AND col < ?) OR ..." in parentheses, or "(1 = 0)" for an empty scope. The column
  // must hold org_unit paths compared in byte order (org_unit.path is declared {{C}}), so the
  // condition is an index range scan on both engines; no LIKE, so no metacharacters to escape.
  SqlCondition Sql(std::string_view path_column) const;

 private:
  std::vector<ScopeUnit> roots_;
  std::vector<PathRange> ranges_;
};

// One signed-in user as the policy sees them.
class Principal {
 public:
  struct Membership {
    ScopeKind kind = ScopeKind::kView;
    ScopeUnit unit;
  };

  Principal() = default;
  // `permissions` in any order, duplicates allowed; `units` as assigned (see the contract above).
  Principal(Id user_id, std::string login, std::string display_name,
            std::vector<std::string> permissions, const std::vector<Membership>& units);

  Id user_id() const { return user_id_; }
  const std::string& login() const { return login_; }
  const std::string& display_name() const { return display_name_; }
  // Sorted, unique.
  const std::vector<std::string>& permissions() const { return permissions_; }

  bool Can(std::string_view permission) const;
  const DataScope& Scope(ScopeKind kind) const;
  SqlCondition ScopeSql(ScopeKind kind, std::string_view path_column) const {
    return Scope(kind).Sql(path_column);
  }

 private:
  Id user_id_ = 0;
  std::string login_;
  std::string display_name_;
  std::vector<std::string> permissions_;
  DataScope capture_, view_, search_;
};

// Loads the user's permissions (the union of their roles') and units (with the successors of
// retired ones). kNotFound when there is no such user; kPermissionDenied when it is disabled.
Result<Principal> LoadPrincipal(storage::Connection& connection, Id user_id);

// Every unit id (current or retired) inside the scope, ordered by path.
Result<std::vector<Id>> LoadScopeUnitIds(storage::Connection& connection, const DataScope& scope);

// How far a principal reaches a record attached to a unit.
enum class RecordAccess { kNone, kSearchOnly, kView, kCapture };
RecordAccess AccessTo(const Principal& principal, std::string_view unit_path);

// What a response about one resident may show.
struct ResidentFields {
  bool details = false;          // everything beyond name, masked ID/phones and unit
  bool plain_id_number = false;  // otherwise the masked form
  bool plain_phones = false;
  bool sensitive_tags = false;  // tags whose dictionary entry has sensitive = 1
};

// Search-only access: name, masked fields and unit. View or capture: details; sensitive tags with
// registry:sensitive:view; plain ID number and phones only with registry:pii:unmask and an active
// grant for this resident (`unmask_granted`, from UnmaskStore::IsUnmasked).
ResidentFields FieldsFor(const Principal& principal, RecordAccess access, bool unmask_granted);

// `tags` without the sensitive ones unless `fields` allows them; order kept.
std::vector<std::string> VisibleTags(std::span<const std::string> tags,
                                     std::span<const std::string> sensitive_codes,
                                     const ResidentFields& fields);

}  // namespace steward::auth
