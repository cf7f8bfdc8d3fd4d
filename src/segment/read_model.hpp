// ResidentModel: every live resident in memory as dense rows, columns and Roaring bitmaps, and the
// evaluator of segment queries (query.hpp) over them.
//
// Rows: live residents (deleted_at IS NULL) ordered by id get rows 0 … size()-1; ResidentId(row)
// and RowOf(id) map between the two. Row numbers are derived at load time and never stored.
// Columns: birth day (days since 1970-01-01, kNoBirthDay when unknown), household size (live
// members of the resident's household, 0 without a household), unit id. Bitmaps: each unit
// including every ancestor (a resident of a micro-grid is in its grid's, community's, street's
// and city's bitmaps), each tag code, gender, residence status, assistance type (the household's
// assistance_type), phone present, building and complex (through the household).
//
// What the schema does not hold yet evaluates to nobody: opted_out = true, called_within,
// answered_within, visited_within. The contact-history modules will feed them.
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
// Freshness: a model is a snapshot; Load again to see later writes (following the change log is
// not done yet). Thread-safety: a loaded model is immutable, so any number of threads may call its
// const methods; share it as shared_ptr<const ResidentModel>.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <roaring/roaring.hh>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
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

class ResidentModel {
 public:
  static constexpr int32_t kNoBirthDay = std::numeric_limits<int32_t>::min();

  // One pass over each table: org_unit, tag, complex, building, household, resident,
  // resident_tag, resident_phone. Run it inside one read (a consistent snapshot where the engine
  // gives one).
  static Result<std::shared_ptr<const ResidentModel>> Load(storage::Connection& connection);

  size_t size() const { return resident_ids_.size(); }
  Id ResidentId(Row row) const { return resident_ids_[row]; }
  std::optional<Row> RowOf(Id resident_id) const;
  // Every live resident.
  const Roaring& All() const { return all_; }

  // The residents the query selects. `today` is the caller's clock's date (ages are counted on it).
  // Errors: kInvalidArgument naming an unknown tag, unit, building or complex, or listing the units
  // an ambiguous name matches.
  Result<Roaring> Evaluate(const Query& query, const Date& today) const;
  // The same, recording one step per node.
  Result<Roaring> Explain(const Query& query, const Date& today,
                          std::vector<ExplainStep>* steps) const;

  // Residents in the subtrees of these units (e.g. the ids of auth::DataScope::roots()); unknown
  // ids add nobody. The caller intersects it with a result: the model knows nothing of users.
  Roaring ScopeBitmap(std::span<const Id> unit_ids) const;

  // Bytes held by the bitmaps (Roaring's own count) and by the columns and row maps (rough).
  size_t BitmapBytes() const;
  size_t ColumnBytes() const;

 private:
  struct Unit {
    Id parent_id = 0;  // 0 for a root
    std::string name, official_name, division_code;
    bool current = true;
  };
  class Evaluator;

  std::vector<Id> resident_ids_;
  std::unordered_map<Id, Row> rows_;
  std::vector<int32_t> birth_days_;
  std::vector<int32_t> household_sizes_;
  std::vector<Id> unit_ids_;

  Roaring all_;
  Roaring phone_;
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
};

}  // namespace steward::segment
