#include "registry/place.hpp"

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Value;
using storage::WriteTransaction;

nlohmann::json OptJson(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
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

Result<int64_t> PlaceStore::UpdateBuilding(storage::WriteTransaction& transaction, Id id,
                                           int64_t expected_version, const BuildingPatch& patch) {
  storage::Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT name, address, lon, lat, floors, units, version FROM "
                                  "building WHERE id = ?",
                                  {id}));
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这栋楼 / no such building");
  if (rows.Int(0, 6) != expected_version) {
    return Fail(ErrorCode::kConflict, "楼栋已被他人修改 / the building changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  nlohmann::json fields = nlohmann::json::object();
  std::string sets;
  std::vector<storage::Value> params;
  auto change = [&](const char* column, nlohmann::json old_value, nlohmann::json new_value,
                    storage::Value stored) {
    if (old_value == new_value) return;
    fields[column] = {{"old", std::move(old_value)}, {"new", std::move(new_value)}};
    sets += std::string(column) + " = ?, ";
    params.push_back(std::move(stored));
  };
  auto real = [&](size_t column) {
    return rows.IsNull(0, column) ? nlohmann::json() : nlohmann::json(rows.Real(0, column));
  };
  auto integer = [&](size_t column) {
    return rows.IsNull(0, column) ? nlohmann::json() : nlohmann::json(rows.Int(0, column));
  };
  auto stored = [](const auto& value) -> storage::Value {
    if (!value) return storage::Value(nullptr);
    return storage::Value(*value);
  };
  if (patch.name) change("name", rows.Text(0, 0), *patch.name, *patch.name);
  if (patch.address) change("address", rows.Text(0, 1), *patch.address, *patch.address);
  if (patch.lon) change("lon", real(2), OptJson(*patch.lon), stored(*patch.lon));
  if (patch.lat) change("lat", real(3), OptJson(*patch.lat), stored(*patch.lat));
  if (patch.floors) change("floors", integer(4), OptJson(*patch.floors), stored(*patch.floors));
  if (patch.units) change("units", integer(5), OptJson(*patch.units), stored(*patch.units));
  if (fields.empty()) return expected_version;
  params.push_back(clock_.NowMillis());
  params.push_back(id);
  params.push_back(expected_version);
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      connection.Execute("UPDATE building SET " + sets +
                             "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                         params));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "楼栋已被他人修改 / the building changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  transaction.RecordChange(
      ChangeRecord{"building", id, expected_version + 1, ChangeOp::kUpdate, std::move(fields)});
  return expected_version + 1;
}

}  // namespace steward::registry
