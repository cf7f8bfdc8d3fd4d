#include "auth/unmask.hpp"

#include <algorithm>

#include "auth/permission.hpp"

namespace steward::auth {

using storage::Connection;
using storage::RowView;
using storage::Value;

namespace {

// How many ids one UnmaskedAmong query names (well below both engines' parameter limits).
constexpr size_t kIdsPerQuery = 500;

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

}  // namespace

Result<UnmaskGrant> UnmaskStore::Grant(storage::WriteTransaction& transaction,
                                       const Principal& principal, Id resident_id,
                                       std::string_view resident_unit_path,
                                       std::string_view purpose) {
  if (!principal.Can(permission::kPiiUnmask)) {
    return Fail(ErrorCode::kPermissionDenied,
                "没有查看完整个人信息的权限 / you may not unmask personal data");
  }
  if (IsBlank(purpose) || purpose.size() > kMaxPurposeLength) {
    return Fail(ErrorCode::kInvalidArgument,
                "请填写查看用途（最多 500 字节）/ state the purpose (at most 500 bytes)",
                {{"purpose", "required",
                  "请填写查看用途（最多 500 字节）/ state the purpose (at most 500 bytes)"}});
  }
  if (!principal.Scope(ScopeKind::kView).Contains(resident_unit_path)) {
    return Fail(ErrorCode::kPermissionDenied,
                "该居民不在您的管辖范围内 / the resident is outside your units");
  }
  UnmaskGrant grant;
  grant.id = ids_.Next();
  grant.user_id = principal.user_id();
  grant.resident_id = resident_id;
  grant.purpose = purpose;
  grant.granted_at = clock_.NowMillis();
  grant.expires_at = grant.granted_at + options_.validity_millis;
  STEWARD_TRY(transaction.connection().Execute(
      "INSERT INTO pii_unmask (id, user_id, resident_id, purpose, granted_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {grant.id, grant.user_id, grant.resident_id, grant.purpose, grant.granted_at,
       grant.expires_at}));
  return grant;
}

Result<bool> UnmaskStore::IsUnmasked(Connection& connection, Id user_id, Id resident_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto found, connection.QueryInt("SELECT count(*) FROM pii_unmask WHERE user_id = ? AND "
                                      "resident_id = ? AND expires_at > ?",
                                      {user_id, resident_id, clock_.NowMillis()}));
  return found.value_or(0) > 0;
}

Result<std::vector<Id>> UnmaskStore::UnmaskedAmong(Connection& connection, Id user_id,
                                                   std::span<const Id> resident_ids) {
  std::vector<Id> unmasked;
  const int64_t now = clock_.NowMillis();
  for (size_t start = 0; start < resident_ids.size(); start += kIdsPerQuery) {
    const auto chunk =
        resident_ids.subspan(start, std::min(kIdsPerQuery, resident_ids.size() - start));
    std::string sql =
        "SELECT DISTINCT resident_id FROM pii_unmask WHERE user_id = ? AND expires_at > ? AND "
        "resident_id IN (";
    std::vector<Value> params{user_id, now};
    for (size_t i = 0; i < chunk.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(chunk[i]);
    }
    sql += ")";
    STEWARD_TRY(connection.QueryEach(sql, params,
                                     [&](const RowView& row) { unmasked.push_back(row.Int(0)); }));
  }
  std::sort(unmasked.begin(), unmasked.end());
  unmasked.erase(std::unique(unmasked.begin(), unmasked.end()), unmasked.end());
  return unmasked;
}

}  // namespace steward::auth
