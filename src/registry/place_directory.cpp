#include "registry/place_directory.hpp"

namespace steward::registry {
namespace {

template <typename Entry>
bool Names(const Entry& entry, std::string_view value) {
  return entry.name == value || entry.official_name == value || entry.code == value;
}

}  // namespace

Result<PlaceDirectory> PlaceDirectory::Load(storage::Connection& connection, const Date& on) {
  PlaceDirectory directory;
  const std::string day = on.ToString();
  const storage::Value params[] = {day, day};
  std::map<Id, Id> parent_of;
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
          directory.community_of_grid_[entry.id] = entry.parent_id;
          directory.grids_.push_back(std::move(entry));
        } else if (kind == "micro_grid") {
          directory.grid_of_micro_grid_[entry.id] = entry.parent_id;
        }
      }));
  STEWARD_TRY(connection.QueryEach(
      "SELECT b.id, b.unit_id, b.name, COALESCE(c.name, '') FROM building b "
      "LEFT JOIN complex c ON c.id = b.complex_id",
      {}, [&](const storage::RowView& row) {
        const Id micro = row.Int(1);
        const auto grid = directory.grid_of_micro_grid_.find(micro);
        if (grid == directory.grid_of_micro_grid_.end()) return;  // on a retired unit
        const auto community = directory.community_of_grid_.find(grid->second);
        if (community == directory.community_of_grid_.end()) return;
        directory.buildings_by_community_.emplace(
            community->second,
            BuildingEntry{row.Int(0), micro, std::string(row.Text(2)), std::string(row.Text(3))});
      }));
  return directory;
}

std::variant<Placement, PlaceError> PlaceDirectory::Resolve(std::string_view street,
                                                            std::string_view community,
                                                            std::string_view grid,
                                                            std::string_view complex,
                                                            std::string_view building) const {
  std::optional<Id> street_id;
  if (!street.empty()) {
    for (const auto& entry : streets_) {
      if (Names(entry, street)) street_id = entry.id;
    }
    if (!street_id) return PlaceError{"street", "street.unknown", "系统中没有这个街道"};
  }
  std::vector<const UnitEntry*> found;
  for (const auto& entry : communities_) {
    if (Names(entry, community) && (!street_id || entry.parent_id == *street_id)) {
      found.push_back(&entry);
    }
  }
  if (found.empty()) return PlaceError{"community", "community.unknown", "系统中没有这个社区"};
  if (found.size() > 1) {
    return PlaceError{"community", "community.ambiguous",
                      "多个街道都有这个社区，请填写所属街道或社区代码"};
  }
  const UnitEntry& community_entry = *found.front();
  std::optional<Id> grid_id;
  if (!grid.empty()) {
    for (const auto& entry : grids_) {
      if (entry.parent_id != community_entry.id) continue;
      if (Names(entry, grid) || entry.name == community_entry.name + std::string(grid)) {
        grid_id = entry.id;
      }
    }
    if (!grid_id) return PlaceError{"grid", "grid.unknown", "该社区下没有这个网格"};
  }
  if (building.empty()) return Placement{grid_id.value_or(community_entry.id), std::nullopt};
  std::vector<const BuildingEntry*> buildings;
  const auto [first, last] = buildings_by_community_.equal_range(community_entry.id);
  for (auto it = first; it != last; ++it) {
    const BuildingEntry& entry = it->second;
    if (grid_id && grid_of_micro_grid_.at(entry.micro_grid_id) != *grid_id) continue;
    const bool named =
        entry.name == building || (!complex.empty() && entry.complex_name == complex &&
                                   (entry.name == std::string(complex) + std::string(building)));
    const bool complex_matches = complex.empty() || entry.complex_name == complex;
    if (named && complex_matches) buildings.push_back(&entry);
  }
  if (buildings.empty()) {
    return PlaceError{"building", "building.unknown", "该社区（网格）下没有这个楼栋"};
  }
  if (buildings.size() > 1) {
    return PlaceError{"building", "building.ambiguous",
                      "该社区有多个同名楼栋，请填写小区或所属网格"};
  }
  return Placement{buildings.front()->micro_grid_id, buildings.front()->id};
}

}  // namespace steward::registry
