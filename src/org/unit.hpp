// The hierarchy: city > street > community > grid > micro_grid, with effective dates.
//
// Invariants:
// - A unit row's parent and materialised path never change. Moving, splitting or converting a
//   unit (村改居) retires the row (valid_to = the effective date) and creates successors linked
//   to it in org_unit_link, so a query "as of" any date sees the hierarchy that was true then.
// - path is "/<city id>/<street id>/.../<own id>/"; "this unit and everything below" is the
//   byte-order range [path, path with its last '/' raised to '0').
// - Streets and communities carry national division codes (9 and 12 digits); grids derive theirs
//   as community code + 3 digits, micro-grids as grid code + 3 digits.
// - valid_from is inclusive, valid_to exclusive, both YYYY-MM-DD.
// Thread-safety: OrgStore holds no mutable state of its own; call it from any thread with a
// connection or transaction owned by that thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::org {

enum class UnitKind { kCity, kStreet, kCommunity, kGrid, kMicroGrid };

const char* UnitKindName(UnitKind kind);
bool ParseUnitKind(std::string_view text, UnitKind* kind);
// The kind a child of `kind` must have (city's children are streets, ...); nullopt for micro_grid.
std::optional<UnitKind> ChildKind(UnitKind kind);

// "Since before our records": the valid_from of units whose start date nobody knows.
inline constexpr Date kSinceEver{1990, 1, 1};

struct Unit {
  Id id = 0;
  std::optional<Id> parent_id;
  UnitKind kind = UnitKind::kCity;
  std::string subtype;  // 街道/镇/乡 for streets, 社区/村 for communities
  std::string division_code;
  std::string name;           // short name: 城东社区
  std::string official_name;  // 城东社区居民委员会
  std::string path;
  int depth = 0;
  std::optional<std::string> boundary;  // GeoJSON geometry
  std::string valid_from;
  std::optional<std::string> valid_to;
  int64_t version = 0;

  bool ValidOn(const Date& date) const;
};

struct NewUnit {
  std::optional<Id> parent_id;
  UnitKind kind = UnitKind::kCity;
  std::string subtype;
  std::string division_code;  // empty: derived for grids and micro-grids
  std::string name;
  std::string official_name;  // empty: same as name
  std::optional<std::string> boundary;
  Date valid_from = kSinceEver;
};

// How a unit's children are shared out when it is split.
struct SplitPart {
  std::string name;
  std::string official_name;
  std::vector<Id> children;  // current children of the split unit that go to this part
  std::optional<std::string> boundary;
};

struct UnitCounts {
  int64_t streets = 0;
  int64_t communities = 0;
  int64_t grids = 0;
  int64_t micro_grids = 0;
};

class OrgStore {
 public:
  OrgStore(IdGenerator& ids, const Clock& clock) : ids_(ids), clock_(clock) {}

  Result<Unit> Create(storage::WriteTransaction& transaction, const NewUnit& unit);
  Result<Unit> Get(storage::Connection& connection, Id id);
  // The unit with this division code valid on `on`.
  Result<Unit> FindByCode(storage::Connection& connection, std::string_view code, const Date& on);
  // Units named `name` (short or official) valid on `on`.
  Result<std::vector<Unit>> FindByName(storage::Connection& connection, std::string_view name,
                                       const Date& on);
  // `root` and every unit below it valid on `on`, ordered by path.
  Result<std::vector<Unit>> Subtree(storage::Connection& connection, const Unit& root,
                                    const Date& on);
  Result<std::vector<Unit>> Children(storage::Connection& connection, Id parent, const Date& on);
  // Units of each kind valid on `on` (below `root` when given).
  Result<UnitCounts> Count(storage::Connection& connection, const Date& on,
                           const std::optional<Unit>& root = std::nullopt);
  // Links: the units this one replaced.
  Result<std::vector<Id>> Predecessors(storage::Connection& connection, Id unit);

  // Retires `unit` on `effective` and creates one successor per part under the same parent; each
  // listed child is carried over as a successor of its own (recursively), and buildings and
  // residents attached to retired units move to their successors. Every current child must be
  // listed in exactly one part; records attached to the unit itself (rather than to a child) make
  // the split kFailedPrecondition. Returns the new units, in the order of `parts`.
  Result<std::vector<Unit>> Split(storage::WriteTransaction& transaction, Id unit,
                                  const Date& effective, const std::vector<SplitPart>& parts);
  // 村改居: retires the village on `effective` and creates a community (subtype 社区) in its
  // place with the given code and names, carrying its children over.
  Result<Unit> ConvertVillageToCommunity(storage::WriteTransaction& transaction, Id village,
                                         const Date& effective, std::string division_code,
                                         std::string name, std::string official_name);

  // Changes a unit's names in place (its path and id stay): kConflict on a stale version.
  Result<Unit> Rename(storage::WriteTransaction& transaction, Id unit, int64_t expected_version,
                      std::string name, std::string official_name);
  // Moves a unit under another parent of the kind above it, on `effective`: the unit is retired
  // and a successor (link kind "move") takes its place, carrying its children, buildings and
  // residents. A move inside the same parent is kInvalidArgument.
  Result<Unit> Move(storage::WriteTransaction& transaction, Id unit, Id new_parent,
                    const Date& effective);
  // Ends a unit on `effective`. Only a unit without current children and without records
  // attached (buildings, complexes, residents) can end: kFailedPrecondition names what is left.
  Status End(storage::WriteTransaction& transaction, Id unit, const Date& effective);
  // Sets (or clears, with nullopt) a unit's boundary, a GeoJSON Polygon geometry already checked
  // by the caller (geo::ParsePolygonGeoJson); kConflict on a stale version.
  Result<Unit> SetBoundary(storage::WriteTransaction& transaction, Id unit,
                           int64_t expected_version, std::optional<std::string> boundary);

  // The next free derived code below `parent` (grids and micro-grids).
  Result<std::string> NextChildCode(storage::Connection& connection, const Unit& parent);

 private:
  Result<Unit> CreateSuccessor(storage::WriteTransaction& transaction, const Unit& old_unit,
                               const Unit& new_parent, const Date& effective,
                               std::string_view link_kind);
  Status Retire(storage::WriteTransaction& transaction, const Unit& unit, const Date& effective);
  // Each listed child gets a successor under `new_unit` (link kind "move"), recursively.
  Status CarryChildren(storage::WriteTransaction& transaction, const Unit& old_unit,
                       const Unit& new_unit, const std::vector<Id>& children,
                       const Date& effective);
  Status MoveAttachments(storage::WriteTransaction& transaction, Id from_unit, Id to_unit);

  IdGenerator& ids_;
  const Clock& clock_;
};

// The exclusive upper bound of the subtree range that starts at `path`.
std::string SubtreeUpperBound(std::string_view path);

}  // namespace steward::org
