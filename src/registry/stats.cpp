#include "registry/stats.hpp"

namespace steward::registry {

nlohmann::json RegistryStats::ToJson() const {
  return {
      {"streets", streets},
      {"communities", communities},
      {"grids", grids},
      {"micro_grids", micro_grids},
      {"complexes", complexes},
      {"buildings", buildings},
      {"households", households},
      {"residents", residents},
      {"residents_by_status",
       {{"both", both}, {"resident_only", resident_only}, {"registered_only", registered_only}}},
      {"assistance", {{"households", assistance_households}, {"members", assistance_members}}}};
}

Result<RegistryStats> ComputeStats(storage::Connection& connection, const Date& on) {
  RegistryStats stats;
  const std::string day = on.ToString();
  const storage::Value day_params[] = {day, day};
  STEWARD_TRY(connection.QueryEach(
      "SELECT kind, count(*) FROM org_unit WHERE valid_from <= ? AND (valid_to IS NULL OR "
      "valid_to > ?) GROUP BY kind",
      day_params, [&](const storage::RowView& row) {
        const auto kind = row.Text(0);
        const int64_t n = row.Int(1);
        if (kind == "street") stats.streets = n;
        if (kind == "community") stats.communities = n;
        if (kind == "grid") stats.grids = n;
        if (kind == "micro_grid") stats.micro_grids = n;
      }));
  STEWARD_ASSIGN_OR_RETURN(auto complexes, connection.QueryInt("SELECT count(*) FROM complex"));
  STEWARD_ASSIGN_OR_RETURN(auto buildings, connection.QueryInt("SELECT count(*) FROM building"));
  STEWARD_ASSIGN_OR_RETURN(auto households, connection.QueryInt("SELECT count(*) FROM household"));
  stats.complexes = complexes.value_or(0);
  stats.buildings = buildings.value_or(0);
  stats.households = households.value_or(0);
  STEWARD_TRY(connection.QueryEach(
      "SELECT residence_status, count(*) FROM resident WHERE deleted_at IS NULL GROUP BY "
      "residence_status",
      {}, [&](const storage::RowView& row) {
        const auto status = row.Text(0);
        const int64_t n = row.Int(1);
        if (status == "both") stats.both = n;
        if (status == "resident_only") stats.resident_only = n;
        if (status == "registered_only") stats.registered_only = n;
        stats.residents += n;
      }));
  const storage::Value assist_params[] = {day, day};
  STEWARD_TRY(connection.QueryEach(
      "SELECT count(DISTINCT h.id), count(r.id) FROM household h LEFT JOIN resident r ON "
      "r.household_id = h.id AND r.deleted_at IS NULL WHERE h.assistance_type IS NOT NULL AND "
      "(h.assistance_from IS NULL OR h.assistance_from <= ?) AND (h.assistance_to IS NULL OR "
      "h.assistance_to > ?)",
      assist_params, [&](const storage::RowView& row) {
        stats.assistance_households = row.Int(0);
        stats.assistance_members = row.Int(1);
      }));
  return stats;
}

}  // namespace steward::registry
