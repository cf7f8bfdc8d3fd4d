#include "audit/search.hpp"

namespace steward::audit {

Result<std::vector<AuditEntry>> Search(storage::Connection& connection, const AuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return Fail(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000",
                {{"limit", "audit.limit", "between 1 and 1000"}});
  }
  std::string sql =
      "SELECT seq, at, actor, action, target, detail, client, request_id, prev_hash, hash "
      "FROM audit_log WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (filter.actor) {
    sql += " AND actor = ?";
    params.emplace_back(std::string_view(*filter.actor));
  }
  if (filter.action && filter.action->ends_with('.')) {
    // Byte order on both engines ({{C}} columns): the prefix range ends where '.' becomes '/'.
    std::string end = *filter.action;
    end.back() = '/';
    sql += " AND action >= ? AND action < ?";
    params.emplace_back(std::string_view(*filter.action));
    params.emplace_back(std::move(end));
  } else if (filter.action) {
    sql += " AND action = ?";
    params.emplace_back(std::string_view(*filter.action));
  }
  if (filter.target) {
    sql += " AND target = ?";
    params.emplace_back(std::string_view(*filter.target));
  }
  if (filter.from_millis) {
    sql += " AND at >= ?";
    params.emplace_back(*filter.from_millis);
  }
  if (filter.to_millis) {
    sql += " AND at < ?";
    params.emplace_back(*filter.to_millis);
  }
  if (filter.before_seq) {
    sql += " AND seq < ?";
    params.emplace_back(*filter.before_seq);
  }
  sql += " ORDER BY seq DESC LIMIT ?";
  params.emplace_back(int64_t{filter.limit});

  std::vector<AuditEntry> entries;
  STEWARD_TRY(connection.QueryEach(sql, params, [&](const storage::RowView& row) {
    AuditEntry entry;
    entry.seq = row.Int(0);
    entry.at_millis = row.Int(1);
    entry.actor = row.Text(2);
    entry.action = row.Text(3);
    entry.target = row.Text(4);
    entry.detail = nlohmann::json::parse(row.Text(5), nullptr, /*allow_exceptions=*/false);
    if (entry.detail.is_discarded()) entry.detail = std::string(row.Text(5));
    entry.client = row.Text(6);
    entry.request_id = row.Text(7);
    entry.prev_hash = row.Text(8);
    entry.hash = row.Text(9);
    entries.push_back(std::move(entry));
  }));
  return entries;
}

}  // namespace steward::audit
