#include "registry/place.hpp"

#include "org/unit.hpp"

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Value;
using storage::WriteTransaction;

nlohmann::json OptJson(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

Value Stored(const auto& value) { return value ? Value(*value) : Value(nullptr); }

tl::unexpected<Error> Stale(std::string_view table) {
  const std::string what = table == "complex"    ? "小区已被他人修改 / the complex"
                           : table == "building" ? "楼栋已被他人修改 / the building"
                                                 : "这一户已被他人修改 / the household";
  return Fail(ErrorCode::kConflict, what + " changed meanwhile",
              {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
}

// The columns an update changes: its SET clause, their values and the change-log fields.
struct ColumnChanges {
  nlohmann::json fields = nlohmann::json::object();
  std::string sets;
  std::vector<Value> params;

  void Add(const char* column, nlohmann::json old_value, nlohmann::json new_value, Value stored) {
    if (old_value == new_value) return;
    fields[column] = {{"old", std::move(old_value)}, {"new", std::move(new_value)}};
    sets += std::string(column) + " = ?, ";
    params.push_back(std::move(stored));
  }
};

// Writes `changes` to the row if it is still at `expected_version` and records them; returns the
// row's version (unchanged when there is nothing to write).
Result<int64_t> Apply(WriteTransaction& transaction, std::string_view table, Id id,
                      int64_t expected_version, ColumnChanges changes, int64_t now) {
  if (changes.fields.empty()) return expected_version;
  changes.params.push_back(now);
  changes.params.push_back(id);
  changes.params.push_back(expected_version);
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed, transaction.connection().Execute(
                           "UPDATE " + std::string(table) + " SET " + changes.sets +
                               "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                           changes.params));
  if (changed != 1) return Stale(table);
  transaction.RecordChange(ChangeRecord{std::string(table), id, expected_version + 1,
                                        ChangeOp::kUpdate, std::move(changes.fields)});
  return expected_version + 1;
}

}  // namespace

const char* AssistanceTypeName(AssistanceType type) {
  switch (type) {
    case AssistanceType::kSubsistenceAllowance:
      return "subsistence_allowance";
    case AssistanceType::kNearPoverty:
      return "near_poverty";
    case AssistanceType::kExtremePoverty:
      return "extreme_poverty";
  }
  return "subsistence_allowance";
}

const char* AssistanceTypeLabel(AssistanceType type) {
  switch (type) {
    case AssistanceType::kSubsistenceAllowance:
      return "低保";
    case AssistanceType::kNearPoverty:
      return "低边";
    case AssistanceType::kExtremePoverty:
      return "特困";
  }
  return "低保";
}

bool ParseAssistanceType(std::string_view text, AssistanceType* type) {
  for (auto candidate : {AssistanceType::kSubsistenceAllowance, AssistanceType::kNearPoverty,
                         AssistanceType::kExtremePoverty}) {
    if (text == AssistanceTypeName(candidate) || text == AssistanceTypeLabel(candidate)) {
      *type = candidate;
      return true;
    }
  }
  return false;
}

Result<std::vector<Id>> PlaceStore::CreateComplexes(WriteTransaction& transaction,
                                                    std::span<const NewComplex> complexes) {
  static constexpr std::string_view kColumns[] = {"id",      "unit_id",          "name",
                                                  "address", "property_company", "owners_committee",
                                                  "version", "created_at",       "updated_at"};
  STEWARD_ASSIGN_OR_RETURN(auto rows,
                           transaction.connection().BeginBulkInsert("complex", kColumns));
  const int64_t now = clock_.NowMillis();
  std::vector<Id> ids;
  for (const auto& complex : complexes) {
    const Id id = ids_.Next();
    const Value row[] = {id,
                         complex.unit_id,
                         std::string_view(complex.name),
                         std::string_view(complex.address),
                         std::string_view(complex.property_company),
                         std::string_view(complex.owners_committee),
                         int64_t{1},
                         now,
                         now};
    STEWARD_TRY(rows->Add(row));
    transaction.RecordChange(ChangeRecord{"complex",
                                          id,
                                          1,
                                          ChangeOp::kCreate,
                                          {{"unit_id", complex.unit_id},
                                           {"name", complex.name},
                                           {"address", complex.address},
                                           {"property_company", complex.property_company},
                                           {"owners_committee", complex.owners_committee}}});
    ids.push_back(id);
  }
  STEWARD_TRY(rows->Finish());
  return ids;
}

Result<std::vector<Id>> PlaceStore::CreateBuildings(WriteTransaction& transaction,
                                                    std::span<const NewBuilding> buildings) {
  static constexpr std::string_view kColumns[] = {
      "id",  "complex_id", "unit_id", "name",    "address",    "lon",
      "lat", "floors",     "units",   "version", "created_at", "updated_at"};
  STEWARD_ASSIGN_OR_RETURN(auto rows,
                           transaction.connection().BeginBulkInsert("building", kColumns));
  const int64_t now = clock_.NowMillis();
  std::vector<Id> ids;
  auto opt_real = [](const std::optional<double>& v) { return v ? Value(*v) : Value(nullptr); };
  auto opt_int = [](const std::optional<int>& v) {
    return v ? Value(static_cast<int64_t>(*v)) : Value(nullptr);
  };
  for (const auto& building : buildings) {
    const Id id = ids_.Next();
    const Value row[] = {id,
                         storage::OrNull(building.complex_id),
                         building.unit_id,
                         std::string_view(building.name),
                         std::string_view(building.address),
                         opt_real(building.lon),
                         opt_real(building.lat),
                         opt_int(building.floors),
                         opt_int(building.units),
                         int64_t{1},
                         now,
                         now};
    STEWARD_TRY(rows->Add(row));
    transaction.RecordChange(ChangeRecord{"building",
                                          id,
                                          1,
                                          ChangeOp::kCreate,
                                          {{"complex_id", OptJson(building.complex_id)},
                                           {"unit_id", building.unit_id},
                                           {"name", building.name},
                                           {"address", building.address},
                                           {"lon", OptJson(building.lon)},
                                           {"lat", OptJson(building.lat)},
                                           {"floors", OptJson(building.floors)},
                                           {"units", OptJson(building.units)}}});
    ids.push_back(id);
  }
  STEWARD_TRY(rows->Finish());
  return ids;
}

Result<std::vector<Id>> PlaceStore::CreateHouseholds(WriteTransaction& transaction,
                                                     std::span<const NewHousehold> households) {
  static constexpr std::string_view kColumns[] = {"id",
                                                  "building_id",
                                                  "unit_no",
                                                  "room",
                                                  "head_resident_id",
                                                  "assistance_type",
                                                  "assistance_from",
                                                  "assistance_to",
                                                  "version",
                                                  "created_at",
                                                  "updated_at"};
  STEWARD_ASSIGN_OR_RETURN(auto rows,
                           transaction.connection().BeginBulkInsert("household", kColumns));
  const int64_t now = clock_.NowMillis();
  std::vector<Id> ids;
  for (const auto& household : households) {
    const Id id = household.id ? household.id : ids_.Next();
    const std::optional<std::string> type =
        household.assistance ? std::optional(AssistanceTypeName(*household.assistance))
                             : std::nullopt;
    const std::optional<std::string> from =
        household.assistance_from ? std::optional(household.assistance_from->ToString())
                                  : std::nullopt;
    const std::optional<std::string> to =
        household.assistance_to ? std::optional(household.assistance_to->ToString()) : std::nullopt;
    const Value row[] = {id,
                         household.building_id,
                         std::string_view(household.unit_no),
                         std::string_view(household.room),
                         storage::OrNull(household.head_resident_id),
                         storage::OrNull(type),
                         storage::OrNull(from),
                         storage::OrNull(to),
                         int64_t{1},
                         now,
                         now};
    STEWARD_TRY(rows->Add(row));
    transaction.RecordChange(
        ChangeRecord{"household",
                     id,
                     1,
                     ChangeOp::kCreate,
                     {{"building_id", household.building_id},
                      {"unit_no", household.unit_no},
                      {"room", household.room},
                      {"head_resident_id", OptJson(household.head_resident_id)},
                      {"assistance_type", OptJson(type)},
                      {"assistance_from", OptJson(from)},
                      {"assistance_to", OptJson(to)}}});
    ids.push_back(id);
  }
  STEWARD_TRY(rows->Finish());
  return ids;
}

Result<int64_t> PlaceStore::UpdateBuilding(WriteTransaction& transaction, Id id,
                                           int64_t expected_version, const BuildingPatch& patch) {
  STEWARD_ASSIGN_OR_RETURN(auto rows, transaction.connection().Query(
                                          "SELECT name, address, lon, lat, floors, units, version "
                                          "FROM building WHERE id = ?",
                                          {id}));
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这栋楼 / no such building");
  if (rows.Int(0, 6) != expected_version) return Stale("building");
  auto real = [&](size_t column) {
    return rows.IsNull(0, column) ? nlohmann::json() : nlohmann::json(rows.Real(0, column));
  };
  auto integer = [&](size_t column) {
    return rows.IsNull(0, column) ? nlohmann::json() : nlohmann::json(rows.Int(0, column));
  };
  ColumnChanges changes;
  if (patch.name) changes.Add("name", rows.Text(0, 0), *patch.name, *patch.name);
  if (patch.address) changes.Add("address", rows.Text(0, 1), *patch.address, *patch.address);
  if (patch.lon) changes.Add("lon", real(2), OptJson(*patch.lon), Stored(*patch.lon));
  if (patch.lat) changes.Add("lat", real(3), OptJson(*patch.lat), Stored(*patch.lat));
  if (patch.floors) {
    changes.Add("floors", integer(4), OptJson(*patch.floors), Stored(*patch.floors));
  }
  if (patch.units) changes.Add("units", integer(5), OptJson(*patch.units), Stored(*patch.units));
  return Apply(transaction, "building", id, expected_version, std::move(changes),
               clock_.NowMillis());
}

Result<int64_t> PlaceStore::UpdateComplex(WriteTransaction& transaction, Id id,
                                          int64_t expected_version, const ComplexPatch& patch) {
  storage::Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto rows,
                           connection.Query("SELECT unit_id, name, address, property_company, "
                                            "owners_committee, version FROM complex WHERE id = ?",
                                            {id}));
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这个小区 / no such complex");
  if (rows.Int(0, 5) != expected_version) return Stale("complex");
  ColumnChanges changes;
  if (patch.unit_id && *patch.unit_id != rows.Int(0, 0)) {
    STEWARD_ASSIGN_OR_RETURN(
        auto unit, connection.Query("SELECT path FROM org_unit WHERE id = ?", {*patch.unit_id}));
    if (unit.empty()) return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
    const std::string& path = unit.Text(0, 0);
    STEWARD_ASSIGN_OR_RETURN(
        auto elsewhere,
        connection.QueryInt("SELECT count(*) FROM building b JOIN org_unit u ON u.id = b.unit_id "
                            "WHERE b.complex_id = ? AND NOT (u.path >= ? AND u.path < ?)",
                            {id, path, org::SubtreeUpperBound(path)}));
    if (elsewhere.value_or(0) > 0) {
      const std::string count = std::to_string(*elsewhere);
      return Fail(ErrorCode::kFailedPrecondition,
                  "小区有 " + count + " 栋楼不在新社区内 / " + count +
                      " buildings of the complex lie outside the new community",
                  {{"unit_id", "place.buildings_elsewhere",
                    count + " 栋楼不在新社区内 / " + count + " buildings outside it"}});
    }
    changes.Add("unit_id", rows.Int(0, 0), *patch.unit_id, *patch.unit_id);
  }
  auto text = [&](const char* column, size_t index, const std::optional<std::string>& wanted) {
    if (wanted) changes.Add(column, rows.Text(0, index), *wanted, *wanted);
  };
  text("name", 1, patch.name);
  text("address", 2, patch.address);
  text("property_company", 3, patch.property_company);
  text("owners_committee", 4, patch.owners_committee);
  return Apply(transaction, "complex", id, expected_version, std::move(changes),
               clock_.NowMillis());
}

Result<HouseholdUpdate> PlaceStore::UpdateHousehold(WriteTransaction& transaction, Id id,
                                                    int64_t expected_version,
                                                    const HouseholdPatch& patch) {
  storage::Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT h.building_id, h.unit_no, h.room, h.head_resident_id, "
                                  "h.assistance_type, h.assistance_from, h.assistance_to, "
                                  "h.version, b.unit_id FROM household h "
                                  "JOIN building b ON b.id = h.building_id WHERE h.id = ?",
                                  {id}));
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这一户 / no such household");
  if (rows.Int(0, 7) != expected_version) return Stale("household");
  const Id old_unit = rows.Int(0, 8);
  Id new_unit = old_unit;
  ColumnChanges changes;
  if (patch.building_id && *patch.building_id != rows.Int(0, 0)) {
    STEWARD_ASSIGN_OR_RETURN(
        auto unit,
        connection.QueryInt("SELECT unit_id FROM building WHERE id = ?", {*patch.building_id}));
    if (!unit) {
      return Fail(ErrorCode::kInvalidArgument, "没有这栋楼 / no such building",
                  {{"building_id", "household.building_unknown", "没有这栋楼 / no such building"}});
    }
    new_unit = *unit;
    changes.Add("building_id", rows.Int(0, 0), *patch.building_id, *patch.building_id);
  }
  if (patch.unit_no) changes.Add("unit_no", rows.Text(0, 1), *patch.unit_no, *patch.unit_no);
  if (patch.room) changes.Add("room", rows.Text(0, 2), *patch.room, *patch.room);
  if (!changes.fields.empty()) {
    const Id building = patch.building_id.value_or(rows.Int(0, 0));
    const std::string unit_no = patch.unit_no.value_or(rows.Text(0, 1));
    const std::string room = patch.room.value_or(rows.Text(0, 2));
    STEWARD_ASSIGN_OR_RETURN(
        auto taken, connection.QueryInt("SELECT id FROM household WHERE building_id = ? AND "
                                        "unit_no = ? AND room = ? AND id <> ?",
                                        {building, unit_no, room, id}));
    if (taken) {
      return Fail(ErrorCode::kAlreadyExists, "这一户已登记 / this household exists",
                  {{"room", "household.duplicate", "这一户已登记 / already registered"}});
    }
  }
  if (patch.head_resident_id) {
    if (*patch.head_resident_id) {
      STEWARD_ASSIGN_OR_RETURN(
          auto member,
          connection.QueryInt("SELECT 1 FROM resident WHERE id = ? AND household_id = ? AND "
                              "deleted_at IS NULL",
                              {**patch.head_resident_id, id}));
      if (!member) {
        return Fail(ErrorCode::kInvalidArgument, "户主应为本户在册居民 / the head must live here",
                    {{"head_resident_id", "household.head_not_member",
                      "户主应为本户在册居民 / the head must be a living member"}});
      }
    }
    changes.Add("head_resident_id", OptJson(rows.OptInt(0, 3)), OptJson(*patch.head_resident_id),
                Stored(*patch.head_resident_id));
  }
  if (patch.assistance) {
    const std::optional<std::string> type =
        *patch.assistance ? std::optional<std::string>(AssistanceTypeName(**patch.assistance))
                          : std::nullopt;
    changes.Add("assistance_type", OptJson(rows.OptText(0, 4)), OptJson(type), Stored(type));
  }
  auto date = [&](const char* column, size_t index,
                  const std::optional<std::optional<Date>>& wanted) {
    if (!wanted) return;
    const std::optional<std::string> text =
        *wanted ? std::optional((*wanted)->ToString()) : std::nullopt;
    changes.Add(column, OptJson(rows.OptText(0, index)), OptJson(text), Stored(text));
  };
  date("assistance_from", 5, patch.assistance_from);
  date("assistance_to", 6, patch.assistance_to);
  const int64_t now = clock_.NowMillis();
  HouseholdUpdate update;
  STEWARD_ASSIGN_OR_RETURN(update.version, Apply(transaction, "household", id, expected_version,
                                                 std::move(changes), now));
  if (new_unit == old_unit) return update;
  // The living residents counted under the old building's micro-grid count under the new one.
  std::vector<std::pair<Id, int64_t>> moved;
  const Value select[] = {id, old_unit};
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, version FROM resident WHERE household_id = ? AND unit_id = ? AND "
      "deleted_at IS NULL",
      select, [&](const storage::RowView& row) { moved.emplace_back(row.Int(0), row.Int(1)); }));
  if (moved.empty()) return update;
  STEWARD_TRY(
      connection.Execute("UPDATE resident SET unit_id = ?, version = version + 1, updated_at = ? "
                         "WHERE household_id = ? AND unit_id = ? AND deleted_at IS NULL",
                         {new_unit, now, id, old_unit}));
  for (const auto& [resident, version] : moved) {
    transaction.RecordChange(ChangeRecord{"resident",
                                          resident,
                                          version + 1,
                                          ChangeOp::kUpdate,
                                          {{"unit_id", {{"old", old_unit}, {"new", new_unit}}}}});
  }
  update.residents_moved = static_cast<int64_t>(moved.size());
  return update;
}

}  // namespace steward::registry
