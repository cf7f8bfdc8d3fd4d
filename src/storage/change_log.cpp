#include "storage/change_log.hpp"

namespace steward::storage {
namespace {

constexpr std::string_view kSelect =
    "SELECT seq, at, actor, source, entity, entity_id, version, op, fields FROM change_log ";

ChangeEntry EntryFromRow(const RowView& row) {
  ChangeEntry entry;
  entry.seq = row.Int(0);
  entry.at_millis = row.Int(1);
  entry.actor = row.Text(2);
  entry.source = row.Text(3);
  entry.entity = row.Text(4);
  entry.entity_id = row.Int(5);
  entry.version = row.Int(6);
  entry.op = row.Text(7);
  entry.fields = nlohmann::json::parse(row.Text(8), nullptr, false);
  return entry;
}

}  // namespace

Result<std::vector<ChangeEntry>> ReadChangesSince(Connection& connection, int64_t cursor,
                                                  int limit) {
  std::vector<ChangeEntry> entries;
  const Value params[] = {cursor, int64_t{limit}};
  STEWARD_TRY(
      connection.QueryEach(std::string(kSelect) + "WHERE seq > ? ORDER BY seq LIMIT ?", params,
                           [&](const RowView& row) { entries.push_back(EntryFromRow(row)); }));
  return entries;
}

Result<std::vector<ChangeEntry>> ReadHistory(Connection& connection, std::string_view entity,
                                             Id entity_id) {
  std::vector<ChangeEntry> entries;
  const Value params[] = {entity, entity_id};
  STEWARD_TRY(connection.QueryEach(
      std::string(kSelect) + "WHERE entity = ? AND entity_id = ? ORDER BY seq", params,
      [&](const RowView& row) { entries.push_back(EntryFromRow(row)); }));
  return entries;
}

Result<int64_t> LastChangeSeq(Connection& connection) {
  STEWARD_ASSIGN_OR_RETURN(auto last,
                           connection.QueryInt("SELECT last_seq FROM change_counter WHERE id = 1"));
  return last.value_or(0);
}

}  // namespace steward::storage
