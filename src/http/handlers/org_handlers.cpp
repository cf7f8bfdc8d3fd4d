// /api/v1/org: the hierarchy as the caller may see it — the roots of their view scope, lazy
// children, one unit, and search by name or division code.
#include <charconv>
#include <map>
#include <memory>
#include <mutex>

#include "auth/permission.hpp"
#include "geo/geometry.hpp"
#include "http/handlers/api_call.hpp"
#include "http/internal/api_error.hpp"
#include "org/unit.hpp"
#include "registry/staff.hpp"

namespace steward::http::handlers {
namespace {

nlohmann::json UnitJson(const org::Unit& unit, bool has_children) {
  return {{"id", IdJson(unit.id)},
          {"parent_id", OptIdJson(unit.parent_id)},
          {"kind", org::UnitKindName(unit.kind)},
          {"subtype", unit.subtype},
          {"division_code", unit.division_code},
          {"name", unit.name},
          {"official_name", unit.official_name},
          {"path", unit.path},
          {"valid_from", unit.valid_from},
          {"valid_to", unit.valid_to ? nlohmann::json(*unit.valid_to) : nullptr},
          {"has_children", has_children},
          {"version", unit.version}};
}

Result<bool> HasChildren(storage::Connection& connection, Id unit) {
  STEWARD_ASSIGN_OR_RETURN(
      auto found,
      connection.QueryInt("SELECT 1 FROM org_unit WHERE parent_id = ? LIMIT 1", {unit}));
  return found.has_value();
}

Result<nlohmann::json> UnitList(storage::Connection& connection,
                                const std::vector<org::Unit>& units) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& unit : units) {
    STEWARD_ASSIGN_OR_RETURN(bool children, HasChildren(connection, unit.id));
    items.push_back(UnitJson(unit, children));
  }
  return items;
}

Result<Response> ListUnits(ApiCall& call) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    org::OrgStore store(call.services.ids, call.services.clock);
    const Date today = call.services.clock.Today();
    std::vector<org::Unit> units;
    if (auto parent = call.IdQuery("parent")) {
      STEWARD_ASSIGN_OR_RETURN(org::Unit unit, call.VisibleUnit(connection, *parent));
      STEWARD_ASSIGN_OR_RETURN(units, store.Children(connection, unit.id, today));
    } else {
      for (const auto& root : call.principal.Scope(auth::ScopeKind::kView).roots()) {
        STEWARD_ASSIGN_OR_RETURN(org::Unit unit, store.Get(connection, root.id));
        units.push_back(std::move(unit));
      }
    }
    STEWARD_ASSIGN_OR_RETURN(auto items, UnitList(connection, units));
    return JsonResponse({{"items", items}});
  });
}

Result<Response> GetUnit(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(org::Unit unit, call.VisibleUnit(connection, id));
    STEWARD_ASSIGN_OR_RETURN(bool children, HasChildren(connection, unit.id));
    return JsonResponse(UnitJson(unit, children));
  });
}

// Name prefix (short or official) or division code prefix, current units in the view scope.
Result<Response> SearchUnits(ApiCall& call) {
  const std::string q = call.request.Query("q").value_or("");
  if (q.empty() || q.size() > 100) {
    return Fail(ErrorCode::kInvalidArgument, "请输入要查找的名称或代码 / give a name or code",
                {{"q", "required", "1 至 100 字节 / 1 to 100 bytes"}});
  }
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    const auto scope = call.principal.ScopeSql(auth::ScopeKind::kView, "path");
    const std::string high = q + "\xF4\x8F\xBF\xBF";
    std::vector<storage::Value> params = {q, high, q, high, q, high};
    for (const auto& value : scope.params) params.push_back(value);
    params.push_back(call.services.clock.Today().ToString());
    STEWARD_ASSIGN_OR_RETURN(
        auto rows,
        connection.Query("SELECT id FROM org_unit WHERE ((name >= ? AND name < ?) OR "
                         "(official_name >= ? AND official_name < ?) OR "
                         "(division_code >= ? AND division_code < ?)) AND " +
                             scope.sql +
                             " AND (valid_to IS NULL OR valid_to > ?) ORDER BY depth, name, id "
                             "LIMIT 20",
                         params));
    org::OrgStore store(call.services.ids, call.services.clock);
    std::vector<org::Unit> units;
    for (size_t i = 0; i < rows.size(); ++i) {
      STEWARD_ASSIGN_OR_RETURN(org::Unit unit, store.Get(connection, rows.Int(i, 0)));
      units.push_back(std::move(unit));
    }
    STEWARD_ASSIGN_OR_RETURN(auto items, UnitList(connection, units));
    return JsonResponse({{"items", items}});
  });
}

constexpr FieldSpec kCreateFields[] = {
    {"parent_id", FieldType::kId, true},
    {"name", FieldType::kString, true, false, 50},
    {"official_name", FieldType::kString, false, false, 100},
    {"subtype", FieldType::kString, false, false, 10},
    {"division_code", FieldType::kString, false, false, 12},
    {"valid_from", FieldType::kString, false, false, 10},
};
constexpr FieldSpec kRenameFields[] = {
    {"name", FieldType::kString, true, false, 50},
    {"official_name", FieldType::kString, false, false, 100},
};
constexpr FieldSpec kMoveFields[] = {
    {"parent_id", FieldType::kId, true},
    {"effective", FieldType::kString, false, false, 10},
};
constexpr FieldSpec kEndFields[] = {{"effective", FieldType::kString, false, false, 10}};

// "YYYY-MM-DD" from the body, or today.
Result<Date> EffectiveDate(const ApiCall& call, const nlohmann::json& body, const char* field) {
  if (!body.contains(field)) return call.services.clock.Today();
  Date date;
  if (!Date::Parse(body[field].get<std::string>(), &date)) {
    return Fail(ErrorCode::kInvalidArgument, "日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD",
                {{field, "date.invalid", "日期格式应为 YYYY-MM-DD / YYYY-MM-DD"}});
  }
  return date;
}

// A unit the caller may edit (capture scope), or kNotFound / kPermissionDenied.
Result<org::Unit> EditableUnit(ApiCall& call, storage::Connection& connection, Id id) {
  STEWARD_ASSIGN_OR_RETURN(org::Unit unit, call.VisibleUnit(connection, id));
  if (!call.principal.Scope(auth::ScopeKind::kCapture).Contains(unit.path)) {
    return Fail(ErrorCode::kPermissionDenied,
                "只能修改本人负责范围内的单位 / outside the units you may edit");
  }
  return unit;
}

Response UnitResponse(const org::Unit& unit, bool has_children, int status = 200) {
  Response response = JsonResponse(UnitJson(unit, has_children), status);
  response.headers.emplace_back("ETag", "\"" + std::to_string(unit.version) + "\"");
  return response;
}

Result<Response> CreateUnit(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kCreateFields));
  STEWARD_ASSIGN_OR_RETURN(Date valid_from, EffectiveDate(call, body, "valid_from"));
  org::Unit created;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(org::Unit parent, EditableUnit(call, transaction.connection(),
                                                                IdValue(body["parent_id"])));
        org::NewUnit unit;
        unit.parent_id = parent.id;
        unit.kind = parent.kind == org::UnitKind::kCity        ? org::UnitKind::kStreet
                    : parent.kind == org::UnitKind::kStreet    ? org::UnitKind::kCommunity
                    : parent.kind == org::UnitKind::kCommunity ? org::UnitKind::kGrid
                                                               : org::UnitKind::kMicroGrid;
        if (parent.kind == org::UnitKind::kMicroGrid) {
          return Fail(ErrorCode::kInvalidArgument,
                      "微网格下不能再分 / micro-grids have no units below",
                      {{"parent_id", "org.wrong_level", "微网格下不能再分 / no units below"}});
        }
        unit.name = body["name"];
        unit.official_name = body.value("official_name", "");
        unit.subtype = body.value("subtype", "");
        unit.division_code = body.value("division_code", "");
        unit.valid_from = valid_from;
        org::OrgStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(created, store.Create(transaction, unit));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("org.unit.create", "org_unit:" + std::to_string(created.id),
                         {{"name", created.name}}));
  return UnitResponse(created, false, 201);
}

Result<Response> RenameUnit(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto version = call.ExpectedVersion();
  if (!version) return VersionFailure(call, std::move(version).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kRenameFields));
  org::Unit renamed;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        org::OrgStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(renamed, store.Rename(transaction, id, *version, body["name"],
                                                       body.value("official_name", "")));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(
      call.Audit("org.unit.rename", "org_unit:" + std::to_string(id), {{"name", renamed.name}}));
  return UnitResponse(renamed, true);
}

Result<Response> MoveUnit(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kMoveFields));
  STEWARD_ASSIGN_OR_RETURN(Date effective, EffectiveDate(call, body, "effective"));
  org::Unit successor;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        STEWARD_ASSIGN_OR_RETURN(org::Unit parent, EditableUnit(call, transaction.connection(),
                                                                IdValue(body["parent_id"])));
        org::OrgStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(successor, store.Move(transaction, id, parent.id, effective));
        return Ok();
      }));
  STEWARD_TRY(
      call.Audit("org.unit.move", "org_unit:" + std::to_string(id),
                 {{"successor", IdJson(successor.id)}, {"effective", effective.ToString()}}));
  return UnitResponse(successor, true, 201);
}

Result<Response> EndUnit(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kEndFields));
  STEWARD_ASSIGN_OR_RETURN(Date effective, EffectiveDate(call, body, "effective"));
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        org::OrgStore store(call.services.ids, call.services.clock);
        return store.End(transaction, id, effective);
      }));
  STEWARD_TRY(call.Audit("org.unit.end", "org_unit:" + std::to_string(id),
                         {{"effective", effective.ToString()}}));
  return JsonResponse({{"ok", true}});
}

Result<Response> GetBoundary(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(org::Unit unit, call.VisibleUnit(connection, id));
    if (!unit.boundary) return Fail(ErrorCode::kNotFound, "该单位没有边界 / no boundary yet");
    Response response = JsonResponse(
        {{"type", "Feature"},
         {"properties",
          {{"id", IdJson(unit.id)}, {"name", unit.name}, {"kind", org::UnitKindName(unit.kind)}}},
         {"geometry", nlohmann::json::parse(*unit.boundary, nullptr, false)}});
    response.content_type = "application/geo+json";
    response.headers.emplace_back("ETag", "\"" + std::to_string(unit.version) + "\"");
    return response;
  });
}

Result<Response> PutBoundary(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto version = call.ExpectedVersion();
  if (!version) return VersionFailure(call, std::move(version).error());
  std::string problem;
  const std::string boundary = geo::CheckBoundaryGeoJson(call.request.body, &problem);
  if (boundary.empty()) {
    return Fail(ErrorCode::kInvalidArgument, problem, {{"geometry", "boundary.invalid", problem}});
  }
  org::Unit updated;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        org::OrgStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(updated, store.SetBoundary(transaction, id, *version, boundary));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(call.Audit("org.unit.boundary", "org_unit:" + std::to_string(id), {}));
  return UnitResponse(updated, true);
}

// The one map's layers (cached by Api::Cached until the next change).
Result<Response> Boundaries(ApiCall& call) {
  const std::string kind = call.request.Query("kind").value_or("community");
  if (kind != "street" && kind != "community" && kind != "grid" && kind != "micro_grid") {
    return Fail(ErrorCode::kInvalidArgument, "kind 应为 street、community、grid 或 micro_grid",
                {{"kind", "kind.invalid", "street | community | grid | micro_grid"}});
  }
  const double tolerance =
      std::strtod(call.request.Query("tolerance").value_or("0").c_str(), nullptr);
  const std::optional<std::string> within = call.request.Query("within");
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    Response response;
    response.content_type = "application/geo+json";
    auto scope = call.principal.ScopeSql(auth::ScopeKind::kView, "path");
    std::string sql =
        "SELECT id, name, parent_id, boundary FROM org_unit WHERE kind = ? AND "
        "boundary IS NOT NULL AND (valid_to IS NULL OR valid_to > ?) AND " +
        scope.sql;
    std::vector<storage::Value> params = {kind, call.services.clock.Today().ToString()};
    for (auto& value : scope.params) params.push_back(value);
    if (within) {
      STEWARD_ASSIGN_OR_RETURN(org::Unit root,
                               call.VisibleUnit(connection, *call.IdQuery("within")));
      sql += " AND path >= ? AND path < ?";
      params.push_back(root.path);
      params.push_back(org::SubtreeUpperBound(root.path));
    }
    nlohmann::json features = nlohmann::json::array();
    STEWARD_TRY(
        connection.QueryEach(sql + " ORDER BY path", params, [&](const storage::RowView& row) {
          geo::Ring ring = geo::ParsePolygonGeoJson(row.Text(3));
          if (ring.empty()) return;
          if (tolerance > 0) ring = geo::SimplifyRing(ring, tolerance);
          features.push_back({{"type", "Feature"},
                              {"properties",
                               {{"id", IdJson(row.Int(0))},
                                {"name", row.Text(1)},
                                {"parent_id", IdJson(row.Int(2))},
                                {"kind", kind}}},
                              {"geometry", nlohmann::json::parse(geo::PolygonGeoJson(ring))}});
        }));
    response.body = nlohmann::json{{"type", "FeatureCollection"}, {"features", features}}.dump();
    return response;
  });
}

constexpr FieldSpec kStaffFields[] = {
    {"role", FieldType::kString, true, false, 20},  {"name", FieldType::kString, true, false, 50},
    {"phone", FieldType::kString, false, true, 30}, {"user_id", FieldType::kId, false, true},
    {"building_id", FieldType::kId, false, true},
};

nlohmann::json StaffJson(const registry::Staff& staff) {
  return {{"id", IdJson(staff.id)},
          {"unit_id", IdJson(staff.unit_id)},
          {"role", staff.role},
          {"role_label", registry::StaffRoleLabel(staff.role)},
          {"name", staff.name},
          {"user_id", OptIdJson(staff.user_id)},
          {"building_id", OptIdJson(staff.building_id)},
          {"phone", staff.phone_masked ? nlohmann::json(*staff.phone_masked) : nullptr},
          {"valid_from", staff.valid_from}};
}

Result<Response> ListStaff(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_TRY(call.VisibleUnit(connection, id));
    registry::StaffStore store(call.services.vault, call.services.ids, call.services.clock);
    STEWARD_ASSIGN_OR_RETURN(auto staff, store.List(connection, id));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& member : staff) items.push_back(StaffJson(member));
    return JsonResponse({{"items", items}});
  });
}

Result<Response> AssignStaff(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kStaffFields));
  registry::Staff assigned;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        registry::NewStaff staff;
        staff.unit_id = id;
        staff.role = body["role"];
        staff.name = body["name"];
        if (body.contains("phone") && !body["phone"].is_null()) staff.phone = body["phone"];
        if (body.contains("user_id") && !body["user_id"].is_null()) {
          staff.user_id = IdValue(body["user_id"]);
        }
        if (body.contains("building_id") && !body["building_id"].is_null()) {
          staff.building_id = IdValue(body["building_id"]);
        }
        registry::StaffStore store(call.services.vault, call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(assigned, store.Assign(transaction, staff));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("org.staff.assign", "org_unit:" + std::to_string(id),
                         {{"staff", IdJson(assigned.id)}, {"role", assigned.role}}));
  return JsonResponse(StaffJson(assigned), 201);
}

Result<Response> EndStaff(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(Id staff_id, call.IdParam("staff_id"));
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_TRY(EditableUnit(call, transaction.connection(), id));
        registry::StaffStore store(call.services.vault, call.services.ids, call.services.clock);
        return store.End(transaction, id, staff_id);
      }));
  STEWARD_TRY(
      call.Audit("org.staff.end", "org_unit:" + std::to_string(id), {{"staff", IdJson(staff_id)}}));
  return JsonResponse({{"ok", true}});
}

}  // namespace

void AddOrgRoutes(Server& server, const Api& api) {
  using auth::permission::kUnitEdit;
  using auth::permission::kUnitView;
  server.Route("GET", "/api/v1/org/units", api.Gate(auth::permission::kUnitView, ListUnits));
  server.Route("POST", "/api/v1/org/units", api.Gate(kUnitEdit, CreateUnit));
  server.Route("PATCH", "/api/v1/org/units/{id}", api.Gate(kUnitEdit, RenameUnit));
  server.Route("POST", "/api/v1/org/units/{id}/move", api.Gate(kUnitEdit, MoveUnit));
  server.Route("POST", "/api/v1/org/units/{id}/end", api.Gate(kUnitEdit, EndUnit));
  server.Route("GET", "/api/v1/org/units/{id}/boundary", api.Gate(kUnitView, GetBoundary));
  server.Route("PUT", "/api/v1/org/units/{id}/boundary", api.Gate(kUnitEdit, PutBoundary));
  using auth::permission::kStaffEdit;
  server.Route("GET", "/api/v1/org/units/{id}/staff", api.Gate(kUnitView, ListStaff));
  server.Route("POST", "/api/v1/org/units/{id}/staff", api.Gate(kStaffEdit, AssignStaff));
  server.Route("DELETE", "/api/v1/org/units/{id}/staff/{staff_id}", api.Gate(kStaffEdit, EndStaff));
  api.Cached(server, "/api/v1/org/boundaries", kUnitView, Boundaries);
  server.Route("GET", "/api/v1/org/units/search",
               api.Gate(auth::permission::kUnitView, SearchUnits));
  server.Route("GET", "/api/v1/org/units/{id}", api.Gate(auth::permission::kUnitView, GetUnit));
}

}  // namespace steward::http::handlers
