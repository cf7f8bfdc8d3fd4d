#include "auth/policy.hpp"

#include <algorithm>
#include <set>

#include "auth/permission.hpp"
#include "org/unit.hpp"

namespace steward::auth {

using storage::Connection;
using storage::RowView;
using storage::Value;

namespace {

// How many generations of successors LoadPrincipal follows from a retired unit.
constexpr int kMaxSuccessorGenerations = 16;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

const char* ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kCapture:
      return "capture";
    case ScopeKind::kView:
      return "view";
    case ScopeKind::kSearch:
      return "search";
  }
  return "view";
}

bool ParseScopeKind(std::string_view text, ScopeKind* kind) {
  for (const ScopeKind candidate : {ScopeKind::kCapture, ScopeKind::kView, ScopeKind::kSearch}) {
    if (text == ScopeKindName(candidate)) {
      *kind = candidate;
      return true;
    }
  }
  return false;
}

DataScope::DataScope(std::vector<ScopeUnit> units) {
  std::sort(units.begin(), units.end(),
            [](const ScopeUnit& a, const ScopeUnit& b) { return a.path < b.path; });
  for (auto& unit : units) {
    if (unit.path.empty()) continue;
    // Sorted by path, a unit below a kept root comes right after it or after its other children.
    if (!roots_.empty() && StartsWith(unit.path, roots_.back().path)) continue;
    ranges_.push_back(PathRange{unit.path, org::SubtreeUpperBound(unit.path)});
    roots_.push_back(std::move(unit));
  }
}

bool DataScope::Contains(std::string_view unit_path) const {
  // The only candidate is the last range starting at or before the path: ranges are disjoint.
  auto after = std::upper_bound(ranges_.begin(), ranges_.end(), unit_path,
                                [](std::string_view path, const PathRange& range) {
                                  return path < std::string_view(range.low);
                                });
  if (after == ranges_.begin()) return false;
  const PathRange& range = *std::prev(after);
  return unit_path < std::string_view(range.high);
}

SqlCondition DataScope::Sql(std::string_view path_column) const {
  SqlCondition condition;
  if (ranges_.empty()) {
    condition.sql = "(1 = 0)";
    return condition;
  }
  condition.sql = "(";
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (i > 0) condition.sql += " OR ";
    condition.sql += "(";
    condition.sql += path_column;
    condition.sql += " >= ? AND ";
    condition.sql += path_column;
    condition.sql += " < ?)";
    condition.params.emplace_back(ranges_[i].low);
    condition.params.emplace_back(ranges_[i].high);
  }
  condition.sql += ")";
  return condition;
}

Principal::Principal(Id user_id, std::string login, std::string display_name,
                     std::vector<std::string> permissions, const std::vector<Membership>& units)
    : user_id_(user_id),
      login_(std::move(login)),
      display_name_(std::move(display_name)),
      permissions_(std::move(permissions)) {
  std::sort(permissions_.begin(), permissions_.end());
  permissions_.erase(std::unique(permissions_.begin(), permissions_.end()), permissions_.end());
  std::vector<ScopeUnit> capture, view, search;
  for (const auto& membership : units) {
    // capture ⊆ view ⊆ search
    search.push_back(membership.unit);
    if (membership.kind != ScopeKind::kSearch) view.push_back(membership.unit);
    if (membership.kind == ScopeKind::kCapture) capture.push_back(membership.unit);
  }
  capture_ = DataScope(std::move(capture));
  view_ = DataScope(std::move(view));
  search_ = DataScope(std::move(search));
}

bool Principal::Can(std::string_view permission) const {
  return std::binary_search(permissions_.begin(), permissions_.end(), permission,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

const DataScope& Principal::Scope(ScopeKind kind) const {
  switch (kind) {
    case ScopeKind::kCapture:
      return capture_;
    case ScopeKind::kView:
      return view_;
    case ScopeKind::kSearch:
      return search_;
  }
  return view_;
}

Result<Principal> LoadPrincipal(Connection& connection, Id user_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto users,
      connection.Query("SELECT login, display_name, disabled FROM app_user WHERE id = ?",
                       {user_id}));
  if (users.empty())
    return Fail(ErrorCode::kNotFound, "no user with id " + std::to_string(user_id));
  if (users.Int(0, 2) != 0) {
    return Fail(ErrorCode::kPermissionDenied, "账号已停用 / the account is disabled");
  }

  std::vector<std::string> permissions;
  const Value user_param[] = {user_id};
  STEWARD_TRY(connection.QueryEach(
      "SELECT DISTINCT rp.permission FROM user_role ur "
      "JOIN role_permission rp ON rp.role_code = ur.role_code WHERE ur.user_id = ?",
      user_param, [&](const RowView& row) { permissions.emplace_back(row.Text(0)); }));

  std::vector<Principal::Membership> units;
  std::vector<std::pair<ScopeKind, Id>> retired;  // units whose successors also count
  STEWARD_TRY(connection.QueryEach(
      "SELECT uu.scope, u.id, u.path, u.valid_to FROM user_unit uu "
      "JOIN org_unit u ON u.id = uu.unit_id WHERE uu.user_id = ?",
      user_param, [&](const RowView& row) {
        ScopeKind kind = ScopeKind::kView;
        if (!ParseScopeKind(row.Text(0), &kind)) return;  // unknown scope: grants nothing
        units.push_back({kind, ScopeUnit{row.Int(1), std::string(row.Text(2))}});
        if (!row.IsNull(3)) retired.emplace_back(kind, row.Int(1));
      }));

  std::set<std::pair<ScopeKind, Id>> seen(retired.begin(), retired.end());
  for (int generation = 0; generation < kMaxSuccessorGenerations && !retired.empty();
       ++generation) {
    std::vector<std::pair<ScopeKind, Id>> next;
    for (const auto& [kind, unit_id] : retired) {
      const Value params[] = {unit_id};
      STEWARD_TRY(connection.QueryEach(
          "SELECT u.id, u.path, u.valid_to FROM org_unit_link l "
          "JOIN org_unit u ON u.id = l.unit_id WHERE l.predecessor_id = ?",
          params, [&](const RowView& row) {
            const Id successor = row.Int(0);
            if (!seen.emplace(kind, successor).second) return;
            units.push_back({kind, ScopeUnit{successor, std::string(row.Text(1))}});
            if (!row.IsNull(2)) next.emplace_back(kind, successor);
          }));
    }
    retired = std::move(next);
  }
  return Principal(user_id, users.Text(0, 0), users.Text(0, 1), std::move(permissions), units);
}

Result<std::vector<Id>> LoadScopeUnitIds(Connection& connection, const DataScope& scope) {
  std::vector<Id> ids;
  for (const auto& range : scope.ranges()) {
    const Value params[] = {range.low, range.high};
    STEWARD_TRY(
        connection.QueryEach("SELECT id FROM org_unit WHERE path >= ? AND path < ? ORDER BY path",
                             params, [&](const RowView& row) { ids.push_back(row.Int(0)); }));
  }
  return ids;
}

RecordAccess AccessTo(const Principal& principal, std::string_view unit_path) {
  if (principal.Scope(ScopeKind::kCapture).Contains(unit_path)) return RecordAccess::kCapture;
  if (principal.Scope(ScopeKind::kView).Contains(unit_path)) return RecordAccess::kView;
  if (principal.Scope(ScopeKind::kSearch).Contains(unit_path)) return RecordAccess::kSearchOnly;
  return RecordAccess::kNone;
}

ResidentFields FieldsFor(const Principal& principal, RecordAccess access, bool unmask_granted) {
  ResidentFields fields;
  if (access != RecordAccess::kView && access != RecordAccess::kCapture) return fields;
  fields.details = true;
  fields.sensitive_tags = principal.Can(permission::kSensitiveView);
  const bool unmasked = unmask_granted && principal.Can(permission::kPiiUnmask);
  fields.plain_id_number = unmasked;
  fields.plain_phones = unmasked;
  return fields;
}

std::vector<std::string> VisibleTags(std::span<const std::string> tags,
                                     std::span<const std::string> sensitive_codes,
                                     const ResidentFields& fields) {
  std::vector<std::string> visible;
  for (const auto& tag : tags) {
    const bool sensitive =
        std::find(sensitive_codes.begin(), sensitive_codes.end(), tag) != sensitive_codes.end();
    if (fields.details && (!sensitive || fields.sensitive_tags)) visible.push_back(tag);
  }
  return visible;
}

}  // namespace steward::auth
