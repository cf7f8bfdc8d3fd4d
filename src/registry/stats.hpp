// Registry figures: units by level, places and residents by residence status, as of a date.
// Reads only; counts current (not retired, not deleted) records.
#pragma once

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "storage/connection.hpp"

namespace steward::registry {

struct RegistryStats {
  int64_t streets = 0, communities = 0, grids = 0, micro_grids = 0;
  int64_t complexes = 0, buildings = 0, households = 0, residents = 0;
  int64_t both = 0, resident_only = 0, registered_only = 0;
  int64_t assistance_households = 0, assistance_members = 0;

  // The keys of `steward stats --json`.
  nlohmann::json ToJson() const;
};

Result<RegistryStats> ComputeStats(storage::Connection& connection, const Date& on);

}  // namespace steward::registry
