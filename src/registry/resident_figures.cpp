#include "registry/resident_figures.hpp"

#include <algorithm>
#include <cassert>
#include <functional>

namespace steward::registry {
namespace {

using storage::Connection;
using storage::RowView;
using storage::Value;

constexpr std::string_view kLivesAlone = "lives_alone";
constexpr size_t kLivesAloneTag = 0;  // interned first by every load
constexpr int kChangeBatch = 1000;
constexpr size_t kIdsPerQuery = 500;

// Runs `sql` (a SELECT ending in a WHERE clause) for every row, or, when `ids` is given, only for
// rows whose `id_column` is one of them, in chunks of bound parameters.
Status ForRows(Connection& connection, const std::string& sql, std::string_view id_column,
               const std::vector<Id>* ids, const std::function<void(const RowView&)>& row_fn) {
  if (!ids) return connection.QueryEach(sql, {}, row_fn);
  for (size_t start = 0; start < ids->size(); start += kIdsPerQuery) {
    const size_t end = std::min(ids->size(), start + kIdsPerQuery);
    std::string chunk_sql = sql + " AND " + std::string(id_column) + " IN (";
    std::vector<Value> params;
    for (size_t i = start; i < end; ++i) {
      chunk_sql += i == start ? "?" : ", ?";
      params.emplace_back((*ids)[i]);
    }
    STEWARD_TRY(connection.QueryEach(chunk_sql + ")", params, row_fn));
  }
  return Ok();
}

template <typename Counter>
void Bump(std::vector<Counter>& counts, size_t index, int sign) {
  if (counts.size() <= index) counts.resize(index + 1);
  counts[index] += sign;
}

void BumpSorted(std::vector<int32_t>& days, int32_t day, int sign) {
  if (sign > 0) {
    days.insert(std::upper_bound(days.begin(), days.end(), day), day);
    return;
  }
  auto found = std::lower_bound(days.begin(), days.end(), day);
  assert(found != days.end() && *found == day);
  if (found != days.end() && *found == day) days.erase(found);
}

// How many of the sorted days are on or before `day`.
int64_t CountUpTo(const std::vector<int32_t>& days, int64_t day) {
  return std::upper_bound(days.begin(), days.end(), day,
                          [](int64_t value, int32_t element) { return value < element; }) -
         days.begin();
}

}  // namespace

uint8_t ResidentFigures::Codes::Index(std::string_view code) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == code) return static_cast<uint8_t>(i);
  }
  // The columns hold a handful of enum codes (gender, residence status, assistance type).
  assert(names_.size() < 255);
  names_.emplace_back(code);
  return static_cast<uint8_t>(names_.size() - 1);
}

ResidentFigures::ResidentFigures(Options options) : options_(options) {}

int64_t ResidentFigures::cursor() const {
  std::lock_guard lock(mutex_);
  return cursor_;
}

int64_t ResidentFigures::loads() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

Status ResidentFigures::CatchUp(Connection& connection) {
  std::lock_guard lock(mutex_);
  if (!loaded_) return Load(connection);
  STEWARD_ASSIGN_OR_RETURN(const int64_t last, storage::LastChangeSeq(connection));
  if (last - cursor_ > options_.reload_after) return Load(connection);
  while (cursor_ < last) {
    STEWARD_ASSIGN_OR_RETURN(auto changes,
                             storage::ReadChangesSince(connection, cursor_, kChangeBatch));
    if (changes.empty()) break;
    STEWARD_TRY(Apply(connection, changes));
    cursor_ = changes.back().seq;  // only after the batch applied: a failure retries it
  }
  return Ok();
}

Status ResidentFigures::Load(Connection& connection) {
  // The cursor first: a change committed while we read is either already in what we read or
  // after the cursor, and applying it again is harmless.
  STEWARD_ASSIGN_OR_RETURN(const int64_t last, storage::LastChangeSeq(connection));
  loaded_ = false;
  units_.clear();
  unit_index_.clear();
  residents_.clear();
  extra_tags_.clear();
  households_.clear();
  building_units_.clear();
  tags_.clear();
  tag_index_.clear();
  genders_ = Codes();
  statuses_ = Codes();
  assistance_types_ = Codes();
  TagIndex(kLivesAlone);
  STEWARD_TRY(ReadUnits(connection, nullptr));
  STEWARD_TRY(ReadTags(connection));
  STEWARD_TRY(ReadBuildings(connection, nullptr));
  STEWARD_TRY(ReadHouseholds(connection, nullptr));
  STEWARD_TRY(ReadResidents(connection, nullptr));
  cursor_ = last;
  loaded_ = true;
  ++loads_;
  return Ok();
}

Status ResidentFigures::Apply(Connection& connection,
                              const std::vector<storage::ChangeEntry>& changes) {
  std::unordered_set<Id> units, buildings, households, residents;
  bool tags = false;
  for (const auto& change : changes) {
    if (change.entity == "resident") {
      residents.insert(change.entity_id);
    } else if (change.entity == "household") {
      households.insert(change.entity_id);
    } else if (change.entity == "building") {
      buildings.insert(change.entity_id);
    } else if (change.entity == "org_unit") {
      units.insert(change.entity_id);
    } else if (change.entity == "tag") {
      tags = true;
    }
  }
  auto list = [](const std::unordered_set<Id>& ids) {
    return std::vector<Id>(ids.begin(), ids.end());
  };
  // Any order would do (each step replaces a contribution using the others' current state);
  // places first so residents' households find their buildings.
  if (!units.empty()) {
    const auto ids = list(units);
    STEWARD_TRY(ReadUnits(connection, &ids));
  }
  if (tags) STEWARD_TRY(ReadTags(connection));
  if (!buildings.empty()) {
    const auto ids = list(buildings);
    STEWARD_TRY(ReadBuildings(connection, &ids));
  }
  if (!households.empty()) {
    const auto ids = list(households);
    STEWARD_TRY(ReadHouseholds(connection, &ids));
  }
  if (!residents.empty()) {
    const auto ids = list(residents);
    STEWARD_TRY(ReadResidents(connection, &ids));
  }
  return Ok();
}

Status ResidentFigures::ReadUnits(Connection& connection, const std::vector<Id>* ids) {
  // A unit's path never changes and units are never deleted (they retire): set, never unset.
  return ForRows(
      connection, "SELECT id, path FROM org_unit WHERE 1 = 1", "id", ids,
      [&](const RowView& row) { units_[UnitIndex(row.Int(0))].path = std::string(row.Text(1)); });
}

Status ResidentFigures::ReadTags(Connection& connection) {
  for (auto& tag : tags_) tag.listed = false;
  return connection.QueryEach("SELECT code, name, sensitive FROM tag", {}, [&](const RowView& row) {
    Tag& tag = tags_[TagIndex(row.Text(0))];
    tag.name = std::string(row.Text(1));
    tag.sensitive = row.Int(2) != 0;
    tag.listed = true;
  });
}

Status ResidentFigures::ReadBuildings(Connection& connection, const std::vector<Id>* ids) {
  std::unordered_map<Id, Id> fresh;
  STEWARD_TRY(ForRows(connection, "SELECT id, unit_id FROM building WHERE 1 = 1", "id", ids,
                      [&](const RowView& row) { fresh[row.Int(0)] = row.Int(1); }));
  if (!ids) {
    building_units_ = std::move(fresh);
    return Ok();
  }
  // Households of a building that moved follow it to its new unit.
  const std::unordered_set<Id> changed(ids->begin(), ids->end());
  std::vector<Household*> affected;
  for (auto& [id, household] : households_) {
    if (changed.contains(household.building_id)) affected.push_back(&household);
  }
  for (Household* household : affected) CountHousehold(*household, -1);
  for (Id id : *ids) {
    auto found = fresh.find(id);
    if (found == fresh.end()) {
      building_units_.erase(id);
    } else {
      building_units_[id] = found->second;
    }
  }
  for (Household* household : affected) CountHousehold(*household, +1);
  return Ok();
}

Status ResidentFigures::ReadHouseholds(Connection& connection, const std::vector<Id>* ids) {
  std::unordered_map<Id, Household> fresh;
  STEWARD_TRY(ForRows(
      connection,
      "SELECT id, building_id, assistance_type FROM household WHERE assistance_type IS NOT NULL",
      "id", ids, [&](const RowView& row) {
        fresh[row.Int(0)] = Household{row.Int(1), assistance_types_.Index(row.Text(2)), 0};
      }));
  // A household new to the index has its members counted from the residents in the index (not
  // from the database, which may be ahead of the index until their changes are applied).
  std::unordered_set<Id> to_count;
  if (!ids) {
    households_ = std::move(fresh);
    for (const auto& [id, household] : households_) to_count.insert(id);
  } else {
    for (Id id : *ids) {
      auto old = households_.find(id);
      auto found = fresh.find(id);
      if (old != households_.end()) {
        CountHousehold(old->second, -1);
        if (found == fresh.end()) {
          households_.erase(old);
        } else {
          found->second.members = old->second.members;
          old->second = found->second;
          CountHousehold(old->second, +1);
        }
      } else if (found != fresh.end()) {
        households_.emplace(id, found->second);
        to_count.insert(id);
      }
    }
  }
  CountMembers(to_count);
  return Ok();
}

void ResidentFigures::CountMembers(const std::unordered_set<Id>& households) {
  if (households.empty()) return;
  std::unordered_map<Id, int64_t> members;
  for (const auto& [id, record] : residents_) {
    if (record.household_id != 0 && households.contains(record.household_id)) {
      ++members[record.household_id];
    }
  }
  for (Id id : households) {
    Household& household = households_.at(id);
    household.members = members[id];
    CountHousehold(household, +1);
  }
}

Status ResidentFigures::ReadResidents(Connection& connection, const std::vector<Id>* ids) {
  std::unordered_map<Id, Record> fresh;
  std::unordered_map<Id, std::vector<uint16_t>> fresh_extra_tags;
  STEWARD_TRY(ForRows(connection,
                      "SELECT id, unit_id, household_id, gender, residence_status, birth_date "
                      "FROM resident WHERE deleted_at IS NULL",
                      "id", ids, [&](const RowView& row) {
                        Record record;
                        record.unit = UnitIndex(row.Int(1));
                        record.household_id = row.IsNull(2) ? 0 : row.Int(2);
                        record.gender = genders_.Index(row.Text(3));
                        record.status = statuses_.Index(row.Text(4));
                        Date birth;
                        if (!row.IsNull(5) && Date::Parse(row.Text(5), &birth)) {
                          record.birth_day = static_cast<int32_t>(birth.ToDays());
                        }
                        fresh[row.Int(0)] = record;
                      }));
  STEWARD_TRY(ForRows(connection,
                      "SELECT t.resident_id, t.tag_code FROM resident_tag t JOIN resident r ON "
                      "r.id = t.resident_id WHERE r.deleted_at IS NULL",
                      "t.resident_id", ids, [&](const RowView& row) {
                        // Absent: the resident was written after the first query; its change
                        // comes next time.
                        auto found = fresh.find(row.Int(0));
                        if (found == fresh.end()) return;
                        const size_t tag = TagIndex(row.Text(1));
                        if (tag < kBitTags) {
                          found->second.tag_bits |= uint32_t{1} << tag;
                        } else {
                          fresh_extra_tags[found->first].push_back(static_cast<uint16_t>(tag));
                        }
                      }));
  if (!ids) {
    residents_ = std::move(fresh);
    extra_tags_ = std::move(fresh_extra_tags);
    for (const auto& [id, record] : residents_) Count(id, record, +1);
    return Ok();
  }
  for (Id id : *ids) {
    if (auto old = residents_.find(id); old != residents_.end()) {
      Count(id, old->second, -1);
      residents_.erase(old);
      extra_tags_.erase(id);
    }
    auto found = fresh.find(id);
    if (found == fresh.end()) continue;  // deleted (soft or, by an import's rollback, for real)
    if (auto extra = fresh_extra_tags.find(id); extra != fresh_extra_tags.end()) {
      extra_tags_[id] = std::move(extra->second);
    }
    Count(id, residents_.emplace(id, found->second).first->second, +1);
  }
  return Ok();
}

uint32_t ResidentFigures::UnitIndex(Id unit_id) {
  auto [found, inserted] = unit_index_.try_emplace(unit_id, static_cast<uint32_t>(units_.size()));
  if (inserted) units_.emplace_back();
  return found->second;
}

size_t ResidentFigures::TagIndex(std::string_view code) {
  auto found = tag_index_.find(std::string(code));
  if (found != tag_index_.end()) return found->second;
  tags_.push_back(Tag{std::string(code), std::string(code), false, false});
  tag_index_.emplace(std::string(code), tags_.size() - 1);
  return tags_.size() - 1;
}

template <typename Fn>
void ResidentFigures::ForEachTag(Id resident_id, const Record& record, Fn&& fn) const {
  for (uint32_t bits = record.tag_bits; bits != 0; bits &= bits - 1) {
    fn(static_cast<size_t>(__builtin_ctz(bits)));
  }
  if (auto extra = extra_tags_.find(resident_id); extra != extra_tags_.end()) {
    for (uint16_t tag : extra->second) fn(size_t{tag});
  }
}

bool ResidentFigures::HasTag(Id resident_id, const Record& record, size_t tag) const {
  if (tag < kBitTags) return (record.tag_bits >> tag & 1) != 0;
  auto extra = extra_tags_.find(resident_id);
  return extra != extra_tags_.end() &&
         std::find(extra->second.begin(), extra->second.end(), tag) != extra->second.end();
}

void ResidentFigures::Count(Id resident_id, const Record& record, int sign) {
  UnitCounts& unit = units_[record.unit];
  unit.residents += sign;
  Bump(unit.by_status, record.status, sign);
  Bump(unit.by_gender, record.gender, sign);
  ForEachTag(resident_id, record, [&](size_t tag) { Bump(unit.by_tag, tag, sign); });
  if (record.birth_day != kNoBirthDay) {
    BumpSorted(unit.birth_days, record.birth_day, sign);
    if (unit.birth_days_by_gender.size() <= record.gender) {
      unit.birth_days_by_gender.resize(record.gender + 1);
    }
    BumpSorted(unit.birth_days_by_gender[record.gender], record.birth_day, sign);
    if (HasTag(resident_id, record, kLivesAloneTag)) {
      BumpSorted(unit.alone_birth_days, record.birth_day, sign);
    }
  }
  if (record.household_id == 0) return;
  auto household = households_.find(record.household_id);
  if (household == households_.end()) return;  // no assistance: members not needed
  CountHousehold(household->second, -1);
  household->second.members += sign;
  CountHousehold(household->second, +1);
}

void ResidentFigures::CountHousehold(const Household& household, int sign) {
  auto building = building_units_.find(household.building_id);
  if (building == building_units_.end()) return;  // its building comes with a later change
  auto& counts = units_[UnitIndex(building->second)].assistance;
  if (counts.size() <= household.assistance) counts.resize(household.assistance + 1);
  counts[household.assistance].households += sign;
  counts[household.assistance].members += sign * household.members;
}

bool ResidentFigures::InRanges(const std::string& path,
                               std::span<const UnitPathRange> ranges) const {
  if (path.empty()) return false;
  for (const auto& range : ranges) {
    if (range.low <= path && path < range.high) return true;
  }
  return false;
}

ResidentFigures::Figures ResidentFigures::Query(std::span<const UnitPathRange> ranges,
                                                const Date& today) const {
  std::lock_guard lock(mutex_);
  const int64_t day_18 = today.YearsEarlier(18).ToDays(), day_60 = today.YearsEarlier(60).ToDays(),
                day_80 = today.YearsEarlier(80).ToDays();
  // Born on or before band_day[i]: at least 10·i years old.
  std::array<int64_t, kPyramidBands> band_day{};
  for (int i = 1; i < kPyramidBands; ++i) band_day[i] = today.YearsEarlier(10 * i).ToDays();
  std::vector<Pyramid> pyramids;  // by gender index
  Figures figures;
  std::vector<int64_t> statuses, genders, tags;
  std::vector<AssistanceCount> assistance;
  int64_t known = 0, up_to_18 = 0, up_to_60 = 0, up_to_80 = 0;
  for (const UnitCounts& unit : units_) {
    if (!InRanges(unit.path, ranges)) continue;
    figures.residents += unit.residents;
    for (size_t i = 0; i < unit.by_status.size(); ++i) Bump(statuses, i, unit.by_status[i]);
    for (size_t i = 0; i < unit.by_gender.size(); ++i) Bump(genders, i, unit.by_gender[i]);
    for (size_t i = 0; i < unit.by_tag.size(); ++i) Bump(tags, i, unit.by_tag[i]);
    for (size_t i = 0; i < unit.assistance.size(); ++i) {
      if (assistance.size() <= i) assistance.resize(i + 1);
      assistance[i].households += unit.assistance[i].households;
      assistance[i].members += unit.assistance[i].members;
    }
    known += static_cast<int64_t>(unit.birth_days.size());
    up_to_18 += CountUpTo(unit.birth_days, day_18);
    up_to_60 += CountUpTo(unit.birth_days, day_60);
    up_to_80 += CountUpTo(unit.birth_days, day_80);
    figures.elderly_living_alone += CountUpTo(unit.alone_birth_days, day_60);
    for (size_t g = 0; g < unit.birth_days_by_gender.size(); ++g) {
      if (pyramids.size() <= g) pyramids.resize(g + 1, Pyramid{});
      const auto& days = unit.birth_days_by_gender[g];
      int64_t at_least = static_cast<int64_t>(days.size());  // at least 10·i years old
      for (int i = 0; i < kPyramidBands; ++i) {
        const int64_t older = i + 1 < kPyramidBands ? CountUpTo(days, band_day[i + 1]) : 0;
        pyramids[g][i] += at_least - older;
        at_least = older;
      }
    }
  }
  for (size_t g = 0; g < pyramids.size(); ++g) {
    int64_t total = 0;
    for (int64_t band : pyramids[g]) total += band;
    if (total != 0) figures.age_pyramid[genders_.Name(g)] = pyramids[g];
  }
  figures.ages = {known - up_to_18, up_to_18 - up_to_60, up_to_60 - up_to_80, up_to_80,
                  figures.residents - known};
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] != 0) figures.residence_status[statuses_.Name(i)] = statuses[i];
  }
  for (size_t i = 0; i < genders.size(); ++i) {
    if (genders[i] != 0) figures.gender[genders_.Name(i)] = genders[i];
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    if (tags[i] != 0 && tags_[i].listed) {
      figures.tags[tags_[i].code] = {tags_[i].name, tags_[i].sensitive, tags[i]};
    }
  }
  for (size_t i = 0; i < assistance.size(); ++i) {
    if (assistance[i].households != 0)
      figures.assistance[assistance_types_.Name(i)] = assistance[i];
  }
  return figures;
}

int64_t ResidentFigures::CountResidents(std::span<const UnitPathRange> ranges) const {
  std::lock_guard lock(mutex_);
  int64_t residents = 0;
  for (const UnitCounts& unit : units_) {
    if (InRanges(unit.path, ranges)) residents += unit.residents;
  }
  return residents;
}

}  // namespace steward::registry
