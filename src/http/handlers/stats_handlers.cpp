// /api/v1/stats/summary: the dashboard's figures for a unit (or the caller's whole view scope):
// residents by residence status, gender and age band, elderly living alone, tags, assistance
// households and members, units by level and residents by child unit.
//
// Figures are computed by SQL aggregates once and then served from the answer cache (Api::Cached:
// per user and query until Database::generation() moves), so repeated requests cost a lookup and
// any write (API, import, call results) makes the next request recompute. An incremental
// aggregate fed by the change log belongs with the segments read model (a later issue).
#include <map>
#include <memory>
#include <mutex>

#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "org/unit.hpp"

namespace steward::http::handlers {
namespace {

Result<nlohmann::json> Compute(ApiCall& call, storage::Connection& connection,
                               const std::optional<org::Unit>& unit) {
  // The residents' condition: the unit's subtree, else the view scope.
  std::string where;
  std::vector<storage::Value> params;
  if (unit) {
    where = "u.path >= ? AND u.path < ?";
    params = {unit->path, org::SubtreeUpperBound(unit->path)};
  } else {
    auto scope = call.principal.ScopeSql(auth::ScopeKind::kView, "u.path");
    where = scope.sql;
    params = scope.params;
  }
  const std::string from =
      " FROM resident r JOIN org_unit u ON u.id = r.unit_id WHERE r.deleted_at IS NULL AND " +
      where;
  auto grouped = [&](const std::string& column) -> Result<nlohmann::json> {
    nlohmann::json out = nlohmann::json::object();
    STEWARD_TRY(
        connection.QueryEach("SELECT " + column + ", count(*)" + from + " GROUP BY " + column,
                             params, [&](const storage::RowView& row) {
                               out[std::string(row.IsNull(0) ? "" : row.Text(0))] = row.Int(1);
                             }));
    return out;
  };
  nlohmann::json figures;
  STEWARD_ASSIGN_OR_RETURN(auto total, connection.QueryInt("SELECT count(*)" + from, params));
  figures["residents"] = total.value_or(0);
  STEWARD_ASSIGN_OR_RETURN(figures["residence_status"], grouped("r.residence_status"));
  STEWARD_ASSIGN_OR_RETURN(figures["gender"], grouped("r.gender"));

  const Date today = call.services.clock.Today();
  const std::string d18 = today.YearsEarlier(18).ToString(),
                    d60 = today.YearsEarlier(60).ToString(),
                    d80 = today.YearsEarlier(80).ToString();
  std::vector<storage::Value> age_params = {d18, d60, d18, d80, d60, d80};
  for (auto& value : params) age_params.push_back(value);
  STEWARD_ASSIGN_OR_RETURN(
      auto ages,
      connection.Query("SELECT sum(CASE WHEN r.birth_date > ? THEN 1 ELSE 0 END), "
                       "sum(CASE WHEN r.birth_date > ? AND r.birth_date <= ? THEN 1 ELSE 0 END), "
                       "sum(CASE WHEN r.birth_date > ? AND r.birth_date <= ? THEN 1 ELSE 0 END), "
                       "sum(CASE WHEN r.birth_date <= ? THEN 1 ELSE 0 END)" +
                           from,
                       age_params));
  const int64_t known = ages.OptInt(0, 0).value_or(0) + ages.OptInt(0, 1).value_or(0) +
                        ages.OptInt(0, 2).value_or(0) + ages.OptInt(0, 3).value_or(0);
  figures["age_bands"] = {{"0-17", ages.OptInt(0, 0).value_or(0)},
                          {"18-59", ages.OptInt(0, 1).value_or(0)},
                          {"60-79", ages.OptInt(0, 2).value_or(0)},
                          {"80+", ages.OptInt(0, 3).value_or(0)},
                          {"unknown", total.value_or(0) - known}};  // no birth date recorded
  STEWARD_ASSIGN_OR_RETURN(
      auto alone,
      connection.QueryInt("SELECT count(*)" + from +
                              " AND r.birth_date <= ? AND EXISTS (SELECT 1 FROM resident_tag t "
                              "WHERE t.resident_id = r.id AND t.tag_code = 'lives_alone')",
                          [&] {
                            std::vector<storage::Value> with_date = params;
                            with_date.push_back(d60);
                            return with_date;
                          }()));
  figures["elderly_living_alone"] = alone.value_or(0);

  // Tags (sensitive ones only for those who may see them).
  const bool sensitive = call.principal.Can(auth::permission::kSensitiveView);
  nlohmann::json tags = nlohmann::json::object();
  STEWARD_TRY(connection.QueryEach(
      "SELECT g.code, g.name, g.sensitive, count(*) FROM resident_tag t JOIN tag g ON g.code = "
      "t.tag_code JOIN resident r ON r.id = t.resident_id JOIN org_unit u ON u.id = r.unit_id "
      "WHERE r.deleted_at IS NULL AND " +
          where + " GROUP BY g.code, g.name, g.sensitive",
      params, [&](const storage::RowView& row) {
        if (row.Int(2) != 0 && !sensitive) return;
        tags[std::string(row.Text(0))] = {{"name", row.Text(1)}, {"count", row.Int(3)}};
      }));
  figures["tags"] = tags;

  if (sensitive) {
    nlohmann::json assistance = nlohmann::json::object();
    STEWARD_TRY(connection.QueryEach(
        "SELECT h.assistance_type, count(DISTINCT h.id), count(r.id) FROM household h "
        "JOIN building b ON b.id = h.building_id JOIN org_unit u ON u.id = b.unit_id "
        "LEFT JOIN resident r ON r.household_id = h.id AND r.deleted_at IS NULL "
        "WHERE h.assistance_type IS NOT NULL AND " +
            where + " GROUP BY h.assistance_type",
        params, [&](const storage::RowView& row) {
          assistance[std::string(row.Text(0))] = {{"households", row.Int(1)},
                                                  {"members", row.Int(2)}};
        }));
    figures["assistance"] = assistance;
  }

  // Units by level, current on today.
  std::vector<storage::Value> unit_params = params;
  unit_params.push_back(today.ToString());
  nlohmann::json units = nlohmann::json::object();
  STEWARD_TRY(connection.QueryEach(
      "SELECT u.kind, count(*) FROM org_unit u WHERE " + where +
          " AND (u.valid_to IS NULL OR u.valid_to > ?) GROUP BY u.kind",
      unit_params,
      [&](const storage::RowView& row) { units[std::string(row.Text(0))] = row.Int(1); }));
  figures["units"] = units;

  // Staffing: current staff by role, and grids without a full-time grid worker.
  nlohmann::json staffing = nlohmann::json::object();
  STEWARD_TRY(connection.QueryEach(
      "SELECT s.role, count(*) FROM unit_staff s JOIN org_unit u ON u.id = s.unit_id WHERE "
      "s.valid_to IS NULL AND " +
          where + " GROUP BY s.role",
      params,
      [&](const storage::RowView& row) { staffing[std::string(row.Text(0))] = row.Int(1); }));
  STEWARD_ASSIGN_OR_RETURN(
      auto unstaffed,
      connection.QueryInt(
          "SELECT count(*) FROM org_unit u WHERE u.kind = 'grid' AND " + where +
              " AND (u.valid_to IS NULL OR u.valid_to > ?) AND NOT EXISTS (SELECT 1 "
              "FROM unit_staff s WHERE s.unit_id = u.id AND s.role = 'grid_worker' "
              "AND s.valid_to IS NULL)",
          unit_params));
  staffing["grids_without_grid_worker"] = unstaffed.value_or(0);
  figures["staffing"] = staffing;

  // Residents by child unit, for the bar charts (by street, by community ...).
  if (unit) {
    nlohmann::json children = nlohmann::json::array();
    org::OrgStore store(call.services.ids, call.services.clock);
    STEWARD_ASSIGN_OR_RETURN(auto kids, store.Children(connection, unit->id, today));
    for (const auto& child : kids) {
      STEWARD_ASSIGN_OR_RETURN(
          auto count,
          connection.QueryInt("SELECT count(*) FROM resident r JOIN org_unit u ON u.id = "
                              "r.unit_id WHERE r.deleted_at IS NULL AND u.path >= ? AND "
                              "u.path < ?",
                              {child.path, org::SubtreeUpperBound(child.path)}));
      children.push_back({{"id", IdJson(child.id)},
                          {"name", child.name},
                          {"kind", org::UnitKindName(child.kind)},
                          {"residents", count.value_or(0)}});
    }
    figures["by_child"] = children;
    // Residents placed on the unit itself (an import names a community, not a grid) or under a
    // retired child: they count in the unit's figures but in no bar.
    int64_t in_children = 0;
    for (const auto& child : children) in_children += child["residents"].get<int64_t>();
    figures["residents_not_in_a_child"] = figures["residents"].get<int64_t>() - in_children;
    figures["unit"] = {{"id", IdJson(unit->id)}, {"name", unit->name}};
  }
  figures["as_of"] = today.ToString();
  return figures;
}

Result<Response> Summary(ApiCall& call) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    std::optional<org::Unit> unit;
    if (auto id = call.IdQuery("unit")) {
      STEWARD_ASSIGN_OR_RETURN(unit, call.VisibleUnit(connection, *id));
    }
    STEWARD_ASSIGN_OR_RETURN(auto figures, Compute(call, connection, unit));
    return JsonResponse(figures);
  });
}

}  // namespace

void AddStatsRoutes(Server& server, const Api& api) {
  api.Cached(server, "/api/v1/stats/summary", auth::permission::kStatsView, Summary);
}

}  // namespace steward::http::handlers
