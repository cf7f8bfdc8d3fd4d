// /api/v1/stats/summary: the dashboard's figures for a unit (or the caller's whole view scope):
// residents by residence status, gender and age band, elderly living alone, tags, assistance
// households and members, units by level and residents by child unit.
//
// The resident figures come from one registry::ResidentFigures per Api: per-unit counts in memory,
// brought up to date from the change log before each computation (re-reading only the records
// that changed), then summed over the units in range. Units by level and staffing are SQL
// aggregates over small tables. The whole answer is then served from the answer cache
// (Api::Cached: per user and query until Database::generation() moves).
#include <map>
#include <memory>
#include <mutex>

#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "org/unit.hpp"
#include "registry/resident_figures.hpp"

namespace steward::http::handlers {
namespace {

Result<nlohmann::json> Compute(ApiCall& call, storage::Connection& connection,
                               const std::optional<org::Unit>& unit,
                               registry::ResidentFigures& resident_figures) {
  // The units' condition (units by level, staffing): the unit's subtree, else the view scope.
  std::string where;
  std::vector<storage::Value> params;
  std::vector<registry::UnitPathRange> ranges;
  if (unit) {
    where = "u.path >= ? AND u.path < ?";
    params = {unit->path, org::SubtreeUpperBound(unit->path)};
    ranges.push_back({unit->path, org::SubtreeUpperBound(unit->path)});
  } else {
    const auth::DataScope& scope = call.principal.Scope(auth::ScopeKind::kView);
    auto condition = scope.Sql("u.path");
    where = condition.sql;
    params = condition.params;
    for (const auto& range : scope.ranges()) ranges.push_back({range.low, range.high});
  }

  const Date today = call.services.clock.Today();
  STEWARD_TRY(resident_figures.CatchUp(connection));
  const auto residents = resident_figures.Query(ranges, today);
  nlohmann::json figures;
  figures["residents"] = residents.residents;
  figures["residence_status"] = residents.residence_status;
  figures["gender"] = residents.gender;
  figures["age_bands"] = {{"0-17", residents.ages.under_18},
                          {"18-59", residents.ages.from_18_to_59},
                          {"60-79", residents.ages.from_60_to_79},
                          {"80+", residents.ages.from_80},
                          {"unknown", residents.ages.unknown}};  // no birth date recorded
  nlohmann::json pyramid = nlohmann::json::object();
  for (const auto& [gender, bands] : residents.age_pyramid) pyramid[gender] = bands;
  figures["age_pyramid"] = {
      {"bands",
       {"0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90+"}},
      {"by_gender", std::move(pyramid)}};  // residents with a birth date, per gender and band
  figures["elderly_living_alone"] = residents.elderly_living_alone;

  // Tags (sensitive ones only for those who may see them).
  const bool sensitive = call.principal.Can(auth::permission::kSensitiveView);
  nlohmann::json tags = nlohmann::json::object();
  for (const auto& [code, tag] : residents.tags) {
    if (tag.sensitive && !sensitive) continue;
    tags[code] = {{"name", tag.name}, {"count", tag.residents}};
  }
  figures["tags"] = tags;
  if (sensitive) {
    nlohmann::json assistance = nlohmann::json::object();
    for (const auto& [type, count] : residents.assistance) {
      assistance[type] = {{"households", count.households}, {"members", count.members}};
    }
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
      const registry::UnitPathRange child_range[] = {
          {child.path, org::SubtreeUpperBound(child.path)}};
      children.push_back({{"id", IdJson(child.id)},
                          {"name", child.name},
                          {"kind", org::UnitKindName(child.kind)},
                          {"residents", resident_figures.CountResidents(child_range)}});
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

Result<Response> Summary(ApiCall& call, registry::ResidentFigures& resident_figures) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    std::optional<org::Unit> unit;
    if (auto id = call.IdQuery("unit")) {
      STEWARD_ASSIGN_OR_RETURN(unit, call.VisibleUnit(connection, *id));
    }
    STEWARD_ASSIGN_OR_RETURN(auto figures, Compute(call, connection, unit, resident_figures));
    return JsonResponse(figures);
  });
}

}  // namespace

void AddStatsRoutes(Server& server, const Api& api) {
  auto resident_figures = std::make_shared<registry::ResidentFigures>();
  api.Cached(server, "/api/v1/stats/summary", auth::permission::kStatsView,
             [resident_figures](ApiCall& call) { return Summary(call, *resident_figures); });
}

}  // namespace steward::http::handlers
