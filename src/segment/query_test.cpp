#include "segment/query.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/cases/table.hpp"

namespace steward::segment {
namespace {

constexpr const char* kTextTable = STEWARD_SOURCE_DIR "/tests/cases/segment_text.tsv";
constexpr const char* kJsonTable = STEWARD_SOURCE_DIR "/tests/cases/segment_json.tsv";

using testing::ReadTable;
using testing::Row;
using testing::Unescape;

// The tree in prefix form, leaves as canonical text: or(has(a),and(has(b),has(c))).
std::string Shape(const Query& query) {
  if (query.kind != NodeKind::kAnd && query.kind != NodeKind::kOr && query.kind != NodeKind::kNot) {
    return ToText(query);
  }
  std::string out = query.kind == NodeKind::kAnd  ? "and("
                    : query.kind == NodeKind::kOr ? "or("
                                                  : "not(";
  for (size_t i = 0; i < query.children.size(); ++i) {
    if (i > 0) out += ",";
    out += Shape(query.children[i]);
  }
  return out + ")";
}

// Both round trips from a tree: text and JSON (also through the JSON's serialised form).
void ExpectRoundTrips(const Query& query) {
  const std::string text = ToText(query);
  const Result<Query> reparsed = ParseQuery(text);
  ASSERT_TRUE(reparsed.has_value()) << text << "\n" << reparsed.error().details[0].message;
  EXPECT_EQ(*reparsed, query) << text;
  const nlohmann::json json = ToJson(query);
  const Result<Query> reread = QueryFromJson(nlohmann::json::parse(json.dump()));
  ASSERT_TRUE(reread.has_value()) << json.dump() << "\n" << reread.error().details[0].message;
  EXPECT_EQ(*reread, query) << json.dump();
  EXPECT_EQ(ToText(*reread), text);
}

TEST(SegmentQueryTest, TextTable) {
  const std::vector<Row> rows =
      ReadTable(kTextTable, {"input", "expect", "shape", "column", "message"});
  EXPECT_GE(rows.size(), 60u);
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << "segment_text.tsv:" << row.line << " " << row.cells[0]);
    const std::string input = Unescape(row.cells[0]);
    const Result<Query> result = ParseQuery(input);
    if (row.cells[1] != "error") {
      ASSERT_TRUE(result.has_value()) << result.error().details[0].message;
      EXPECT_EQ(ToText(*result), Unescape(row.cells[1]));
      if (row.cells[2] != "-") {
        EXPECT_EQ(Shape(*result), row.cells[2]);
      }
      ExpectRoundTrips(*result);
      continue;
    }
    ASSERT_FALSE(result.has_value()) << "accepted as " << ToText(*result);
    const Error& error = result.error();
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    EXPECT_NE(error.message.find(" / "), std::string::npos);
    ASSERT_EQ(error.details.size(), 1u);
    const std::string& message = error.details[0].message;
    EXPECT_EQ(error.details[0].field, "query");
    const std::string column = row.cells[3];
    EXPECT_EQ(message.rfind("第 " + column + " 列：", 0), 0u) << message;
    EXPECT_NE(message.find(" / column " + column + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(Unescape(row.cells[4])), std::string::npos) << message;
  }
}

TEST(SegmentQueryTest, JsonTable) {
  const std::vector<Row> rows = ReadTable(kJsonTable, {"json", "expect", "path", "message"});
  EXPECT_GE(rows.size(), 20u);
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << "segment_json.tsv:" << row.line << " " << row.cells[0]);
    const nlohmann::json json = nlohmann::json::parse(row.cells[0]);
    const Result<Query> result = QueryFromJson(json);
    if (row.cells[1] != "error") {
      ASSERT_TRUE(result.has_value()) << result.error().details[0].message;
      EXPECT_EQ(ToText(*result), row.cells[1]);
      ExpectRoundTrips(*result);
      continue;
    }
    ASSERT_FALSE(result.has_value()) << "accepted as " << ToText(*result);
    ASSERT_EQ(result.error().details.size(), 1u);
    const ErrorDetail& detail = result.error().details[0];
    EXPECT_EQ(detail.field, row.cells[2]);
    EXPECT_EQ(detail.message.rfind(row.cells[2] + "：", 0), 0u) << detail.message;
    EXPECT_NE(detail.message.find(row.cells[3]), std::string::npos) << detail.message;
  }
}

TEST(SegmentQueryTest, ExampleFromTheIssueAsJson) {
  const Result<Query> query = ParseQuery(
      "age >= 60 and has(lives_alone) and unit in (\"城东社区\") and not called_within(7d)");
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(ToJson(*query), nlohmann::json::parse(R"({"and":[{"field":"age","op":">=","value":60},
              {"has":["lives_alone"]},{"unit_in":["城东社区"]},{"not":{"called_within":"7d"}}]})"));
}

TEST(SegmentQueryTest, ColumnsCountCharactersNotBytes) {
  // 城东社区 is 12 bytes but 4 characters.
  const Result<Query> query = ParseQuery("unit in (\"城东社区\") and");
  ASSERT_FALSE(query.has_value());
  EXPECT_NE(query.error().details[0].message.find("column 21:"), std::string::npos)
      << query.error().details[0].message;
}

TEST(SegmentQueryTest, RefusesInvalidUtf8AtItsColumn) {
  const Result<Query> query = ParseQuery("has(独\xff)");
  ASSERT_FALSE(query.has_value());
  EXPECT_NE(query.error().details[0].message.find("column 6: not valid UTF-8"), std::string::npos)
      << query.error().details[0].message;
}

TEST(SegmentQueryTest, RefusesDeepNesting) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "(";
  text += "has(a)";
  for (int i = 0; i < 200; ++i) text += ")";
  const Result<Query> parsed = ParseQuery(text);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().details[0].message.find("nested too deeply"), std::string::npos);

  nlohmann::json json = {{"has", {"a"}}};
  for (int i = 0; i < 200; ++i) json = {{"not", json}};
  const Result<Query> read = QueryFromJson(json);
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().details[0].message.find("nested too deeply"), std::string::npos);

  std::string nots;
  for (int i = 0; i < 50; ++i) nots += "not ";
  EXPECT_TRUE(ParseQuery(nots + "has(a)").has_value());  // within the limit
}

TEST(SegmentQueryTest, RefusesOverlongText) {
  const std::string text(kMaxTextBytes + 1, ' ');
  const Result<Query> query = ParseQuery(text);
  ASSERT_FALSE(query.has_value());
  EXPECT_EQ(query.error().details[0].code, "too_long");
}

TEST(SegmentQueryTest, DurationsInHours) {
  EXPECT_EQ((Duration{12, DurationUnit::kHours}.Hours()), 12);
  EXPECT_EQ((Duration{7, DurationUnit::kDays}.Hours()), 168);
  EXPECT_EQ((Duration{2, DurationUnit::kWeeks}.Hours()), 336);
}

// Random trees over every node kind, canonical values and awkward names.
class RandomTrees {
 public:
  explicit RandomTrees(uint32_t seed) : random_(seed) {}

  Query Tree(int depth) {
    const int pick = Below(depth <= 0 ? 3 : 6);
    switch (pick) {
      case 3:
      case 4: {
        std::vector<Query> children;
        const int count = 2 + Below(3);
        for (int i = 0; i < count; ++i) children.push_back(Tree(depth - 1));
        return pick == 3 ? Query::And(std::move(children)) : Query::Or(std::move(children));
      }
      case 5:
        return Query::Not(Tree(depth - 1));
      case 0:
        return Comparison();
      case 1:
        return List();
      default:
        return Call();
    }
  }

 private:
  int Below(int n) { return static_cast<int>(random_() % static_cast<uint32_t>(n)); }

  std::string Name() {
    static const char* kNames[] = {
        "lives_alone", "独居",     "城东社区", "3幢",       "key group", "and", "Not", "a\"b",
        "back\\slash", "（全角）", "x_1",      "锦绣花园 ", "2w",        "IN",  "\t"};
    return kNames[Below(sizeof(kNames) / sizeof(kNames[0]))];
  }

  Value RandomValue(Field field) {
    static const char* kGenders[] = {"male", "female"};
    static const char* kStatuses[] = {"both", "resident_only", "registered_only"};
    static const char* kAssistances[] = {"subsistence_allowance", "near_poverty",
                                         "extreme_poverty"};
    switch (field) {
      case Field::kAge:
      case Field::kHouseholdSize:
        return static_cast<int64_t>(Below(3) == 0 ? kMaxInteger : Below(120));
      case Field::kBirthDate:
        return Date{1900 + Below(130), 1 + Below(12), 1 + Below(28)};
      case Field::kGender:
        return std::string(kGenders[Below(2)]);
      case Field::kResidenceStatus:
        return std::string(kStatuses[Below(3)]);
      case Field::kAssistance:
        return std::string(kAssistances[Below(3)]);
      default:
        return Below(2) == 0;
    }
  }

  Query Comparison() {
    const Field field = static_cast<Field>(Below(8));
    const bool ordered =
        field == Field::kAge || field == Field::kBirthDate || field == Field::kHouseholdSize;
    const CompareOp op = static_cast<CompareOp>(ordered ? Below(6) : Below(2));
    return Query::Compare(field, op, RandomValue(field));
  }

  Query List() {
    static const Field kFields[] = {
        Field::kAge,           Field::kBirthDate,  Field::kGender, Field::kResidenceStatus,
        Field::kHouseholdSize, Field::kAssistance, Field::kUnit};
    const Field field = kFields[Below(7)];
    const int count = 1 + Below(3);
    if (field == Field::kUnit) {
      std::vector<std::string> names;
      for (int i = 0; i < count; ++i) names.push_back(Name());
      return Query::UnitIn(std::move(names));
    }
    std::vector<Value> values;
    for (int i = 0; i < count; ++i) values.push_back(RandomValue(field));
    return Query::In(field, std::move(values));
  }

  Query Call() {
    const Function function = static_cast<Function>(Below(8));
    if (TakesDuration(function)) {
      return Query::Within(function, Duration{1 + Below(Below(2) == 0 ? 30 : kMaxDurationAmount),
                                              static_cast<DurationUnit>(Below(3))});
    }
    std::vector<std::string> names;
    const int count = function == Function::kHas ? 1 : 1 + Below(3);
    for (int i = 0; i < count; ++i) names.push_back(Name());
    return Query::Call(function, std::move(names));
  }

  std::mt19937 random_;
};

TEST(SegmentQueryTest, RandomTreesRoundTrip) {
  RandomTrees trees(20261128);
  for (int i = 0; i < 3000; ++i) {
    const Query query = trees.Tree(i % 5);
    SCOPED_TRACE(ToText(query));
    ExpectRoundTrips(query);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace steward::segment
