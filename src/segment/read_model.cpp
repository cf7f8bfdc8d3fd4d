#include "segment/read_model.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <utility>

#include "storage/change_log.hpp"

namespace steward::segment {
namespace {

constexpr const char* kMessage = "分群条件有误 / invalid segment query";

tl::unexpected<Error> InvalidQuery(std::string code, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, kMessage,
              {ErrorDetail{"query", std::move(code), std::move(message)}});
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

// Adds a list of rows (any order) to a bitmap and compresses runs.
void AddAll(Roaring& bitmap, std::vector<Row>& rows) {
  std::sort(rows.begin(), rows.end());
  bitmap.addMany(rows.size(), rows.data());
  bitmap.runOptimize();
}

}  // namespace

// Evaluates one query against a model, optionally recording steps.
class ResidentModel::Evaluator {
 public:
  Evaluator(const ResidentModel& model, const Date& today, std::vector<ExplainStep>* steps,
            int64_t now_ms)
      : model_(model),
        today_(today),
        steps_(steps),
        // The end of `today` in China Standard Time (UTC+8) unless the caller says when now is.
        now_ms_(now_ms >= 0 ? now_ms : (today.ToDays() + 1) * 86'400'000 - 8 * 3'600'000 - 1) {}

  Result<Roaring> Run(const Query& query) {
    const auto start = std::chrono::steady_clock::now();
    STEWARD_ASSIGN_OR_RETURN(Roaring result, Node(query));
    if (steps_) {
      const auto elapsed = std::chrono::steady_clock::now() - start;
      steps_->push_back({ToText(query), result.cardinality(),
                         std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()});
    }
    return result;
  }

 private:
  Result<Roaring> Node(const Query& query) {
    switch (query.kind) {
      case NodeKind::kAnd:
        return And(query);
      case NodeKind::kOr: {
        std::optional<Roaring> result;
        for (const auto& child : query.children) {
          STEWARD_ASSIGN_OR_RETURN(Roaring bitmap, Run(child));
          if (!result) {
            result = std::move(bitmap);
          } else {
            *result |= bitmap;
          }
        }
        return result ? std::move(*result) : Roaring();
      }
      case NodeKind::kNot: {
        STEWARD_ASSIGN_OR_RETURN(Roaring child, Run(query.children.at(0)));
        return (within_ != nullptr ? model_.all_ & *within_ : model_.all_) - child;
      }
      case NodeKind::kCompare:
        return Compare(query.field, query.op, query.values.at(0));
      case NodeKind::kIn: {
        if (query.field == Field::kUnit) return Units(query.names);
        Roaring result;
        for (const auto& value : query.values) {
          STEWARD_ASSIGN_OR_RETURN(Roaring bitmap, Compare(query.field, CompareOp::kEqual, value));
          result |= bitmap;
        }
        return result;
      }
      case NodeKind::kCall:
        return Call(query);
    }
    return Roaring();
  }

  // Whether a node compares birth days or household sizes somewhere (their bit-sliced indexes
  // cost a few dozen operations on bitmaps as large as their candidates).
  static bool UsesSlices(const Query& query) {
    if ((query.kind == NodeKind::kCompare || query.kind == NodeKind::kIn) &&
        (query.field == Field::kAge || query.field == Field::kBirthDate ||
         query.field == Field::kHouseholdSize)) {
      return true;
    }
    return std::any_of(query.children.begin(), query.children.end(), UsesSlices);
  }

  // The children without index comparisons first (bitmap look-ups), then the others restricted
  // to what is left (`within_`): a result correct on those rows is all an And needs. Any node
  // evaluated under `within_` is right on its rows only, which every enclosing And and the
  // caller's final AND keep to.
  Result<Roaring> And(const Query& query) {
    std::vector<const Query*> order;
    for (const auto& child : query.children) order.push_back(&child);
    std::stable_partition(order.begin(), order.end(),
                          [](const Query* child) { return !UsesSlices(*child); });
    const Roaring* outer = within_;
    std::optional<Roaring> result;
    for (const Query* child : order) {
      within_ = result ? &*result : outer;
      auto bitmap = Run(*child);
      within_ = outer;
      if (!bitmap) return tl::unexpected(std::move(bitmap.error()));
      if (!result) {
        result = std::move(*bitmap);
      } else {
        *result &= *bitmap;
      }
    }
    return result ? std::move(*result) : Roaring();
  }

  Result<Roaring> Call(const Query& query) {
    switch (query.function) {
      case Function::kHas:
      case Function::kHasAny:
      case Function::kHasAll: {
        std::vector<const Roaring*> bitmaps;
        std::vector<std::string> unknown;
        for (const auto& name : query.names) {
          auto code = model_.tag_codes_.find(name);
          if (code == model_.tag_codes_.end()) {
            unknown.push_back(name);
            continue;
          }
          auto bitmap = model_.by_tag_.find(code->second);
          bitmaps.push_back(bitmap == model_.by_tag_.end() ? &empty_ : &bitmap->second);
        }
        if (!unknown.empty()) {
          return InvalidQuery("unknown_tag", "未知标签：" + JoinNames(unknown) +
                                                 " / unknown tag: " + JoinNames(unknown));
        }
        Roaring result = *bitmaps.at(0);
        for (size_t i = 1; i < bitmaps.size(); ++i) {
          if (query.function == Function::kHasAll) {
            result &= *bitmaps[i];
          } else {
            result |= *bitmaps[i];
          }
        }
        return result;
      }
      case Function::kBuilding:
        return Places(query.names, model_.buildings_by_name_, model_.by_building_,
                      "unknown_building", "未知楼栋", "unknown building");
      case Function::kComplex:
        return Places(query.names, model_.complexes_by_name_, model_.by_complex_, "unknown_complex",
                      "未知小区", "unknown complex");
      case Function::kCalledWithin:
      case Function::kAnsweredWithin:
      case Function::kVisitedWithin: {
        // Every bucket from the hour `duration` ago on (to the hour).
        const int64_t from = (now_ms_ - query.duration.Hours() * 3'600'000) / 3'600'000;
        const auto& buckets = query.function == Function::kCalledWithin ? model_.called_in_hour_
                              : query.function == Function::kAnsweredWithin
                                  ? model_.answered_in_hour_
                                  : model_.visited_in_hour_;
        Roaring result;
        for (auto it = buckets.lower_bound(static_cast<int32_t>(from)); it != buckets.end(); ++it) {
          result |= it->second;
        }
        return result & model_.all_;
      }
    }
    return Roaring();
  }

  Result<Roaring> Places(const std::vector<std::string>& names,
                         const std::unordered_map<std::string, std::vector<Id>>& by_name,
                         const std::unordered_map<Id, Roaring>& bitmaps, const char* code,
                         const char* zh, const char* en) {
    Roaring result;
    std::vector<std::string> unknown;
    for (const auto& name : names) {
      auto ids = by_name.find(name);
      if (ids == by_name.end()) {
        unknown.push_back(name);
        continue;
      }
      for (Id id : ids->second) {
        auto bitmap = bitmaps.find(id);
        if (bitmap != bitmaps.end()) result |= bitmap->second;
      }
    }
    if (!unknown.empty()) {
      return InvalidQuery(code, std::string(zh) + "：" + JoinNames(unknown) + " / " + en + ": " +
                                    JoinNames(unknown));
    }
    return result;
  }

  // "龙泉市/龙渊街道/城东社区 (331181003)".
  std::string UnitLabel(Id id) const {
    std::vector<std::string> names;
    for (Id at = id; at != 0;) {
      auto unit = model_.units_.find(at);
      if (unit == model_.units_.end()) break;
      names.push_back(unit->second.name);
      at = unit->second.parent_id;
    }
    std::string label;
    for (auto name = names.rbegin(); name != names.rend(); ++name) {
      if (!label.empty()) label += "/";
      label += *name;
    }
    const auto& unit = model_.units_.at(id);
    if (!unit.division_code.empty()) label += " (" + unit.division_code + ")";
    if (!unit.current) label += " [retired]";
    return label;
  }

  Result<Roaring> Units(const std::vector<std::string>& names) {
    Roaring result;
    std::vector<std::string> unknown;
    for (const auto& name : names) {
      std::set<Id> current, retired;
      for (const auto& [id, unit] : model_.units_) {
        if (unit.name == name || unit.official_name == name || unit.division_code == name) {
          (unit.current ? current : retired).insert(id);
        }
      }
      const std::set<Id>& matches = current.empty() ? retired : current;
      if (matches.empty()) {
        unknown.push_back(name);
        continue;
      }
      if (matches.size() > 1) {
        std::vector<std::string> labels;
        for (Id id : matches) labels.push_back(UnitLabel(id));
        std::sort(labels.begin(), labels.end());
        std::string list;
        for (const auto& label : labels) list += (list.empty() ? "" : "; ") + label;
        return InvalidQuery("ambiguous_unit", "单位名称“" + name + "”不唯一，可选：" + list +
                                                  " / unit name \"" + name +
                                                  "\" is ambiguous, candidates: " + list);
      }
      auto bitmap = model_.by_unit_.find(*matches.begin());
      if (bitmap != model_.by_unit_.end()) result |= bitmap->second;
    }
    if (!unknown.empty()) {
      return InvalidQuery("unknown_unit", "未知单位：" + JoinNames(unknown) +
                                              " / unknown unit: " + JoinNames(unknown));
    }
    return result;
  }

  // Rows whose birth day lies in [from, to) (days; either end open when nullopt).
  Roaring BirthBetween(std::optional<int64_t> from, std::optional<int64_t> to) {
    return model_.birth_index_.Between(from, to, within_);
  }

  // The first birth day of someone younger than `years` on today: born after today - years.
  std::optional<int64_t> YoungerFrom(int64_t years) {
    if (years >= today_.year) return std::nullopt;  // everyone with a birth date is younger
    return today_.YearsEarlier(static_cast<int>(years)).ToDays() + 1;
  }

  Roaring Age(CompareOp op, int64_t years) {
    // age >= n  <=>  birth day < YoungerFrom(n); age <= n  <=>  birth day >= YoungerFrom(n + 1).
    auto at_least = [&](int64_t n) {
      auto to = YoungerFrom(n);
      return to ? BirthBetween(std::nullopt, to) : Roaring();
    };
    auto at_most = [&](int64_t n) {
      auto from = YoungerFrom(n + 1);
      return from ? BirthBetween(from, std::nullopt) : BirthBetween(std::nullopt, std::nullopt);
    };
    // age == n: one pass over the column for the range [YoungerFrom(n + 1), YoungerFrom(n)).
    auto exactly = [&](int64_t n) {
      auto to = YoungerFrom(n);
      return to ? BirthBetween(YoungerFrom(n + 1), to) : Roaring();
    };
    switch (op) {
      case CompareOp::kGreaterOrEqual:
        return at_least(years);
      case CompareOp::kGreater:
        return at_least(years + 1);
      case CompareOp::kLessOrEqual:
        return at_most(years);
      case CompareOp::kLess:
        return years == 0 ? Roaring() : at_most(years - 1);
      case CompareOp::kEqual:
        return exactly(years);
      case CompareOp::kNotEqual:
        return BirthBetween(std::nullopt, std::nullopt) - exactly(years);
    }
    return Roaring();
  }

  Roaring Code(const std::unordered_map<std::string, Roaring>& bitmaps, CompareOp op,
               const std::string& code) {
    auto bitmap = bitmaps.find(code);
    Roaring equal = bitmap == bitmaps.end() ? Roaring() : bitmap->second;
    if (op == CompareOp::kEqual) return equal;
    Roaring any;  // residents with some value of this field
    for (const auto& [other, rows] : bitmaps) any |= rows;
    return any - equal;
  }

  Result<Roaring> Compare(Field field, CompareOp op, const Value& value) {
    switch (field) {
      case Field::kAge:
        return Age(op, std::get<int64_t>(value));
      case Field::kBirthDate:
        return model_.birth_index_.Compare(op, std::get<Date>(value).ToDays(), within_);
      case Field::kHouseholdSize:
        return model_.household_size_index_.Compare(op, std::get<int64_t>(value), within_);
      case Field::kGender:
        return Code(model_.by_gender_, op, std::get<std::string>(value));
      case Field::kResidenceStatus:
        return Code(model_.by_residence_status_, op, std::get<std::string>(value));
      case Field::kAssistance:
        return Code(model_.by_assistance_, op, std::get<std::string>(value));
      case Field::kPhoneValid: {
        const bool wanted = std::get<bool>(value) == (op == CompareOp::kEqual);
        return wanted ? model_.phone_ : model_.all_ - model_.phone_;
      }
      case Field::kOptedOut: {
        const bool wanted = std::get<bool>(value) == (op == CompareOp::kEqual);
        return wanted ? model_.opted_out_ & model_.all_ : model_.all_ - model_.opted_out_;
      }
      case Field::kUnit:
        break;
    }
    return Fail(ErrorCode::kInternal, "segment: unit compared outside `unit in`");
  }

  const ResidentModel& model_;
  const Date today_;
  std::vector<ExplainStep>* steps_;
  const int64_t now_ms_;
  const Roaring* within_ = nullptr;  // the rows an enclosing And still holds (see And)
  const Roaring empty_;
};

Result<std::shared_ptr<const ResidentModel>> ResidentModel::Load(storage::Connection& connection) {
  auto model = std::make_shared<ResidentModel>();
  // The cursor first: a change committed while we read is either already in what we read or
  // after the cursor, and CatchUp re-reading it is harmless.
  STEWARD_ASSIGN_OR_RETURN(model->cursor_, storage::LastChangeSeq(connection));
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, parent_id, name, official_name, division_code, valid_to, kind, path FROM "
      "org_unit",
      {}, [&](const storage::RowView& row) {
        model->units_[row.Int(0)] = Unit{row.IsNull(1) ? 0 : row.Int(1),
                                         std::string(row.Text(2)),
                                         std::string(row.Text(3)),
                                         std::string(row.Text(4)),
                                         row.IsNull(5),
                                         std::string(row.Text(6)),
                                         std::string(row.Text(7))};
      }));
  STEWARD_TRY(
      connection.QueryEach("SELECT code, name FROM tag", {}, [&](const storage::RowView& row) {
        const std::string code(row.Text(0));
        model->tag_codes_[std::string(row.Text(1))] = code;
        model->tag_codes_[code] = code;  // codes win over names
      }));
  STEWARD_TRY(
      connection.QueryEach("SELECT id, name FROM complex", {}, [&](const storage::RowView& row) {
        model->complexes_by_name_[std::string(row.Text(1))].push_back(row.Int(0));
      }));
  auto& building_complex = model->building_complex_;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, complex_id, name FROM building", {}, [&](const storage::RowView& row) {
        model->buildings_by_name_[std::string(row.Text(2))].push_back(row.Int(0));
        if (!row.IsNull(1)) building_complex[row.Int(0)] = row.Int(1);
      }));
  auto& households = model->households_;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, building_id, assistance_type FROM household", {},
      [&](const storage::RowView& row) {
        households[row.Int(0)] =
            Household{row.Int(1), row.IsNull(2) ? std::string() : std::string(row.Text(2)), 0};
      }));

  auto& household_of = model->household_ids_;
  std::unordered_map<Id, std::vector<Row>> unit_rows;
  std::map<std::string, std::vector<Row>> gender_rows, status_rows;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, household_id, unit_id, gender, birth_date, residence_status FROM resident "
      "WHERE deleted_at IS NULL ORDER BY id",
      {}, [&](const storage::RowView& row) {
        const Row at = static_cast<Row>(model->resident_ids_.size());
        model->resident_ids_.push_back(row.Int(0));
        model->rows_[row.Int(0)] = at;
        const Id household = row.IsNull(1) ? 0 : row.Int(1);
        household_of.push_back(household);
        if (household != 0) ++households[household].members;
        model->unit_ids_.push_back(row.Int(2));
        unit_rows[row.Int(2)].push_back(at);
        gender_rows[std::string(row.Text(3))].push_back(at);
        Date birth;
        model->birth_days_.push_back(!row.IsNull(4) && Date::Parse(row.Text(4), &birth)
                                         ? static_cast<int32_t>(birth.ToDays())
                                         : kNoBirthDay);
        status_rows[std::string(row.Text(5))].push_back(at);
      }));
  const Row rows = static_cast<Row>(model->resident_ids_.size());
  model->all_.addRange(0, rows);
  for (auto& [code, list] : gender_rows) AddAll(model->by_gender_[code], list);
  for (auto& [code, list] : status_rows) AddAll(model->by_residence_status_[code], list);

  // Households: size, assistance, building and complex.
  std::map<std::string, std::vector<Row>> assistance_rows;
  std::unordered_map<Id, std::vector<Row>> building_rows, complex_rows;
  model->household_sizes_.resize(rows, 0);
  for (Row row = 0; row < rows; ++row) {
    auto household = households.find(household_of[row]);
    if (household == households.end()) continue;
    model->household_sizes_[row] = household->second.members;
    if (!household->second.assistance.empty()) {
      assistance_rows[household->second.assistance].push_back(row);
    }
    building_rows[household->second.building_id].push_back(row);
    auto complex = building_complex.find(household->second.building_id);
    if (complex != building_complex.end()) complex_rows[complex->second].push_back(row);
  }
  for (auto& [code, list] : assistance_rows) AddAll(model->by_assistance_[code], list);
  for (auto& [id, list] : building_rows) AddAll(model->by_building_[id], list);
  for (auto& [id, list] : complex_rows) AddAll(model->by_complex_[id], list);

  // Units: leaf bitmaps, then each ORed into every ancestor.
  for (auto& [unit, list] : unit_rows) {
    Roaring leaf;
    AddAll(leaf, list);
    for (Id at = unit; at != 0;) {
      model->by_unit_[at] |= leaf;
      auto found = model->units_.find(at);
      if (found == model->units_.end()) break;
      at = found->second.parent_id;
    }
  }
  for (auto& [unit, bitmap] : model->by_unit_) bitmap.runOptimize();

  std::unordered_map<std::string, std::vector<Row>> tag_rows;
  STEWARD_TRY(connection.QueryEach("SELECT resident_id, tag_code FROM resident_tag", {},
                                   [&](const storage::RowView& row) {
                                     auto at = model->rows_.find(row.Int(0));
                                     if (at == model->rows_.end()) return;  // deleted
                                     tag_rows[std::string(row.Text(1))].push_back(at->second);
                                   }));
  for (auto& [code, list] : tag_rows) AddAll(model->by_tag_[code], list);
  std::vector<Row> phone_rows;
  STEWARD_TRY(connection.QueryEach("SELECT DISTINCT resident_id FROM resident_phone", {},
                                   [&](const storage::RowView& row) {
                                     auto at = model->rows_.find(row.Int(0));
                                     if (at != model->rows_.end()) phone_rows.push_back(at->second);
                                   }));
  AddAll(model->phone_, phone_rows);
  // Contact history and the do-not-call list (campaign/).
  model->called_hour_.assign(rows, kNoContact);
  model->answered_hour_.assign(rows, kNoContact);
  STEWARD_TRY(connection.QueryEach(
      "SELECT resident_id, last_called_at, last_answered_at FROM resident_contact", {},
      [&](const storage::RowView& row) {
        auto at = model->rows_.find(row.Int(0));
        if (at == model->rows_.end()) return;
        model->SetContact(at->second, ContactHour(row, 1), ContactHour(row, 2));
      }));
  model->visited_hour_.assign(rows, kNoContact);
  STEWARD_TRY(connection.QueryEach("SELECT resident_id, last_visited_at FROM resident_visit", {},
                                   [&](const storage::RowView& row) {
                                     auto at = model->rows_.find(row.Int(0));
                                     if (at == model->rows_.end()) return;
                                     model->SetVisit(at->second, ContactHour(row, 1));
                                   }));
  std::vector<Row> opted_rows;
  STEWARD_TRY(connection.QueryEach(
      "SELECT DISTINCT p.resident_id FROM resident_phone p JOIN do_not_call d ON d.phone_hash = "
      "p.phone_hash",
      {}, [&](const storage::RowView& row) {
        auto at = model->rows_.find(row.Int(0));
        if (at != model->rows_.end()) opted_rows.push_back(at->second);
      }));
  AddAll(model->opted_out_, opted_rows);
  model->IndexColumns();
  return std::shared_ptr<const ResidentModel>(std::move(model));
}

void ResidentModel::IndexColumns() {
  birth_index_.Build(birth_days_, kNoBirthDay);
  household_size_index_.Build(household_sizes_, kDeadRow);
}

void ResidentModel::SetBirthDay(Row row, int32_t day) {
  birth_days_[row] = day;
  birth_index_.Set(row, day == kNoBirthDay ? std::nullopt : std::optional<int64_t>(day));
}

void ResidentModel::SetHouseholdSize(Row row, int32_t size) {
  household_sizes_[row] = size;
  household_size_index_.Set(row, size == kDeadRow ? std::nullopt : std::optional<int64_t>(size));
}

std::optional<Row> ResidentModel::RowOf(Id resident_id) const {
  auto row = rows_.find(resident_id);
  if (row == rows_.end()) return std::nullopt;
  return row->second;
}

Result<Roaring> ResidentModel::Evaluate(const Query& query, const Date& today,
                                        int64_t now_ms) const {
  return Evaluator(*this, today, nullptr, now_ms).Run(query);
}

Result<Roaring> ResidentModel::Explain(const Query& query, const Date& today,
                                       std::vector<ExplainStep>* steps, int64_t now_ms) const {
  return Evaluator(*this, today, steps, now_ms).Run(query);
}

int32_t ResidentModel::ContactHour(const storage::RowView& row, size_t column) {
  return row.IsNull(column) ? kNoContact : static_cast<int32_t>(row.Int(column) / 3'600'000);
}

// Moves `row` from its old hour's bucket to `hour`'s (kNoContact: none).
void ResidentModel::MoveToHour(Row row, int32_t hour, std::vector<int32_t>& hours,
                               std::map<int32_t, Roaring>& buckets) {
  if (hours[row] == hour) return;
  if (hours[row] != kNoContact) {
    auto bucket = buckets.find(hours[row]);
    if (bucket != buckets.end()) {
      bucket->second.remove(row);
      if (bucket->second.isEmpty()) buckets.erase(bucket);
    }
  }
  hours[row] = hour;
  if (hour != kNoContact) buckets[hour].add(row);
}

void ResidentModel::SetContact(Row row, int32_t called_hour, int32_t answered_hour) {
  MoveToHour(row, called_hour, called_hour_, called_in_hour_);
  MoveToHour(row, answered_hour, answered_hour_, answered_in_hour_);
}

void ResidentModel::SetVisit(Row row, int32_t visited_hour) {
  MoveToHour(row, visited_hour, visited_hour_, visited_in_hour_);
}

Roaring ResidentModel::ScopeBitmap(std::span<const Id> unit_ids) const {
  Roaring result;
  for (Id id : unit_ids) {
    auto bitmap = by_unit_.find(id);
    if (bitmap != by_unit_.end()) result |= bitmap->second;
  }
  return result;
}

std::vector<UnitCount> ResidentModel::Breakdown(const Roaring& selected,
                                                std::string_view kind) const {
  std::vector<UnitCount> counts;
  for (const auto& [id, unit] : units_) {
    if (unit.kind != kind) continue;
    auto bitmap = by_unit_.find(id);
    if (bitmap == by_unit_.end()) continue;
    const uint64_t count = selected.and_cardinality(bitmap->second);
    if (count == 0) continue;
    counts.push_back({id, unit.name, unit.path, count});
  }
  std::sort(counts.begin(), counts.end(),
            [](const UnitCount& a, const UnitCount& b) { return a.path < b.path; });
  return counts;
}

std::vector<Id> ResidentModel::Page(const Roaring& selected, uint64_t offset,
                                    uint64_t limit) const {
  const uint64_t total = selected.cardinality();
  if (offset >= total || limit == 0) return {};
  const uint64_t count = std::min(limit, total - offset);
  std::vector<uint32_t> rows(count);
  selected.rangeUint32Array(rows.data(), offset, count);
  std::vector<Id> ids;
  ids.reserve(count);
  for (uint32_t row : rows) ids.push_back(resident_ids_[row]);
  return ids;
}

std::vector<Id> ResidentModel::Ids(const Roaring& selected) const {
  std::vector<Id> ids;
  ids.reserve(selected.cardinality());
  for (uint32_t row : selected) ids.push_back(resident_ids_[row]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

size_t ResidentModel::BitmapBytes() const {
  size_t bytes = all_.getSizeInBytes() + phone_.getSizeInBytes() + opted_out_.getSizeInBytes();
  for (const auto* buckets : {&called_in_hour_, &answered_in_hour_}) {
    for (const auto& [hour, bitmap] : *buckets) bytes += bitmap.getSizeInBytes();
  }
  auto add = [&](const auto& bitmaps) {
    for (const auto& [key, bitmap] : bitmaps) bytes += bitmap.getSizeInBytes();
  };
  add(by_unit_);
  add(by_tag_);
  add(by_gender_);
  add(by_residence_status_);
  add(by_assistance_);
  add(by_building_);
  add(by_complex_);
  return bytes + birth_index_.BytesInBitmaps() + household_size_index_.BytesInBitmaps();
}

size_t ResidentModel::ColumnBytes() const {
  // The columns, plus the id -> row map at roughly 32 bytes a node (key, value, next, bucket),
  // plus the households at roughly 64 bytes each.
  // Four int32 columns: birth day, household size, last called and last answered hour.
  return resident_ids_.size() * (sizeof(Id) * 3 + sizeof(int32_t) * 4 + 32) +
         households_.size() * 64;
}

}  // namespace steward::segment
