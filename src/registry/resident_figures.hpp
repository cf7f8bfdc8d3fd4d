// ResidentFigures: the dashboard's resident figures, pre-aggregated per unit in memory and kept
// current from the change log, so a request sums per-unit counts instead of scanning residents.
//
// What it counts (the same as the SQL it replaced; tests/integration/resident_figures_test.cpp
// compares the two on both engines): live (not deleted) residents by residence status, gender and
// age band ("unknown" without a birth date), the age pyramid (each gender by ten years of age),
// elderly living alone (born on or before today 60 years ago, tag lives_alone), residents per tag
// (tags in the tag dictionary), and households with an assistance type with their live members,
// counted under the unit of the household's building (not the members' units). A resident counts
// under its own unit_id; a query sums the units whose org_unit path lies in any of the given
// byte-order ranges (the data scope's ranges, or one unit's subtree: [path,
// org::SubtreeUpperBound(path))).
//
// Keeping current: the first CatchUp reads the change log's last sequence number, then loads
// everything (org_unit paths, tags, buildings, assistance households, residents and their tags);
// later calls follow the change log from that cursor and re-read each changed resident, household,
// building, org_unit (and the tag dictionary on a tag change) from the database, replacing its old
// contribution. Re-reading the current row (not replaying the entry) makes applying a change twice
// harmless, so a load that races with writers, or a CatchUp that fails half-way, converges on the
// next call. A backlog of more than Options::reload_after changes (a big import) reloads instead.
//
// Memory: per live resident a 24-byte record in a hash node (48 bytes with the allocator's
// header, 8-16 more for its bucket) plus 4 bytes in its unit's sorted birth-day list and 4 in its
// gender's (12 if tagged lives_alone): 64-80 bytes; per unit a few small vectors; per assistance
// household and per building one small hash node. Tag indices past 31 (more than 32 tag codes) cost
// a side vector.
//
// Thread-safety: every member may be called from any thread; one mutex (`mutex_`) guards all
// state, held for a whole CatchUp (database reads included) and a whole Query.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "storage/change_log.hpp"
#include "storage/connection.hpp"

namespace steward::registry {

// Units whose path satisfies low <= path < high (byte order).
struct UnitPathRange {
  std::string low;
  std::string high;
};

class ResidentFigures {
 public:
  struct Options {
    // A backlog of more changes than this is caught up by reloading everything.
    int64_t reload_after = 20000;
  };

  struct AgeBands {
    int64_t under_18 = 0, from_18_to_59 = 0, from_60_to_79 = 0, from_80 = 0, unknown = 0;
  };
  // The age pyramid: residents with a birth date by ten years of age, 0-9, 10-19 … 80-89, 90+.
  static constexpr int kPyramidBands = 10;
  using Pyramid = std::array<int64_t, kPyramidBands>;
  struct TagCount {
    std::string name;
    bool sensitive = false;
    int64_t residents = 0;
  };
  struct AssistanceCount {
    int64_t households = 0, members = 0;
  };
  // Maps hold only non-zero entries, keyed by the stored code.
  struct Figures {
    int64_t residents = 0;
    std::map<std::string, int64_t> residence_status;
    std::map<std::string, int64_t> gender;
    AgeBands ages;
    std::map<std::string, Pyramid> age_pyramid;  // gender -> its pyramid (genders with any)
    int64_t elderly_living_alone = 0;
    std::map<std::string, TagCount> tags;  // sensitive ones included: the caller filters
    std::map<std::string, AssistanceCount> assistance;
  };

  ResidentFigures() : ResidentFigures(Options{}) {}
  explicit ResidentFigures(Options options);

  // Applies every change committed up to now (loads everything on the first call).
  Status CatchUp(storage::Connection& connection);
  // The figures of the units in `ranges` as of the last CatchUp; ages on `today`.
  Figures Query(std::span<const UnitPathRange> ranges, const Date& today) const;
  // Just the live residents of the units in `ranges` (for per-child bars).
  int64_t CountResidents(std::span<const UnitPathRange> ranges) const;

  // For tests: the last change applied, and how many full loads have run.
  int64_t cursor() const;
  int64_t loads() const;

 private:
  static constexpr int32_t kNoBirthDay = INT32_MIN;
  static constexpr int kBitTags = 32;  // tag indices below this live in Record::tag_bits

  struct Record {
    Id household_id = 0;  // 0: none
    uint32_t unit = 0;    // index into units_
    int32_t birth_day = kNoBirthDay;
    uint32_t tag_bits = 0;
    uint8_t gender = 0;  // index into genders_
    uint8_t status = 0;  // index into statuses_
  };
  struct UnitCounts {
    std::string path;  // empty until org_unit is read: such a unit matches no range
    int64_t residents = 0;
    std::vector<int32_t> by_status, by_gender, by_tag;
    std::vector<int32_t> birth_days;                         // sorted
    std::vector<int32_t> alone_birth_days;                   // sorted; residents tagged lives_alone
    std::vector<std::vector<int32_t>> birth_days_by_gender;  // sorted, per gender index
    std::vector<AssistanceCount> assistance;
  };
  struct Household {  // only households with an assistance type
    Id building_id = 0;
    uint8_t assistance = 0;  // index into assistance_types_
    int64_t members = 0;
  };
  struct Tag {
    std::string code, name;
    bool sensitive = false;
    bool listed = false;  // in the tag dictionary
  };
  // Small dictionaries of stored codes, indexed in order of first sight.
  class Codes {
   public:
    uint8_t Index(std::string_view code);
    const std::string& Name(size_t index) const { return names_[index]; }

   private:
    std::vector<std::string> names_;
  };

  Status Load(storage::Connection& connection);
  Status Apply(storage::Connection& connection, const std::vector<storage::ChangeEntry>& changes);
  // Each Read* re-reads the given rows (nullptr: all of them) and replaces their contribution.
  Status ReadUnits(storage::Connection& connection, const std::vector<Id>* ids);
  Status ReadTags(storage::Connection& connection);
  Status ReadBuildings(storage::Connection& connection, const std::vector<Id>* ids);
  Status ReadHouseholds(storage::Connection& connection, const std::vector<Id>* ids);
  Status ReadResidents(storage::Connection& connection, const std::vector<Id>* ids);

  uint32_t UnitIndex(Id unit_id);
  size_t TagIndex(std::string_view code);
  template <typename Fn>
  void ForEachTag(Id resident_id, const Record& record, Fn&& fn) const;
  bool HasTag(Id resident_id, const Record& record, size_t tag) const;
  void Count(Id resident_id, const Record& record, int sign);
  void CountHousehold(const Household& household, int sign);
  void CountMembers(const std::unordered_set<Id>& households);
  bool InRanges(const std::string& path, std::span<const UnitPathRange> ranges) const;

  const Options options_;
  mutable std::mutex mutex_;
  // Guarded by mutex_:
  bool loaded_ = false;
  int64_t cursor_ = 0;
  int64_t loads_ = 0;
  std::vector<UnitCounts> units_;
  std::unordered_map<Id, uint32_t> unit_index_;
  std::unordered_map<Id, Record> residents_;
  std::unordered_map<Id, std::vector<uint16_t>> extra_tags_;  // tag indices >= kBitTags
  std::unordered_map<Id, Household> households_;
  std::unordered_map<Id, Id> building_units_;
  std::vector<Tag> tags_;
  std::unordered_map<std::string, size_t> tag_index_;
  Codes genders_, statuses_, assistance_types_;
};

}  // namespace steward::registry
