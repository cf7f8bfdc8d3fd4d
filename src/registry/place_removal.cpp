// Deleting places (PlaceStore::Delete*): only empty ones, for real, the row kept in the change log.
#include "registry/place.hpp"

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::Value;
using storage::WriteTransaction;

enum class Cell { kText, kInteger, kReal };

struct Column {
  std::string_view name;
  Cell cell;
};

// A kind of place: its table and the columns its change-log entry keeps (besides id, version).
struct Place {
  std::string_view table;
  std::span<const Column> columns;
  std::string_view missing;  // the kNotFound message
};

constexpr Column kComplexColumns[] = {{"unit_id", Cell::kInteger},
                                      {"name", Cell::kText},
                                      {"address", Cell::kText},
                                      {"property_company", Cell::kText},
                                      {"owners_committee", Cell::kText}};
constexpr Column kBuildingColumns[] = {{"complex_id", Cell::kInteger}, {"unit_id", Cell::kInteger},
                                       {"name", Cell::kText},          {"address", Cell::kText},
                                       {"lon", Cell::kReal},           {"lat", Cell::kReal},
                                       {"floors", Cell::kInteger},     {"units", Cell::kInteger}};
constexpr Column kHouseholdColumns[] = {{"building_id", Cell::kInteger},
                                        {"unit_no", Cell::kText},
                                        {"room", Cell::kText},
                                        {"head_resident_id", Cell::kInteger},
                                        {"assistance_type", Cell::kText},
                                        {"assistance_from", Cell::kText},
                                        {"assistance_to", Cell::kText}};

constexpr Place kComplex{"complex", kComplexColumns, "没有这个小区 / no such complex"};
constexpr Place kBuilding{"building", kBuildingColumns, "没有这栋楼 / no such building"};
constexpr Place kHousehold{"household", kHouseholdColumns, "没有这一户 / no such household"};

tl::unexpected<Error> Stale() {
  return Fail(ErrorCode::kConflict, "记录已被他人修改 / the place changed meanwhile",
              {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
}

// The row as it is, when it is still at `expected_version`.
Result<nlohmann::json> RowAtVersion(Connection& connection, const Place& place, Id id,
                                    int64_t expected_version) {
  std::string sql = "SELECT version";
  for (const auto& column : place.columns) sql += ", " + std::string(column.name);
  STEWARD_ASSIGN_OR_RETURN(
      auto rows,
      connection.Query(sql + " FROM " + std::string(place.table) + " WHERE id = ?", {id}));
  if (rows.empty()) return Fail(ErrorCode::kNotFound, std::string(place.missing));
  if (rows.Int(0, 0) != expected_version) return Stale();
  nlohmann::json fields = nlohmann::json::object();
  for (size_t i = 0; i < place.columns.size(); ++i) {
    const Column& column = place.columns[i];
    nlohmann::json& field = fields[std::string(column.name)];
    if (rows.IsNull(0, i + 1)) continue;  // stays null
    switch (column.cell) {
      case Cell::kText:
        field = rows.Text(0, i + 1);
        break;
      case Cell::kInteger:
        field = rows.Int(0, i + 1);
        break;
      case Cell::kReal:
        field = rows.Real(0, i + 1);
        break;
    }
  }
  return fields;
}

// kFailedPrecondition when `count` records of `what` still belong to the place.
Status RefuseIfAny(std::optional<int64_t> count, std::string_view code, std::string_view what_zh,
                   std::string_view what_en) {
  if (count.value_or(0) == 0) return Ok();
  const std::string n = std::to_string(*count);
  return Fail(ErrorCode::kFailedPrecondition,
              "还有 " + n + " " + std::string(what_zh) + "，不能删除 / " + n + " " +
                  std::string(what_en) + " still belong to it: it cannot be deleted",
              {{"id", std::string(code), "还有 " + n + " " + std::string(what_zh)}});
}

// Deletes the row still at `expected_version` and records it as it was.
Status Remove(WriteTransaction& transaction, const Place& place, Id id, int64_t expected_version,
              nlohmann::json row) {
  STEWARD_ASSIGN_OR_RETURN(
      int64_t deleted, transaction.connection().Execute("DELETE FROM " + std::string(place.table) +
                                                            " WHERE id = ? AND version = ?",
                                                        {id, expected_version}));
  if (deleted != 1) return Stale();
  transaction.RecordChange(ChangeRecord{std::string(place.table), id, expected_version + 1,
                                        ChangeOp::kDelete, std::move(row)});
  return Ok();
}

// Rows of `table` whose `column` still names the place although they are over (deleted
// residents, ended assignments) let go of it: the column becomes null, each change recorded.
Status Release(WriteTransaction& transaction, std::string_view table, std::string_view column,
               std::string_view over, Id place, int64_t now) {
  Connection& connection = transaction.connection();
  const std::string where = " WHERE " + std::string(column) + " = ? AND " + std::string(over);
  std::vector<std::pair<Id, int64_t>> released;
  const Value params[] = {place};
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, version FROM " + std::string(table) + where, params,
      [&](const storage::RowView& row) { released.emplace_back(row.Int(0), row.Int(1)); }));
  if (released.empty()) return Ok();
  STEWARD_TRY(connection.Execute("UPDATE " + std::string(table) + " SET " + std::string(column) +
                                     " = NULL, version = version + 1, updated_at = ?" + where,
                                 {now, place}));
  for (const auto& [id, version] : released) {
    transaction.RecordChange(
        ChangeRecord{std::string(table),
                     id,
                     version + 1,
                     ChangeOp::kUpdate,
                     {{std::string(column), {{"old", place}, {"new", nullptr}}}}});
  }
  return Ok();
}

}  // namespace

Status PlaceStore::DeleteComplex(WriteTransaction& transaction, Id id, int64_t expected_version) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto row, RowAtVersion(connection, kComplex, id, expected_version));
  STEWARD_ASSIGN_OR_RETURN(
      auto buildings,
      connection.QueryInt("SELECT count(*) FROM building WHERE complex_id = ?", {id}));
  STEWARD_TRY(RefuseIfAny(buildings, "place.has_buildings", "栋楼", "buildings"));
  return Remove(transaction, kComplex, id, expected_version, std::move(row));
}

Status PlaceStore::DeleteBuilding(WriteTransaction& transaction, Id id, int64_t expected_version) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto row, RowAtVersion(connection, kBuilding, id, expected_version));
  STEWARD_ASSIGN_OR_RETURN(
      auto households,
      connection.QueryInt("SELECT count(*) FROM household WHERE building_id = ?", {id}));
  STEWARD_TRY(RefuseIfAny(households, "place.has_households", "户", "households"));
  STEWARD_ASSIGN_OR_RETURN(
      auto leaders, connection.QueryInt("SELECT count(*) FROM unit_staff WHERE building_id = ? "
                                        "AND valid_to IS NULL",
                                        {id}));
  STEWARD_TRY(RefuseIfAny(leaders, "place.has_staff", "位在任楼栋长", "building leaders"));
  STEWARD_TRY(Release(transaction, "unit_staff", "building_id", "valid_to IS NOT NULL", id,
                      clock_.NowMillis()));
  return Remove(transaction, kBuilding, id, expected_version, std::move(row));
}

Status PlaceStore::DeleteHousehold(WriteTransaction& transaction, Id id, int64_t expected_version) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto row, RowAtVersion(connection, kHousehold, id, expected_version));
  STEWARD_ASSIGN_OR_RETURN(
      auto residents, connection.QueryInt("SELECT count(*) FROM resident WHERE household_id = ? "
                                          "AND deleted_at IS NULL",
                                          {id}));
  STEWARD_TRY(RefuseIfAny(residents, "place.has_residents", "位在册居民", "living residents"));
  STEWARD_TRY(Release(transaction, "resident", "household_id", "deleted_at IS NOT NULL", id,
                      clock_.NowMillis()));
  return Remove(transaction, kHousehold, id, expected_version, std::move(row));
}

}  // namespace steward::registry
