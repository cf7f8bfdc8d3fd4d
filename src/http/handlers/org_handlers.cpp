// /api/v1/org: the hierarchy as the caller may see it — the roots of their view scope, lazy
// children, one unit, and search by name or division code.
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "org/unit.hpp"

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

// A unit the caller may see, or kNotFound (never revealing units outside the scope).
Result<org::Unit> VisibleUnit(ApiCall& call, storage::Connection& connection, Id id) {
  org::OrgStore store(call.services.ids, call.services.clock);
  auto unit = store.Get(connection, id);
  if (!unit || !call.principal.Scope(auth::ScopeKind::kView).Contains(unit->path)) {
    return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
  }
  return unit;
}

Result<Response> ListUnits(ApiCall& call) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    org::OrgStore store(call.services.ids, call.services.clock);
    const Date today = call.services.clock.Today();
    std::vector<org::Unit> units;
    if (auto parent = call.request.Query("parent")) {
      const Id id = std::strtoll(parent->c_str(), nullptr, 10);
      STEWARD_ASSIGN_OR_RETURN(org::Unit unit, VisibleUnit(call, connection, id));
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
    STEWARD_ASSIGN_OR_RETURN(org::Unit unit, VisibleUnit(call, connection, id));
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

}  // namespace

void AddOrgRoutes(Server& server, const Api& api) {
  server.Route("GET", "/api/v1/org/units", api.Gate(auth::permission::kUnitView, ListUnits));
  server.Route("GET", "/api/v1/org/units/search",
               api.Gate(auth::permission::kUnitView, SearchUnits));
  server.Route("GET", "/api/v1/org/units/{id}", api.Gate(auth::permission::kUnitView, GetUnit));
}

}  // namespace steward::http::handlers
