// ResidentModel::CatchUp: the next version of a model from the change log (see read_model.hpp,
// "Versions"). Like registry::ResidentFigures it re-reads the current rows of whatever changed
// instead of replaying log entries, so applying a change twice is harmless.
#include <algorithm>
#include <functional>
#include <unordered_set>

#include "segment/read_model.hpp"
#include "storage/change_log.hpp"

namespace steward::segment {
namespace {

using storage::Connection;
using storage::RowView;

constexpr int kChangeBatch = 1000;
constexpr size_t kIdsPerQuery = 500;

// Runs `sql` (a SELECT ending in a WHERE clause) for the rows whose `id_column` is one of `ids`,
// in chunks of bound parameters.
Status ForIds(Connection& connection, const std::string& sql, std::string_view id_column,
              const std::vector<Id>& ids, const std::function<void(const RowView&)>& row_fn) {
  for (size_t start = 0; start < ids.size(); start += kIdsPerQuery) {
    const size_t end = std::min(ids.size(), start + kIdsPerQuery);
    std::string chunk_sql = sql + " AND " + std::string(id_column) + " IN (";
    std::vector<storage::Value> params;
    for (size_t i = start; i < end; ++i) {
      chunk_sql += i == start ? "?" : ", ?";
      params.emplace_back(ids[i]);
    }
    STEWARD_TRY(connection.QueryEach(chunk_sql + ")", params, row_fn));
  }
  return Ok();
}

std::vector<Id> List(const std::unordered_set<Id>& ids) { return {ids.begin(), ids.end()}; }

}  // namespace

// Applies one batch of changed records to a copy of a model, in place.
class ResidentModel::Patch {
 public:
  Patch(ResidentModel& model, Connection& connection) : model_(model), connection_(connection) {}

  Status Apply(std::unordered_set<Id> residents, const std::unordered_set<Id>& households,
               const std::unordered_set<Id>& buildings) {
    STEWARD_TRY(AddMembers(households, buildings, residents));
    const std::vector<Id> ids = List(residents);
    for (Id id : ids) {
      if (auto row = model_.rows_.find(id); row != model_.rows_.end()) Remove(row->second);
    }
    if (!buildings.empty()) STEWARD_TRY(ReadBuildings(List(buildings)));
    if (!households.empty()) STEWARD_TRY(ReadHouseholds(List(households)));
    STEWARD_TRY(ReadResidents(ids));
    UpdateHouseholdSizes();
    return Ok();
  }

 private:
  // Adds to `residents` everyone who is, in the model or in the database, a member of one of the
  // households or lives in one of the buildings: their household columns and bitmaps change.
  Status AddMembers(const std::unordered_set<Id>& households,
                    const std::unordered_set<Id>& buildings, std::unordered_set<Id>& residents) {
    if (households.empty() && buildings.empty()) return Ok();
    for (Row row = 0; row < model_.household_ids_.size(); ++row) {
      const Id household = model_.household_ids_[row];
      if (household == 0) continue;
      auto found = model_.households_.find(household);
      if (households.contains(household) ||
          (found != model_.households_.end() && buildings.contains(found->second.building_id))) {
        residents.insert(model_.resident_ids_[row]);
      }
    }
    auto add = [&](const RowView& row) { residents.insert(row.Int(0)); };
    STEWARD_TRY(ForIds(connection_, "SELECT id FROM resident WHERE 1 = 1", "household_id",
                       List(households), add));
    return ForIds(connection_,
                  "SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id "
                  "WHERE 1 = 1",
                  "h.building_id", List(buildings), add);
  }

  // Takes a live row out of every bitmap and out of its household's member count, by the model's
  // own (old) state.
  void Remove(Row row) {
    model_.all_.remove(row);
    model_.phone_.remove(row);
    model_.opted_out_.remove(row);
    model_.SetContact(row, kNoContact, kNoContact);
    model_.SetVisit(row, kNoContact);
    for (Id at = model_.unit_ids_[row]; at != 0;) {
      if (auto bitmap = model_.by_unit_.find(at); bitmap != model_.by_unit_.end()) {
        bitmap->second.remove(row);
      }
      auto unit = model_.units_.find(at);
      if (unit == model_.units_.end()) break;
      at = unit->second.parent_id;
    }
    for (auto* bitmaps : {&model_.by_tag_, &model_.by_gender_, &model_.by_residence_status_,
                          &model_.by_assistance_}) {
      for (auto& [code, bitmap] : *bitmaps) bitmap.remove(row);
    }
    const Id household_id = model_.household_ids_[row];
    auto household = model_.households_.find(household_id);
    if (household == model_.households_.end()) return;
    --household->second.members;
    touched_households_.insert(household_id);
    const Id building = household->second.building_id;
    if (auto bitmap = model_.by_building_.find(building); bitmap != model_.by_building_.end()) {
      bitmap->second.remove(row);
    }
    if (auto complex = model_.building_complex_.find(building);
        complex != model_.building_complex_.end()) {
      if (auto bitmap = model_.by_complex_.find(complex->second);
          bitmap != model_.by_complex_.end()) {
        bitmap->second.remove(row);
      }
    }
  }

  Status ReadBuildings(const std::vector<Id>& ids) {
    const std::unordered_set<Id> changed(ids.begin(), ids.end());
    for (auto name = model_.buildings_by_name_.begin(); name != model_.buildings_by_name_.end();) {
      std::erase_if(name->second, [&](Id id) { return changed.contains(id); });
      name = name->second.empty() ? model_.buildings_by_name_.erase(name) : std::next(name);
    }
    for (Id id : ids) model_.building_complex_.erase(id);
    return ForIds(connection_, "SELECT id, complex_id, name FROM building WHERE 1 = 1", "id", ids,
                  [&](const RowView& row) {
                    model_.buildings_by_name_[std::string(row.Text(2))].push_back(row.Int(0));
                    if (!row.IsNull(1)) model_.building_complex_[row.Int(0)] = row.Int(1);
                  });
  }

  // Replaces the households' building and assistance; members stay as counted by the model.
  Status ReadHouseholds(const std::vector<Id>& ids) {
    std::unordered_map<Id, Household> fresh;
    STEWARD_TRY(ForIds(
        connection_, "SELECT id, building_id, assistance_type FROM household WHERE 1 = 1", "id",
        ids, [&](const RowView& row) {
          fresh[row.Int(0)] =
              Household{row.Int(1), row.IsNull(2) ? std::string() : std::string(row.Text(2)), 0};
        }));
    for (Id id : ids) {
      auto old = model_.households_.find(id);
      auto found = fresh.find(id);
      if (found == fresh.end()) {
        if (old != model_.households_.end() && old->second.members == 0) {
          model_.households_.erase(old);
        }
        continue;
      }
      if (old != model_.households_.end()) found->second.members = old->second.members;
      model_.households_[id] = found->second;
    }
    return Ok();
  }

  // Re-reads the residents: live ones get their columns and bitmaps (a new one a new row at the
  // end), the others' rows die.
  Status ReadResidents(const std::vector<Id>& ids) {
    std::unordered_set<Id> live;
    std::vector<Row> added;
    STEWARD_TRY(ForIds(
        connection_,
        "SELECT id, household_id, unit_id, gender, birth_date, residence_status FROM resident "
        "WHERE deleted_at IS NULL",
        "id", ids, [&](const RowView& row) {
          const Id id = row.Int(0);
          live.insert(id);
          const Row at = RowFor(id);
          model_.household_ids_[at] = row.IsNull(1) ? 0 : row.Int(1);
          model_.SetHouseholdSize(at, 0);
          model_.unit_ids_[at] = row.Int(2);
          Date birth;
          model_.SetBirthDay(at, !row.IsNull(4) && Date::Parse(row.Text(4), &birth)
                                     ? static_cast<int32_t>(birth.ToDays())
                                     : kNoBirthDay);
          model_.by_gender_[std::string(row.Text(3))].add(at);
          model_.by_residence_status_[std::string(row.Text(5))].add(at);
          added.push_back(at);
        }));
    for (Id id : ids) {
      auto row = model_.rows_.find(id);
      if (row == model_.rows_.end() || live.contains(id)) continue;
      Kill(row->second);  // deleted (soft, or for real by an import's undo)
      model_.rows_.erase(row);
    }
    for (Row row : added) Add(row);
    std::vector<Id> live_ids(live.begin(), live.end());
    STEWARD_TRY(ForIds(connection_, "SELECT resident_id, tag_code FROM resident_tag WHERE 1 = 1",
                       "resident_id", live_ids, [&](const RowView& row) {
                         model_.by_tag_[std::string(row.Text(1))].add(model_.rows_.at(row.Int(0)));
                       }));
    STEWARD_TRY(ForIds(
        connection_, "SELECT DISTINCT resident_id FROM resident_phone WHERE 1 = 1", "resident_id",
        live_ids, [&](const RowView& row) { model_.phone_.add(model_.rows_.at(row.Int(0))); }));
    STEWARD_TRY(ForIds(connection_,
                       "SELECT resident_id, last_called_at, last_answered_at FROM "
                       "resident_contact WHERE 1 = 1",
                       "resident_id", live_ids, [&](const RowView& row) {
                         model_.SetContact(model_.rows_.at(row.Int(0)),
                                           ResidentModel::ContactHour(row, 1),
                                           ResidentModel::ContactHour(row, 2));
                       }));
    STEWARD_TRY(
        ForIds(connection_, "SELECT resident_id, last_visited_at FROM resident_visit WHERE 1 = 1",
               "resident_id", live_ids, [&](const RowView& row) {
                 model_.SetVisit(model_.rows_.at(row.Int(0)), ResidentModel::ContactHour(row, 1));
               }));
    return ForIds(connection_,
                  "SELECT DISTINCT p.resident_id FROM resident_phone p JOIN do_not_call d ON "
                  "d.phone_hash = p.phone_hash WHERE 1 = 1",
                  "p.resident_id", live_ids,
                  [&](const RowView& row) { model_.opted_out_.add(model_.rows_.at(row.Int(0))); });
  }

  Row RowFor(Id id) {
    if (auto row = model_.rows_.find(id); row != model_.rows_.end()) return row->second;
    const Row row = static_cast<Row>(model_.resident_ids_.size());
    model_.resident_ids_.push_back(id);
    model_.rows_[id] = row;
    model_.birth_days_.push_back(kNoBirthDay);  // no value in either index until set
    model_.household_sizes_.push_back(kDeadRow);
    model_.unit_ids_.push_back(0);
    model_.household_ids_.push_back(0);
    model_.called_hour_.push_back(kNoContact);
    model_.answered_hour_.push_back(kNoContact);
    model_.visited_hour_.push_back(kNoContact);
    return row;
  }

  // A dead row: in no bitmap (Remove ran) and in neither index.
  void Kill(Row row) {
    model_.SetBirthDay(row, kNoBirthDay);
    model_.SetHouseholdSize(row, kDeadRow);
    model_.unit_ids_[row] = 0;
    model_.household_ids_[row] = 0;
  }

  // Adds a live row to the unit, household, building and complex bitmaps by its new columns.
  void Add(Row row) {
    model_.all_.add(row);
    for (Id at = model_.unit_ids_[row]; at != 0;) {
      model_.by_unit_[at].add(row);
      auto unit = model_.units_.find(at);
      if (unit == model_.units_.end()) break;
      at = unit->second.parent_id;
    }
    const Id household_id = model_.household_ids_[row];
    if (household_id == 0) return;
    // A household the model has not seen yet (its change comes next time) counts members anyway.
    Household& household = model_.households_[household_id];
    ++household.members;
    touched_households_.insert(household_id);
    if (!household.assistance.empty()) model_.by_assistance_[household.assistance].add(row);
    if (household.building_id == 0) return;
    model_.by_building_[household.building_id].add(row);
    if (auto complex = model_.building_complex_.find(household.building_id);
        complex != model_.building_complex_.end()) {
      model_.by_complex_[complex->second].add(row);
    }
  }

  // Every live member of a household whose membership changed gets the new size. One pass over
  // the household column (a household -> rows index would avoid it; not needed yet).
  void UpdateHouseholdSizes() {
    if (touched_households_.empty()) return;
    for (Row row = 0; row < model_.household_ids_.size(); ++row) {
      const Id household = model_.household_ids_[row];
      if (household != 0 && touched_households_.contains(household)) {
        model_.SetHouseholdSize(row, model_.households_.at(household).members);
      }
    }
  }

  ResidentModel& model_;
  Connection& connection_;
  std::unordered_set<Id> touched_households_;
};

Result<std::shared_ptr<const ResidentModel>> ResidentModel::CatchUp(
    std::shared_ptr<const ResidentModel> current, Connection& connection, Options options) {
  if (!current) return Load(connection);
  STEWARD_ASSIGN_OR_RETURN(const int64_t last, storage::LastChangeSeq(connection));
  const int64_t from = current->cursor_;
  if (last <= from) return current;
  if (last - from > options.reload_after) return Load(connection);
  std::unordered_set<Id> residents, households, buildings;
  int64_t cursor = from;
  while (cursor < last) {
    STEWARD_ASSIGN_OR_RETURN(auto changes,
                             storage::ReadChangesSince(connection, cursor, kChangeBatch));
    if (changes.empty()) break;
    for (const auto& change : changes) {
      // Units (their tree and names), the tag dictionary and complexes are rare structural
      // changes: reload rather than patch.
      if (change.entity == "org_unit" || change.entity == "tag" || change.entity == "complex") {
        return Load(connection);
      }
      // A resident's own record, their last contact, or an opt-out of their phone.
      if (change.entity == "resident" || change.entity == "resident_contact" ||
          change.entity == "resident_visit" || change.entity == "do_not_call") {
        residents.insert(change.entity_id);
      }
      if (change.entity == "household") households.insert(change.entity_id);
      if (change.entity == "building") buildings.insert(change.entity_id);
    }
    cursor = changes.back().seq;
  }
  // Changes that touch no resident (users, roles, tokens ...) still make a new version, so the
  // cursor moves on; the copy costs as much as the model's size.
  auto next = std::make_shared<ResidentModel>(*current);
  next->cursor_ = cursor;
  if (!residents.empty() || !households.empty() || !buildings.empty()) {
    ++next->patches_since_load_;
    STEWARD_TRY(Patch(*next, connection).Apply(std::move(residents), households, buildings));
  }
  return std::shared_ptr<const ResidentModel>(std::move(next));
}

}  // namespace steward::segment
