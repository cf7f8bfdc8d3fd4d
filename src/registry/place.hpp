// Places: residential complexes, buildings and households, the containers residents live in.
//
// A building lies in one micro-grid (unit_id) and optionally in one complex; a complex belongs to
// a community; a household is a dwelling (unit/room) in a building, with an optional head and an
// optional social-assistance type with dates. Every create, update and delete records a
// change-log entry; updates and deletes name the version they read (a stale one is kConflict).
// A place is deleted for real, and only when empty: a complex without buildings, a building
// without households or a current building leader, a household without living residents
// (kFailedPrecondition, `place.has_*`, naming the count). Records that merely remember the place
// let go of it, each change recorded: deleted residents their household, ended building-leader
// assignments their building. The delete's change-log entry holds the row as it was.
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

// Fields of a complex to change; unset ones stay. A new unit (a community) must hold every
// building of the complex (kFailedPrecondition `place.buildings_elsewhere` otherwise).
struct ComplexPatch {
  std::optional<Id> unit_id;
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<std::string> property_company;
  std::optional<std::string> owners_committee;
};

// Fields of a household to change; unset ones stay. The inner nullopt clears a field. A new
// building in another micro-grid takes along the living residents counted under the old one.
struct HouseholdPatch {
  std::optional<Id> building_id;
  std::optional<std::string> unit_no;
  std::optional<std::string> room;
  std::optional<std::optional<Id>> head_resident_id;  // a living member of the household
  std::optional<std::optional<AssistanceType>> assistance;
  std::optional<std::optional<Date>> assistance_from, assistance_to;
};

struct HouseholdUpdate {
  int64_t version = 0;
  int64_t residents_moved = 0;  // to the new building's micro-grid
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
  // As UpdateBuilding; also kNotFound for an unknown new unit.
  Result<int64_t> UpdateComplex(storage::WriteTransaction& transaction, Id id,
                                int64_t expected_version, const ComplexPatch& patch);
  // As UpdateBuilding; also kInvalidArgument for an unknown building or a head who is not a
  // living member, kAlreadyExists when the new building, unit and room are taken.
  Result<HouseholdUpdate> UpdateHousehold(storage::WriteTransaction& transaction, Id id,
                                          int64_t expected_version, const HouseholdPatch& patch);

  // kNotFound; kConflict on a stale version; kFailedPrecondition while the place is not empty.
  Status DeleteComplex(storage::WriteTransaction& transaction, Id id, int64_t expected_version);
  Status DeleteBuilding(storage::WriteTransaction& transaction, Id id, int64_t expected_version);
  Status DeleteHousehold(storage::WriteTransaction& transaction, Id id, int64_t expected_version);

 private:
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::registry
