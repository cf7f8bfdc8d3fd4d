// PlaceDirectory: the current communities, grids and buildings by the names offices write, for
// resolving the place columns of an imported row (所属街道, 所属社区, 所属网格, 小区, 楼栋).
//
// Loaded once per import from the database (as of a date) and then read-only, so lookups cost no
// queries. A community is found by short name, official name or division code (narrowed by the
// street when two streets have one of that name); a grid by name, code, or name without the
// community's prefix (第1网格); a building by name within the community (and grid), optionally
// with its complex's name in front (剑川花园3幢).
// Thread-safety: immutable after Load.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/connection.hpp"

namespace steward::registry {

struct Placement {
  Id unit_id = 0;                 // the unit the resident counts under
  std::optional<Id> building_id;  // when a building was named
};

struct PlaceError {
  std::string column;  // "community", "grid", "building" or "street"
  std::string code;
  std::string message;
};

class PlaceDirectory {
 public:
  static Result<PlaceDirectory> Load(storage::Connection& connection, const Date& on);

  // Resolves a row's place columns (empty strings are absent columns).
  std::variant<Placement, PlaceError> Resolve(std::string_view street, std::string_view community,
                                              std::string_view grid, std::string_view complex,
                                              std::string_view building) const;

 private:
  struct UnitEntry {
    Id id = 0;
    Id parent_id = 0;
    std::string name, official_name, code;
  };
  struct BuildingEntry {
    Id id = 0;
    Id micro_grid_id = 0;
    Id grid_id = 0;  // the micro-grid's grid
    std::string name;
    std::string complex_name;
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  template <typename Value>
  using TextMap = std::unordered_map<std::string, Value, TextHash, std::equal_to<>>;

  // Fills the indexes below from streets_, communities_, grids_ and the buildings.
  void Index(std::vector<std::pair<Id, BuildingEntry>> buildings_by_community);

  // Load order is the order a scan of the lists would meet the units in; the indexes keep the
  // answers of such a scan: the last match where one is taken, every match where they count.
  std::vector<UnitEntry> streets_, communities_, grids_;
  // Name, official name or code -> the id of the last street with it.
  TextMap<Id> street_by_name_;
  // Name, official name or code -> the communities with it (indexes into communities_), each once.
  TextMap<std::vector<size_t>> communities_by_name_;
  // Community id -> name, official name, code, or name without the community's name in front ->
  // the id of the community's last grid with it.
  std::unordered_map<Id, TextMap<Id>> grid_by_name_;
  // Community id -> building name -> the community's buildings of that name.
  std::unordered_map<Id, TextMap<std::vector<BuildingEntry>>> buildings_by_name_;
};

}  // namespace steward::registry
