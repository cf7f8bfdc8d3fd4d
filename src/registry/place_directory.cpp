#include "registry/place_directory.hpp"

#include <unordered_map>

namespace steward::registry {

Result<PlaceDirectory> PlaceDirectory::Load(storage::Connection& connection, const Date& on) {
  PlaceDirectory directory;
  const std::string day = on.ToString();
  const storage::Value params[] = {day, day};
  std::unordered_map<Id, Id> grid_of_micro_grid;
  std::unordered_map<Id, Id> community_of_grid;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, parent_id, kind, name, official_name, division_code FROM org_unit "
      "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) AND kind <> 'city'",
      params, [&](const storage::RowView& row) {
        UnitEntry entry{row.Int(0), row.Int(1), std::string(row.Text(3)), std::string(row.Text(4)),
                        std::string(row.Text(5))};
        const auto kind = row.Text(2);
        if (kind == "street") {
          directory.streets_.push_back(std::move(entry));
        } else if (kind == "community") {
          directory.communities_.push_back(std::move(entry));
        } else if (kind == "grid") {
          community_of_grid[entry.id] = entry.parent_id;
          directory.grids_.push_back(std::move(entry));
        } else if (kind == "micro_grid") {
          grid_of_micro_grid[entry.id] = entry.parent_id;
        }
      }));
  std::vector<std::pair<Id, BuildingEntry>> buildings;
  STEWARD_TRY(connection.QueryEach(
      "SELECT b.id, b.unit_id, b.name, COALESCE(c.name, '') FROM building b "
      "LEFT JOIN complex c ON c.id = b.complex_id",
      {}, [&](const storage::RowView& row) {
        const Id micro = row.Int(1);
        const auto grid = grid_of_micro_grid.find(micro);
        if (grid == grid_of_micro_grid.end()) return;  // on a retired unit
        const auto community = community_of_grid.find(grid->second);
        if (community == community_of_grid.end()) return;
        buildings.emplace_back(community->second,
                               BuildingEntry{row.Int(0), micro, grid->second,
                                             std::string(row.Text(2)), std::string(row.Text(3))});
      }));
  directory.Index(std::move(buildings));
  return directory;
}

void PlaceDirectory::Index(std::vector<std::pair<Id, BuildingEntry>> buildings_by_community) {
  for (const UnitEntry& street : streets_) {
    for (const std::string* key : {&street.name, &street.official_name, &street.code}) {
      street_by_name_[*key] = street.id;  // a later street with the name wins, as in a scan
    }
  }
  std::unordered_map<Id, const UnitEntry*> community_by_id;
  for (size_t i = 0; i < communities_.size(); ++i) {
    const UnitEntry& community = communities_[i];
    community_by_id.emplace(community.id, &community);
    for (const std::string* key : {&community.name, &community.official_name, &community.code}) {
      std::vector<size_t>& found = communities_by_name_[*key];
      if (found.empty() || found.back() != i) found.push_back(i);  // once per community
    }
  }
  for (const UnitEntry& grid : grids_) {
    const auto community = community_by_id.find(grid.parent_id);
    if (community == community_by_id.end()) continue;  // never reached from a community
    TextMap<Id>& names = grid_by_name_[grid.parent_id];
    for (const std::string* key : {&grid.name, &grid.official_name, &grid.code}) {
      names[*key] = grid.id;  // a later grid with the name wins, as in a scan
    }
    // "第1网格" names the grid "<community name>第1网格".
    const std::string& prefix = community->second->name;
    if (grid.name.size() > prefix.size() && grid.name.compare(0, prefix.size(), prefix) == 0) {
      names[grid.name.substr(prefix.size())] = grid.id;
    }
  }
  for (auto& [community_id, building] : buildings_by_community) {
    buildings_by_name_[community_id][building.name].push_back(std::move(building));
  }
}

std::variant<Placement, PlaceError> PlaceDirectory::Resolve(std::string_view street,
                                                            std::string_view community,
                                                            std::string_view grid,
                                                            std::string_view complex,
                                                            std::string_view building) const {
  std::optional<Id> street_id;
  if (!street.empty()) {
    const auto found = street_by_name_.find(street);
    if (found == street_by_name_.end()) {
      return PlaceError{"street", "street.unknown", "系统中没有这个街道"};
    }
    street_id = found->second;
  }
  const UnitEntry* community_entry = nullptr;
  size_t communities_found = 0;
  if (const auto named = communities_by_name_.find(community);
      named != communities_by_name_.end()) {
    for (const size_t index : named->second) {
      const UnitEntry& entry = communities_[index];
      if (street_id && entry.parent_id != *street_id) continue;
      community_entry = &entry;
      ++communities_found;
    }
  }
  if (communities_found == 0) {
    return PlaceError{"community", "community.unknown", "系统中没有这个社区"};
  }
  if (communities_found > 1) {
    return PlaceError{"community", "community.ambiguous",
                      "多个街道都有这个社区，请填写所属街道或社区代码"};
  }
  std::optional<Id> grid_id;
  if (!grid.empty()) {
    if (const auto grids = grid_by_name_.find(community_entry->id); grids != grid_by_name_.end()) {
      if (const auto found = grids->second.find(grid); found != grids->second.end()) {
        grid_id = found->second;
      }
    }
    if (!grid_id) return PlaceError{"grid", "grid.unknown", "该社区下没有这个网格"};
  }
  if (building.empty()) return Placement{grid_id.value_or(community_entry->id), std::nullopt};
  // Without a complex the building's name must match; with one, the building must be in that
  // complex and named either alone or with the complex's name in front (剑川花园3幢).
  const BuildingEntry* match = nullptr;
  size_t matches = 0;
  const auto count = [&](std::string_view name) {
    const auto named = buildings_by_name_.find(community_entry->id);
    if (named == buildings_by_name_.end()) return;
    const auto found = named->second.find(name);
    if (found == named->second.end()) return;
    for (const BuildingEntry& entry : found->second) {
      if (grid_id && entry.grid_id != *grid_id) continue;
      if (!complex.empty() && entry.complex_name != complex) continue;
      match = &entry;
      ++matches;
    }
  };
  count(building);
  if (!complex.empty()) count(std::string(complex) + std::string(building));
  if (matches == 0) {
    return PlaceError{"building", "building.unknown", "该社区（网格）下没有这个楼栋"};
  }
  if (matches > 1) {
    return PlaceError{"building", "building.ambiguous",
                      "该社区有多个同名楼栋，请填写小区或所属网格"};
  }
  return Placement{match->micro_grid_id, match->id};
}

}  // namespace steward::registry
