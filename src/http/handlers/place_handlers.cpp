// /api/v1/places: complexes (小区), buildings (楼栋) and households (户), listed by unit or
// building inside the caller's view scope; created, edited (If-Match) and deleted (If-Match, only
// when empty) inside their capture scope. A place outside the view scope is 404.
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "org/unit.hpp"
#include "registry/place.hpp"

namespace steward::http::handlers {
namespace {

constexpr FieldSpec kComplexFields[] = {
    {"unit_id", FieldType::kId, true},
    {"name", FieldType::kString, true, false, 100},
    {"address", FieldType::kString, false, false, 200},
    {"property_company", FieldType::kString, false, false, 100},
    {"owners_committee", FieldType::kString, false, false, 100},
};
constexpr FieldSpec kBuildingFields[] = {
    {"unit_id", FieldType::kId, true},
    {"complex_id", FieldType::kId, false, true},
    {"name", FieldType::kString, true, false, 100},
    {"address", FieldType::kString, false, false, 200},
    {"lon", FieldType::kNumber, false, true, 0, -180, 180},  // WGS-84
    {"lat", FieldType::kNumber, false, true, 0, -90, 90},
    {"floors", FieldType::kInteger, false, true},
    {"units", FieldType::kInteger, false, true},
};
constexpr FieldSpec kHouseholdFields[] = {
    {"building_id", FieldType::kId, true},
    {"unit_no", FieldType::kString, false, false, 20},
    {"room", FieldType::kString, true, false, 20},
};

// A field of a checked body: nullopt when absent or null.
template <typename T>
std::optional<T> Optional(const nlohmann::json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  return body[field].get<T>();
}

// A field of a checked PATCH body: nullopt when absent (unchanged); an empty value when null.
template <typename T>
std::optional<std::optional<T>> Change(const nlohmann::json& body, const char* field) {
  if (!body.contains(field)) return std::nullopt;
  return Optional<T>(body, field);
}

// The unit's path when it lies in the caller's scope of `kind`; kNotFound (view) or
// kPermissionDenied (capture) otherwise.
Result<std::string> UnitPathIn(ApiCall& call, storage::Connection& connection, Id unit,
                               auth::ScopeKind kind) {
  STEWARD_ASSIGN_OR_RETURN(
      auto row, connection.Query("SELECT path, kind FROM org_unit WHERE id = ?", {unit}));
  const bool visible =
      !row.empty() && call.principal.Scope(auth::ScopeKind::kView).Contains(row.Text(0, 0));
  if (!visible) return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
  if (kind == auth::ScopeKind::kCapture &&
      !call.principal.Scope(auth::ScopeKind::kCapture).Contains(row.Text(0, 0))) {
    return Fail(ErrorCode::kPermissionDenied,
                "只能修改本人负责范围内的单位 / outside the units you may edit");
  }
  return row.Text(0, 0);
}

// A unit of `unit_kind` in the caller's capture scope, for a new complex or building;
// `label` names the kind for the message ("社区 / a community").
Status CaptureUnitOfKind(ApiCall& call, storage::Connection& connection, Id unit,
                         std::string_view unit_kind, std::string_view label) {
  STEWARD_TRY(UnitPathIn(call, connection, unit, auth::ScopeKind::kCapture));
  STEWARD_ASSIGN_OR_RETURN(auto kind,
                           connection.Query("SELECT kind FROM org_unit WHERE id = ?", {unit}));
  if (kind.Text(0, 0) != unit_kind) {
    const std::string message = "应为" + std::string(label);
    return Fail(ErrorCode::kInvalidArgument, message, {{"unit_id", "place.wrong_level", message}});
  }
  return Ok();
}

Result<Id> UnitQuery(const ApiCall& call, const char* name) {
  auto text = call.request.Query(name);
  if (!text || text->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "缺少查询参数 / a query parameter is missing",
                {{name, "required", "必填 / required"}});
  }
  return *call.IdQuery(name);
}

Result<Response> ListComplexes(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id unit, UnitQuery(call, "unit"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(std::string path,
                             UnitPathIn(call, connection, unit, auth::ScopeKind::kView));
    STEWARD_ASSIGN_OR_RETURN(
        auto rows,
        connection.Query("SELECT c.id, c.name, c.address, c.property_company, c.owners_committee, "
                         "c.unit_id, (SELECT count(*) FROM building b WHERE b.complex_id = c.id), "
                         "c.version "
                         "FROM complex c JOIN org_unit u ON u.id = c.unit_id "
                         "WHERE u.path >= ? AND u.path < ? ORDER BY c.name, c.id",
                         {path, org::SubtreeUpperBound(path)}));
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      items.push_back({{"id", IdJson(rows.Int(i, 0))},
                       {"name", rows.Text(i, 1)},
                       {"address", rows.Text(i, 2)},
                       {"property_company", rows.Text(i, 3)},
                       {"owners_committee", rows.Text(i, 4)},
                       {"unit_id", IdJson(rows.Int(i, 5))},
                       {"buildings", rows.Int(i, 6)},
                       {"version", rows.Int(i, 7)}});
    }
    return JsonResponse({{"items", items}});
  });
}

Result<Response> CreateComplex(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kComplexFields));
  Id created = 0;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        const Id unit = IdValue(body["unit_id"]);
        STEWARD_TRY(CaptureUnitOfKind(call, transaction.connection(), unit, "community",
                                      "社区 / a complex belongs to a community"));
        registry::NewComplex complex{unit, body["name"], body.value("address", ""),
                                     body.value("property_company", ""),
                                     body.value("owners_committee", "")};
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(auto ids,
                                 store.CreateComplexes(transaction, std::span(&complex, 1)));
        created = ids.front();
        return Ok();
      }));
  STEWARD_TRY(call.Audit("place.complex.create", "complex:" + std::to_string(created), {}));
  return JsonResponse({{"id", IdJson(created)}}, 201);
}

Result<Response> ListBuildings(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id unit, UnitQuery(call, "unit"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(std::string path,
                             UnitPathIn(call, connection, unit, auth::ScopeKind::kView));
    nlohmann::json items = nlohmann::json::array();
    const storage::Value params[] = {path, org::SubtreeUpperBound(path)};
    STEWARD_TRY(connection.QueryEach(
        "SELECT b.id, b.name, b.address, b.lon, b.lat, b.floors, b.units, b.unit_id, b.complex_id, "
        "(SELECT count(*) FROM household h WHERE h.building_id = b.id), b.version "
        "FROM building b JOIN org_unit u ON u.id = b.unit_id WHERE u.path >= ? AND u.path < ? "
        "ORDER BY b.name, b.id LIMIT 5000",
        params, [&](const storage::RowView& row) {
          items.push_back(
              {{"id", IdJson(row.Int(0))},
               {"name", row.Text(1)},
               {"address", row.Text(2)},
               {"lon", row.IsNull(3) ? nlohmann::json() : nlohmann::json(row.Real(3))},
               {"lat", row.IsNull(4) ? nlohmann::json() : nlohmann::json(row.Real(4))},
               {"floors", row.IsNull(5) ? nlohmann::json() : nlohmann::json(row.Int(5))},
               {"units", row.IsNull(6) ? nlohmann::json() : nlohmann::json(row.Int(6))},
               {"unit_id", IdJson(row.Int(7))},
               {"complex_id", row.IsNull(8) ? nlohmann::json() : IdJson(row.Int(8))},
               {"households", row.Int(9)},
               {"version", row.Int(10)}});
        }));
    return JsonResponse({{"items", items}});
  });
}

Result<Response> CreateBuilding(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kBuildingFields));
  Id created = 0;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        const Id unit = IdValue(body["unit_id"]);
        STEWARD_TRY(CaptureUnitOfKind(call, transaction.connection(), unit, "micro_grid",
                                      "微网格 / a building belongs to a micro-grid"));
        registry::NewBuilding building;
        building.unit_id = unit;
        if (body.contains("complex_id") && !body["complex_id"].is_null()) {
          building.complex_id = IdValue(body["complex_id"]);
        }
        building.name = body["name"];
        building.address = body.value("address", "");
        building.lon = Optional<double>(body, "lon");
        building.lat = Optional<double>(body, "lat");
        building.floors = Optional<int>(body, "floors");
        building.units = Optional<int>(body, "units");
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(auto ids,
                                 store.CreateBuildings(transaction, std::span(&building, 1)));
        created = ids.front();
        return Ok();
      }));
  STEWARD_TRY(call.Audit("place.building.create", "building:" + std::to_string(created), {}));
  return JsonResponse({{"id", IdJson(created)}}, 201);
}

// The building's unit path if the caller may see it.
Result<std::string> BuildingPath(ApiCall& call, storage::Connection& connection, Id building,
                                 auth::ScopeKind kind) {
  STEWARD_ASSIGN_OR_RETURN(
      auto unit, connection.QueryInt("SELECT unit_id FROM building WHERE id = ?", {building}));
  if (!unit) return Fail(ErrorCode::kNotFound, "没有这栋楼 / no such building");
  return UnitPathIn(call, connection, *unit, kind);
}

Result<Response> ListHouseholds(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id building, UnitQuery(call, "building"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_TRY(BuildingPath(call, connection, building, auth::ScopeKind::kView));
    STEWARD_ASSIGN_OR_RETURN(
        auto rows,
        connection.Query("SELECT h.id, h.unit_no, h.room, h.head_resident_id, h.version, "
                         "(SELECT count(*) FROM resident r WHERE r.household_id = h.id AND "
                         "r.deleted_at IS NULL), h.assistance_type, h.assistance_from, "
                         "h.assistance_to FROM household h WHERE h.building_id = ? "
                         "ORDER BY h.unit_no, h.room, h.id",
                         {building}));
    // Social assistance is sensitive: shown only with registry:sensitive:view.
    const bool sensitive = call.principal.Can(auth::permission::kSensitiveView);
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      nlohmann::json item = {
          {"id", IdJson(rows.Int(i, 0))}, {"unit_no", rows.Text(i, 1)},
          {"room", rows.Text(i, 2)},      {"head_resident_id", OptIdJson(rows.OptInt(i, 3))},
          {"members", rows.Int(i, 5)},    {"version", rows.Int(i, 4)}};
      if (sensitive) {
        auto text = [&](size_t column) {
          return rows.IsNull(i, column) ? nlohmann::json() : nlohmann::json(rows.Text(i, column));
        };
        item["assistance_type"] = text(6);
        item["assistance_from"] = text(7);
        item["assistance_to"] = text(8);
      }
      items.push_back(std::move(item));
    }
    return JsonResponse({{"items", items}});
  });
}

Result<Response> CreateHousehold(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kHouseholdFields));
  Id created = 0;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        registry::NewHousehold household;
        household.building_id = IdValue(body["building_id"]);
        STEWARD_TRY(BuildingPath(call, transaction.connection(), household.building_id,
                                 auth::ScopeKind::kCapture));
        household.unit_no = body.value("unit_no", "");
        household.room = body["room"];
        STEWARD_ASSIGN_OR_RETURN(
            auto existing,
            transaction.connection().QueryInt(
                "SELECT id FROM household WHERE building_id = ? AND unit_no = ? AND room = ?",
                {household.building_id, household.unit_no, household.room}));
        if (existing) {
          return Fail(ErrorCode::kAlreadyExists, "这一户已登记 / this household exists",
                      {{"room", "household.duplicate", "这一户已登记 / already registered"}});
        }
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(auto ids,
                                 store.CreateHouseholds(transaction, std::span(&household, 1)));
        created = ids.front();
        return Ok();
      }));
  STEWARD_TRY(call.Audit("place.household.create", "household:" + std::to_string(created), {}));
  return JsonResponse({{"id", IdJson(created)}}, 201);
}

constexpr FieldSpec kBuildingPatchFields[] = {
    {"name", FieldType::kString, false, false, 100},
    {"address", FieldType::kString, false, false, 200},
    {"lon", FieldType::kNumber, false, true, 0, -180, 180},
    {"lat", FieldType::kNumber, false, true, 0, -90, 90},
    {"floors", FieldType::kInteger, false, true},
    {"units", FieldType::kInteger, false, true},
};

// PATCH: names, address, floors and coordinates (the one map's points), with If-Match.
Result<Response> UpdateBuilding(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kBuildingPatchFields));
  registry::BuildingPatch patch;
  patch.name = Optional<std::string>(body, "name");
  patch.address = Optional<std::string>(body, "address");
  patch.lon = Change<double>(body, "lon");
  patch.lat = Change<double>(body, "lat");
  patch.floors = Change<int64_t>(body, "floors");
  patch.units = Change<int64_t>(body, "units");
  int64_t version = 0;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(BuildingPath(call, transaction.connection(), id, auth::ScopeKind::kCapture));
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(version, store.UpdateBuilding(transaction, id, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(call.Audit("place.building.update", "building:" + std::to_string(id), {}));
  Response response = JsonResponse({{"id", IdJson(id)}, {"version", version}});
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  return response;
}

// A response naming the record's new version, in the body and as its ETag.
Response VersionResponse(Id id, int64_t version) {
  Response response = JsonResponse({{"id", IdJson(id)}, {"version", version}});
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  return response;
}

std::vector<std::string> FieldNames(const nlohmann::json& body) {
  std::vector<std::string> names;
  for (const auto& [field, value] : body.items()) names.push_back(field);
  return names;
}

// The complex's unit path if the caller may see it (kNotFound otherwise, as for units).
Result<std::string> ComplexPath(ApiCall& call, storage::Connection& connection, Id complex,
                                auth::ScopeKind kind) {
  STEWARD_ASSIGN_OR_RETURN(
      auto unit, connection.QueryInt("SELECT unit_id FROM complex WHERE id = ?", {complex}));
  if (!unit) return Fail(ErrorCode::kNotFound, "没有这个小区 / no such complex");
  return UnitPathIn(call, connection, *unit, kind);
}

// The household's unit path (its building's micro-grid) if the caller may see it.
Result<std::string> HouseholdPath(ApiCall& call, storage::Connection& connection, Id household,
                                  auth::ScopeKind kind) {
  STEWARD_ASSIGN_OR_RETURN(
      auto building,
      connection.QueryInt("SELECT building_id FROM household WHERE id = ?", {household}));
  if (!building) return Fail(ErrorCode::kNotFound, "没有这一户 / no such household");
  return BuildingPath(call, connection, *building, kind);
}

constexpr FieldSpec kComplexPatchFields[] = {
    {"unit_id", FieldType::kId},
    {"name", FieldType::kString, false, false, 100},
    {"address", FieldType::kString, false, false, 200},
    {"property_company", FieldType::kString, false, false, 100},
    {"owners_committee", FieldType::kString, false, false, 100},
};

// PATCH: name, address, property company, owners' committee, and the community (a move inside
// the caller's capture scope that keeps every building of the complex in it), with If-Match.
Result<Response> UpdateComplex(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kComplexPatchFields));
  registry::ComplexPatch patch;
  if (body.contains("unit_id")) patch.unit_id = IdValue(body["unit_id"]);
  patch.name = Optional<std::string>(body, "name");
  patch.address = Optional<std::string>(body, "address");
  patch.property_company = Optional<std::string>(body, "property_company");
  patch.owners_committee = Optional<std::string>(body, "owners_committee");
  int64_t version = 0;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(ComplexPath(call, transaction.connection(), id, auth::ScopeKind::kCapture));
        if (patch.unit_id) {
          STEWARD_TRY(CaptureUnitOfKind(call, transaction.connection(), *patch.unit_id, "community",
                                        "社区 / a complex belongs to a community"));
        }
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(version, store.UpdateComplex(transaction, id, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(call.Audit("place.complex.update", "complex:" + std::to_string(id),
                         {{"fields", FieldNames(body)}}));
  return VersionResponse(id, version);
}

constexpr FieldSpec kHouseholdPatchFields[] = {
    {"building_id", FieldType::kId},
    {"unit_no", FieldType::kString, false, false, 20},
    {"room", FieldType::kString, false, false, 20},
    {"head_resident_id", FieldType::kId, false, true},
    {"assistance_type", FieldType::kString, false, true, 40},
    {"assistance_from", FieldType::kString, false, true, 10},
    {"assistance_to", FieldType::kString, false, true, 10},
};

// The household fields of a checked PATCH body; the assistance ones need registry:sensitive:view.
Result<registry::HouseholdPatch> HouseholdPatchFrom(const ApiCall& call,
                                                    const nlohmann::json& body) {
  registry::HouseholdPatch patch;
  if (body.contains("building_id")) patch.building_id = IdValue(body["building_id"]);
  patch.unit_no = Optional<std::string>(body, "unit_no");
  patch.room = Optional<std::string>(body, "room");
  if (body.contains("head_resident_id")) {
    patch.head_resident_id = body["head_resident_id"].is_null()
                                 ? std::optional<Id>()
                                 : std::optional<Id>(IdValue(body["head_resident_id"]));
  }
  const bool assistance = body.contains("assistance_type") || body.contains("assistance_from") ||
                          body.contains("assistance_to");
  if (assistance && !call.principal.Can(auth::permission::kSensitiveView)) {
    return Fail(ErrorCode::kPermissionDenied,
                "没有修改救助信息的权限 / no access to social assistance");
  }
  std::vector<ErrorDetail> problems;
  if (auto type = Change<std::string>(body, "assistance_type")) {
    registry::AssistanceType parsed;
    if (!*type) {
      patch.assistance = std::optional<registry::AssistanceType>();
    } else if (registry::ParseAssistanceType(**type, &parsed)) {
      patch.assistance = parsed;
    } else {
      problems.push_back(
          {"assistance_type", "assistance.invalid", "救助类别有误 / unknown assistance type"});
    }
  }
  auto date = [&](const char* field, std::optional<std::optional<Date>>* out) {
    auto text = Change<std::string>(body, field);
    if (!text) return;
    Date parsed;
    if (!*text) {
      *out = std::optional<Date>();
    } else if (Date::Parse(**text, &parsed)) {
      *out = parsed;
    } else {
      problems.push_back({field, "date.invalid", "日期应为 YYYY-MM-DD / a date YYYY-MM-DD"});
    }
  };
  date("assistance_from", &patch.assistance_from);
  date("assistance_to", &patch.assistance_to);
  if (patch.assistance_from && patch.assistance_to && *patch.assistance_from &&
      *patch.assistance_to && **patch.assistance_to < **patch.assistance_from) {
    problems.push_back({"assistance_to", "date.order", "结束早于开始 / ends before it starts"});
  }
  if (!problems.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                std::move(problems));
  }
  return patch;
}

// PATCH: unit and room, another building (inside the capture scope; residents counted under the
// old micro-grid follow), the head (a living member), social assistance; with If-Match.
Result<Response> UpdateHousehold(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kHouseholdPatchFields));
  registry::HouseholdUpdate update;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(HouseholdPath(call, transaction.connection(), id, auth::ScopeKind::kCapture));
        STEWARD_ASSIGN_OR_RETURN(auto patch, HouseholdPatchFrom(call, body));
        if (patch.building_id) {
          STEWARD_TRY(BuildingPath(call, transaction.connection(), *patch.building_id,
                                   auth::ScopeKind::kCapture));
        }
        registry::PlaceStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(update, store.UpdateHousehold(transaction, id, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(
      call.Audit("place.household.update", "household:" + std::to_string(id),
                 {{"fields", FieldNames(body)}, {"residents_moved", update.residents_moved}}));
  return VersionResponse(id, update.version);
}

// DELETE (If-Match): only an empty place inside the capture scope; 409 names what is left.
ApiHandler DeletePlace(std::string_view entity,
                       Result<std::string> (*path)(ApiCall&, storage::Connection&, Id,
                                                   auth::ScopeKind),
                       Status (registry::PlaceStore::*remove)(storage::WriteTransaction&, Id,
                                                              int64_t)) {
  return [entity = std::string(entity), path, remove](ApiCall& call) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
    auto expected = call.ExpectedVersion();
    if (!expected) return VersionFailure(call, std::move(expected).error());
    auto written = call.services.database.Write(
        call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
          STEWARD_TRY(path(call, transaction.connection(), id, auth::ScopeKind::kCapture));
          registry::PlaceStore store(call.services.ids, call.services.clock);
          return (store.*remove)(transaction, id, *expected);
        });
    if (!written) return VersionFailure(call, std::move(written).error());
    STEWARD_TRY(call.Audit("place." + entity + ".delete", entity + ":" + std::to_string(id),
                           {{"version", *expected}}));
    return JsonResponse({{"ok", true}});
  };
}

}  // namespace

void AddPlaceRoutes(Server& server, const Api& api) {
  using auth::permission::kPlaceEdit;
  using auth::permission::kPlaceView;
  server.Route("GET", "/api/v1/places/complexes", api.Gate(kPlaceView, ListComplexes));
  server.Route("POST", "/api/v1/places/complexes", api.Gate(kPlaceEdit, CreateComplex));
  server.Route("GET", "/api/v1/places/buildings", api.Gate(kPlaceView, ListBuildings));
  server.Route("POST", "/api/v1/places/buildings", api.Gate(kPlaceEdit, CreateBuilding));
  server.Route("PATCH", "/api/v1/places/complexes/{id}", api.Gate(kPlaceEdit, UpdateComplex));
  server.Route("DELETE", "/api/v1/places/complexes/{id}",
               api.Gate(kPlaceEdit,
                        DeletePlace("complex", ComplexPath, &registry::PlaceStore::DeleteComplex)));
  server.Route("PATCH", "/api/v1/places/buildings/{id}", api.Gate(kPlaceEdit, UpdateBuilding));
  server.Route("DELETE", "/api/v1/places/buildings/{id}",
               api.Gate(kPlaceEdit, DeletePlace("building", BuildingPath,
                                                &registry::PlaceStore::DeleteBuilding)));
  server.Route("GET", "/api/v1/places/households", api.Gate(kPlaceView, ListHouseholds));
  server.Route("POST", "/api/v1/places/households", api.Gate(kPlaceEdit, CreateHousehold));
  server.Route("PATCH", "/api/v1/places/households/{id}", api.Gate(kPlaceEdit, UpdateHousehold));
  server.Route("DELETE", "/api/v1/places/households/{id}",
               api.Gate(kPlaceEdit, DeletePlace("household", HouseholdPath,
                                                &registry::PlaceStore::DeleteHousehold)));
}

}  // namespace steward::http::handlers
