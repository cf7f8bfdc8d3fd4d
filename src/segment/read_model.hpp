// ResidentModel: every live resident in memory as rows, columns and Roaring bitmaps, and the
// evaluator of segment queries (query.hpp) over them.
//
// Rows: Load gives the live residents (deleted_at IS NULL), ordered by id, rows 0 … size()-1.
// CatchUp appends a new resident's row at the end and leaves a deleted one's row dead (in no
// bitmap, its id no longer found by RowOf), so after a CatchUp rows are NOT in id order and
// RowCount() may exceed size(): sort ids mapped from a result if order matters. Row numbers are
// per version, never stored. Columns: birth day (days since 1970-01-01, kNoBirthDay when unknown),
// household size (live members of the resident's household, 0 without a household), unit id;
// birth day and household size are also bit-sliced indexes, so a range over them is a few dozen
// bitmap operations.
// Bitmaps: each unit including every ancestor (a resident of a micro-grid is in its grid's,
// community's, street's and city's bitmaps), each tag code, gender, residence status, assistance
// type (the household's assistance_type), phone present, building and complex (through the
// household).
//
// Contact history (campaign/): the hour of each resident's last call and last answered call
// (resident_contact), so called_within / answered_within count to the hour; opted_out = true is a
// resident with a phone on the do-not-call list; visited_within counts from the last door visit
// (resident_visit: a door-visit task marked done).
// phone_valid means "has at least one stored phone": imports and the API store only phones that
// pass the registry's phone rules, and there is no separate validity column.
//
// Semantics: Not is "every live resident minus"; a comparison on age or birth_date never matches
// a resident without a birth date, and `!=` on assistance matches only residents with another
// assistance type (as in SQL), so `not assistance = "x"` differs from `assistance != "x"`.
// Names: tags by code or dictionary name; units by name, official name or division code, current
// units first (retired ones only when no current unit matches), several matches being an error
// that lists them; buildings and complexes by name, all buildings or complexes of that name.
//
// Versions: a model is an immutable snapshot that also remembers its cursor, the change log's
// last sequence number it reflects (read before loading, so a write racing the load is applied
// again later, harmlessly). CatchUp makes the next version: it copies the model (copy-on-write at
// the level of the whole model) and re-reads from the database every resident the changes since
// the cursor touch, replacing its contribution; the old version stays valid and unchanged for
// readers still holding it. Changes to org_unit, tag or complex, or a backlog past
// Options::reload_after, load a fresh model instead. Thread-safety: a model is immutable, so any
// number of threads may call its const methods; share it as shared_ptr<const ResidentModel>.
// ModelHolder (model_holder.hpp) keeps the current version for a server.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <roaring/roaring.hh>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "segment/internal/bit_sliced_index.hpp"
#include "segment/query.hpp"
#include "storage/connection.hpp"

namespace steward::segment {

using Row = uint32_t;

// One step of an evaluation, in the order the steps finished (children before their parent).
struct ExplainStep {
  std::string node;  // the node as canonical text
  uint64_t cardinality = 0;
  int64_t microseconds = 0;
};

// Selected residents in one unit's subtree (Breakdown).
struct UnitCount {
  Id unit_id = 0;
  std::string name;
  std::string path;  // org_unit.path, the order of a breakdown
  uint64_t count = 0;
};

class ResidentModel {
 public:
  static constexpr int32_t kNoBirthDay = std::numeric_limits<int32_t>::min();
  static constexpr int32_t kNoContact = std::numeric_limits<int32_t>::min();

  struct Options {
    // A backlog of more changes than this is caught up by loading a fresh model.
    int64_t reload_after = 20000;
  };

  // One pass over each table: org_unit, tag, complex, building, household, resident,
  // resident_tag, resident_phone. Run it inside one read (a consistent snapshot where the engine
  // gives one).
  static Result<std::shared_ptr<const ResidentModel>> Load(storage::Connection& connection);
  // The version that reflects every change committed up to now: `current` itself when the log has
  // nothing new, a patched copy, or a fresh Load (see Versions above). Run it inside one read.
  // `current` is never modified.
  static Result<std::shared_ptr<const ResidentModel>> CatchUp(
      std::shared_ptr<const ResidentModel> current, storage::Connection& connection,
      Options options);

  // Live residents.
  size_t size() const { return all_.cardinality(); }
  // Rows, dead ones included (ResidentId of a dead row is the deleted resident's id).
  size_t RowCount() const { return resident_ids_.size(); }
  Id ResidentId(Row row) const { return resident_ids_[row]; }
  std::optional<Row> RowOf(Id resident_id) const;
  // Every live resident.
  const Roaring& All() const { return all_; }

  // The residents the query selects. `today` is the caller's clock's date (ages are counted on it).
  // Errors: kInvalidArgument naming an unknown tag, unit, building or complex, or listing the units
  // an ambiguous name matches.
  // `now_ms` (epoch ms) is what called_within and answered_within count back from; -1: the end
  // of `today` in China Standard Time.
  Result<Roaring> Evaluate(const Query& query, const Date& today, int64_t now_ms = -1) const;
  // The same, recording one step per node.
  Result<Roaring> Explain(const Query& query, const Date& today, std::vector<ExplainStep>* steps,
                          int64_t now_ms = -1) const;

  // How many of `selected` live under each unit of `kind` (street, community, grid, micro_grid),
  // units with none left out, in path order (a parent before its children, siblings by path).
  std::vector<UnitCount> Breakdown(const Roaring& selected, std::string_view kind) const;
  // A page of `selected` in row order (id order after a Load; residents added by CatchUp after
  // them): the resident ids of ranks offset … offset+limit-1. Stable within one version.
  std::vector<Id> Page(const Roaring& selected, uint64_t offset, uint64_t limit) const;
  // Every selected resident's id, ascending: a campaign's snapshot of its audience.
  std::vector<Id> Ids(const Roaring& selected) const;

  // Residents in the subtrees of these units (e.g. the ids of auth::DataScope::roots()); unknown
  // ids add nobody. The caller intersects it with a result: the model knows nothing of users.
  Roaring ScopeBitmap(std::span<const Id> unit_ids) const;

  // Bytes held by the bitmaps (Roaring's own count) and by the columns and row maps (rough).
  size_t BitmapBytes() const;
  size_t ColumnBytes() const;

  // The change log's last sequence number this version reflects.
  int64_t cursor() const { return cursor_; }
  // How many CatchUps patched this lineage since its last full Load (0 right after a Load).
  int64_t patches_since_load() const { return patches_since_load_; }

 private:
  struct Unit {
    Id parent_id = 0;  // 0 for a root
    std::string name, official_name, division_code;
    bool current = true;
    std::string kind;  // org::UnitKindName
    std::string path;
  };
  struct Household {
    Id building_id = 0;
    std::string assistance;  // empty: none
    int32_t members = 0;     // live residents in this model
  };
  class Evaluator;
  class Patch;

  // The household size column value of a dead row: matches no comparison.
  static constexpr int32_t kDeadRow = -1;

  // Column writes that keep the bit-sliced indexes in step.
  void SetBirthDay(Row row, int32_t day);
  void SetHouseholdSize(Row row, int32_t size);
  // Builds both indexes from the columns (after a Load).
  void IndexColumns();

  int64_t cursor_ = 0;
  int64_t patches_since_load_ = 0;
  std::vector<Id> resident_ids_;
  std::unordered_map<Id, Row> rows_;
  std::vector<int32_t> birth_days_;
  std::vector<int32_t> household_sizes_;
  std::vector<Id> unit_ids_;
  std::vector<Id> household_ids_;  // 0: none
  // The birth day and household size columns as bit slices: 18 bits of days around 1970 (years
  // 1611 to 2328; binned by 128 days as well), 8 bits of members; anything else is an outlier
  // compared by value.
  internal::BitSlicedIndex birth_index_{18, -(int64_t{1} << 17), 128};
  internal::BitSlicedIndex household_size_index_{8, 0};

  Roaring all_;
  Roaring phone_;
  Roaring opted_out_;  // a phone on the do-not-call list
  // Hours since the epoch of the last call and the last answered call (kNoContact: none); a row
  // with one is in exactly one bucket of the matching map.
  std::vector<int32_t> called_hour_, answered_hour_;
  std::map<int32_t, Roaring> called_in_hour_, answered_in_hour_;
  void SetContact(Row row, int32_t called_hour, int32_t answered_hour);
  // The same for the last door visit (resident_visit).
  std::vector<int32_t> visited_hour_;
  std::map<int32_t, Roaring> visited_in_hour_;
  void SetVisit(Row row, int32_t visited_hour);
  static void MoveToHour(Row row, int32_t hour, std::vector<int32_t>& hours,
                         std::map<int32_t, Roaring>& buckets);
  // The hour (since the epoch) in column `column` of a resident_contact row, or kNoContact.
  static int32_t ContactHour(const storage::RowView& row, size_t column);
  std::unordered_map<Id, Roaring> by_unit_;  // the unit's whole subtree
  std::unordered_map<std::string, Roaring> by_tag_;
  std::unordered_map<std::string, Roaring> by_gender_;
  std::unordered_map<std::string, Roaring> by_residence_status_;
  std::unordered_map<std::string, Roaring> by_assistance_;
  std::unordered_map<Id, Roaring> by_building_;
  std::unordered_map<Id, Roaring> by_complex_;

  std::unordered_map<Id, Unit> units_;
  std::unordered_map<std::string, std::string> tag_codes_;  // code and name -> code
  std::unordered_map<std::string, std::vector<Id>> buildings_by_name_;
  std::unordered_map<std::string, std::vector<Id>> complexes_by_name_;
  std::unordered_map<Id, Household> households_;
  std::unordered_map<Id, Id> building_complex_;  // buildings with a complex
};

}  // namespace steward::segment
