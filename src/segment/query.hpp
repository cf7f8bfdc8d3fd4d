// The segment language (人群圈选): one syntax tree, reached from text (the CLI, the console's text
// mode) or from JSON (the console's visual builder), and written back to either.
//
// This header knows the language only: no database, no read model, no evaluation. Tags, unit,
// building and complex names stay as written; the evaluator resolves them later against the tag
// dictionary and the org tree (and reports an unknown or ambiguous name there).
//
// Invariants of every Query that ParseQuery or QueryFromJson returns:
//   * And/Or have two or more children, Not exactly one; Compare holds one value, In one or more;
//   * values are canonical: gender `male`/`female`, residence_status `both`/`resident_only`/
//     `registered_only`, assistance `subsistence_allowance`/`near_poverty`/`extreme_poverty`,
//     birth_date a Date, integers in [0, kMaxInteger], booleans for phone_valid/opted_out;
//   * names (tags, units, buildings, complexes) are non-empty, well-formed UTF-8;
//   * members a kind does not use keep their default values, so operator== compares trees.
// Round trips: ParseQuery(ToText(q)) == q and QueryFromJson(ToJson(q)) == q for such a q.
//
// The JSON form (one object per node, exactly the keys shown):
//   {"and": [node, node, ...]}              {"or": [node, ...]}            {"not": node}
//   {"field": "age", "op": ">=", "value": 60}        op: = != < <= > >=
//   {"field": "gender", "in": ["male", "female"]}
//   {"unit_in": ["城东社区", "331181003"]}
//   {"has": ["lives_alone"]}  {"has_any": [...]}  {"has_all": [...]}
//   {"building": [...]}  {"complex": [...]}
//   {"called_within": "7d"}  {"answered_within": "12h"}  {"visited_within": "2w"}
// Values: integers as JSON integers, birth dates as "YYYY-MM-DD", booleans as true/false, enums as
// their code or Chinese name. An and/or with a single child is read as that child (the builder
// makes them while the user edits); an empty one is an error.
//
// Errors are kInvalidArgument with one detail: field "query" and a message naming the 1-based
// column in characters (text), or field = the path into the JSON such as "$.and[2].value".
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace steward::segment {

// Resident attributes a condition may test. kUnit appears only in `unit in (...)`.
enum class Field {
  kAge,
  kBirthDate,
  kGender,
  kResidenceStatus,
  kHouseholdSize,
  kAssistance,
  kPhoneValid,
  kOptedOut,
  kUnit,
};

enum class CompareOp { kEqual, kNotEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };

enum class Function {
  kHas,             // has(tag): exactly one tag
  kHasAny,          // has_any(tag, ...)
  kHasAll,          // has_all(tag, ...)
  kBuilding,        // building(name, ...)
  kComplex,         // complex(name, ...)
  kCalledWithin,    // called_within(7d)
  kAnsweredWithin,  // answered_within(12h)
  kVisitedWithin,   // visited_within(2w)
};

enum class DurationUnit { kHours, kDays, kWeeks };

// "7d", "12h", "2w": kept as written (2w stays 2w, not 14d) so text round-trips.
struct Duration {
  int64_t amount = 0;  // 1 .. kMaxDurationAmount
  DurationUnit unit = DurationUnit::kDays;

  int64_t Hours() const;
  std::string ToString() const;
  bool operator==(const Duration&) const = default;
};

inline constexpr int64_t kMaxInteger = 1'000'000'000;
inline constexpr int64_t kMaxDurationAmount = 100'000;
// Deeper nesting (parentheses, not, JSON objects) is refused rather than risk the stack.
inline constexpr int kMaxDepth = 100;
// Longer texts are refused before parsing.
inline constexpr size_t kMaxTextBytes = 64 * 1024;

// int64_t for age and household_size, Date for birth_date, bool for phone_valid/opted_out,
// std::string (a canonical code) for gender, residence_status and assistance.
using Value = std::variant<bool, int64_t, std::string, Date>;

enum class NodeKind { kAnd, kOr, kNot, kCompare, kIn, kCall };

struct Query {
  NodeKind kind = NodeKind::kAnd;
  std::vector<Query> children;         // kAnd, kOr: two or more; kNot: one
  Field field = Field::kAge;           // kCompare, kIn
  CompareOp op = CompareOp::kEqual;    // kCompare
  std::vector<Value> values;           // kCompare: one; kIn: one or more
  Function function = Function::kHas;  // kCall
  std::vector<std::string> names;  // kCall of has/has_any/has_all/building/complex; kIn of kUnit
  Duration duration;               // kCall of *_within

  bool operator==(const Query&) const = default;

  // Builders that leave the unused members at their defaults (see the invariants above). They do
  // not validate: use ParseQuery / QueryFromJson for untrusted input.
  static Query And(std::vector<Query> children);
  static Query Or(std::vector<Query> children);
  static Query Not(Query child);
  static Query Compare(Field field, CompareOp op, Value value);
  static Query In(Field field, std::vector<Value> values);
  static Query UnitIn(std::vector<std::string> names);
  static Query Call(Function function, std::vector<std::string> names);
  static Query Within(Function function, Duration duration);
};

// Names as written in the text and JSON ("age", "has_any", ">=").
std::string_view FieldName(Field field);
std::string_view FunctionName(Function function);
std::string_view CompareOpText(CompareOp op);
// True for the functions taking a duration (called_within, answered_within, visited_within).
bool TakesDuration(Function function);

Result<Query> ParseQuery(std::string_view text);
// Canonical text: lower-case keywords, one space around operators, parentheses only where
// precedence needs them, strings in ASCII quotes with \" and \\ escaped.
std::string ToText(const Query& query);

nlohmann::json ToJson(const Query& query);
Result<Query> QueryFromJson(const nlohmann::json& json);

}  // namespace steward::segment
