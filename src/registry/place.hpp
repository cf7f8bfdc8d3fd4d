// Places: residential complexes, buildings and households, the containers residents live in.
//
// A building lies in one micro-grid (unit_id) and optionally in one complex; a complex belongs to
// a community; a household is a dwelling (unit/room) in a building, with an optional head and an
// optional social-assistance type with dates. Every create records a change-log entry.
// Thread-safety: as ResidentStore (stateless; the caller owns the transaction).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::registry {

enum class AssistanceType { kSubsistenceAllowance, kNearPoverty, kExtremePoverty };
const char* AssistanceTypeName(AssistanceType type);   // subsistence_allowance, ...
const char* AssistanceTypeLabel(AssistanceType type);  // 低保, 低边, 特困
bool ParseAssistanceType(std::string_view text, AssistanceType* type);  // code or Chinese

struct NewComplex {
  Id unit_id = 0;  // community
  std::string name;
  std::string address;
  std::string property_company;
  std::string owners_committee;
};

struct NewBuilding {
  std::optional<Id> complex_id;
  Id unit_id = 0;  // micro-grid
  std::string name;
  std::string address;
  std::optional<double> lon, lat;  // WGS-84
  std::optional<int> floors, units;
};

struct NewHousehold {
  Id id = 0;  // 0: minted
  Id building_id = 0;
  std::string unit_no;
  std::string room;
  std::optional<Id> head_resident_id;
  std::optional<AssistanceType> assistance;
  std::optional<Date> assistance_from, assistance_to;
};

// Fields of a building to change; unset ones stay. The inner nullopt clears a field.
struct BuildingPatch {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<std::optional<double>> lon, lat;  // WGS-84
  std::optional<std::optional<int64_t>> floors, units;
};

class PlaceStore {
 public:
  PlaceStore(IdGenerator& ids, const Clock& clock) : ids_(ids), clock_(clock) {}

  Result<std::vector<Id>> CreateComplexes(storage::WriteTransaction& transaction,
                                          std::span<const NewComplex> complexes);
  Result<std::vector<Id>> CreateBuildings(storage::WriteTransaction& transaction,
                                          std::span<const NewBuilding> buildings);
  Result<std::vector<Id>> CreateHouseholds(storage::WriteTransaction& transaction,
                                           std::span<const NewHousehold> households);
  // Returns the building's new version (the same when nothing changed); kNotFound, or kConflict
  // when it is no longer at `expected_version`.
  Result<int64_t> UpdateBuilding(storage::WriteTransaction& transaction, Id id,
                                 int64_t expected_version, const BuildingPatch& patch);

 private:
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::registry
