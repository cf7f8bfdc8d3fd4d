// segment::ResidentModel against SQL on both engines: a small demo city, random query trees over
// the fields, tags, units, buildings and complexes that exist in it, each evaluated by the model
// (through its canonical text, parsed again) and by an SQL translation written here (the oracle);
// the id sets must be equal. Then specific cases: an ambiguous unit name, an unknown tag, a tag by
// its Chinese name, Not over residents without the tested value, scope bitmaps and explain.
// Then versions: random writes through the real stores, caught up from the change log
// (ResidentModel::CatchUp) and checked against SQL again; the old version unchanged; no change
// returning the same version; a backlog past the threshold reloading; ModelHolder.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"
#include "segment/model_holder.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/demo_city.hpp"
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
using storage::WriteTransaction;

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
        if (query.field == Field::kOptedOut) {
          return std::string(wanted ? "" : "NOT ") +
                 "r.id IN (SELECT p.resident_id FROM resident_phone p JOIN do_not_call d ON "
                 "d.phone_hash = p.phone_hash)";
        }
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
        case Function::kCalledWithin:
        case Function::kAnsweredWithin: {
          // Counted back from the end of `today` (China time), to the hour.
          const int64_t now = (today.ToDays() + 1) * 86'400'000 - 8 * 3'600'000 - 1;
          const int64_t from = (now - query.duration.Hours() * 3'600'000) / 3'600'000 * 3'600'000;
          return std::string("r.id IN (SELECT c.resident_id FROM resident_contact c WHERE c.") +
                 (query.function == Function::kCalledWithin ? "last_called_at"
                                                            : "last_answered_at") +
                 " >= " + std::to_string(from) + ")";
        }
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
        return Query::Within(
            Pick(2) ? Function::kCalledWithin : Function::kAnsweredWithin,
            segment::Duration{1 + Pick(20), Pick(3) == 0   ? segment::DurationUnit::kHours
                                            : Pick(2) == 0 ? segment::DurationUnit::kDays
                                                           : segment::DurationUnit::kWeeks});
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
    demo::DemoOptions options;
    options.residents = kResidents;
    options.seed = 5;
    auto built = testing::BuildDemoCity(*database_, *vault_, ids_, clock_, options);
    ASSERT_TRUE(built) << built.error().ToString();
    // Some contact history and opt-outs, as campaigns leave them: every 7th resident called in
    // the last 40 days (every other one of them answered), every 11th resident's phones opted out.
    auto seeded = Raw([&](Connection& connection) -> Result<int64_t> {
      STEWARD_TRY(connection.Execute(
          "INSERT INTO resident_contact (resident_id, last_called_at, last_answered_at, version) "
          "SELECT id, ? - (id % 977) * 3600000, CASE WHEN id % 2 = 0 THEN ? - (id % 977) * "
          "3600000 END, 1 FROM resident WHERE id % 7 = 0",
          std::vector<storage::Value>{kNowMillis, kNowMillis}));
      return connection.Execute(
          "INSERT INTO do_not_call (phone_hash, resident_id, source, created_at) SELECT DISTINCT "
          "p.phone_hash, min(p.resident_id), 'test', 0 FROM resident_phone p WHERE "
          "p.resident_id % 11 = 0 GROUP BY p.phone_hash");
    });
    ASSERT_TRUE(seeded) << seeded.error().ToString();
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
    std::sort(ids.begin(), ids.end());  // after a CatchUp rows no longer follow ids
    return ids;
  }

  Result<Roaring> Count(const std::string& text) {
    auto query = segment::ParseQuery(text);
    if (!query) return tl::unexpected(query.error());
    return model_->Evaluate(*query, clock_.Today());
  }

  // Random query trees over what exists now, each by the model and by SQL: the id sets must agree.
  void ExpectRandomQueriesAgree(uint64_t seed, int count) {
    Vocabulary words;
    words.tags = Strings("SELECT code FROM tag UNION ALL SELECT name FROM tag");
    words.units = Strings(
        "SELECT division_code FROM org_unit WHERE kind IN ('street', 'community') UNION ALL "
        "SELECT name FROM org_unit u WHERE kind <> 'micro_grid' AND (SELECT count(*) FROM "
        "org_unit o WHERE o.name = u.name OR o.official_name = u.name OR o.division_code = "
        "u.name) = 1");
    words.buildings = Strings("SELECT DISTINCT name FROM building ORDER BY name");
    words.complexes = Strings("SELECT name FROM complex ORDER BY name");
    ASSERT_FALSE(words.units.empty());
    ASSERT_FALSE(words.buildings.empty());
    ASSERT_FALSE(words.complexes.empty());

    QueryMaker maker(words, seed);
    int non_empty = 0;
    for (int i = 0; i < count; ++i) {
      const Query made = maker.Make(3);
      const std::string text = segment::ToText(made);
      auto parsed = segment::ParseQuery(text);
      ASSERT_TRUE(parsed) << text << ": " << parsed.error().ToString();
      auto rows = model_->Evaluate(*parsed, clock_.Today());
      ASSERT_TRUE(rows) << text << ": " << rows.error().ToString();
      const auto expected = SqlIds(*parsed);
      ASSERT_EQ(rows->cardinality(), expected.size()) << text;
      ASSERT_EQ(ModelIds(*rows), expected) << text;
      if (!expected.empty() && expected.size() < model_->size()) ++non_empty;
    }
    // The random queries must select something, and not everything, often enough to mean
    // anything.
    EXPECT_GT(non_empty, count / 3);
  }

  Result<std::shared_ptr<const ResidentModel>> CatchUp(std::shared_ptr<const ResidentModel> current,
                                                       ResidentModel::Options options = {}) {
    return database_->Read([&](Connection& connection) {
      return ResidentModel::CatchUp(current, connection, options);
    });
  }

  int64_t LastSeq() {
    auto last =
        database_->Read([](Connection& connection) { return storage::LastChangeSeq(connection); });
    EXPECT_TRUE(last);
    return last ? *last : -1;
  }

  std::vector<Id> Ids(const std::string& sql) {
    std::vector<Id> ids;
    for (const auto& text : Strings(sql)) ids.push_back(std::stoll(text));
    return ids;
  }

  int64_t Version(const std::string& table, Id id) {
    auto version = Strings("SELECT version FROM " + table + " WHERE id = " + std::to_string(id));
    EXPECT_EQ(version.size(), 1u);
    return version.empty() ? 0 : std::stoll(version[0]);
  }

  // Random writes through the stores: residents created, updated (unit, gender, birth date, tags,
  // status, phones, household), soft-deleted; households given or stripped of assistance and moved
  // to another building; buildings renamed.
  void WriteRandomly(uint64_t seed, int count) {
    std::mt19937_64 random(seed);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
    registry::ResidentStore residents(*vault_, ids_, clock_);
    registry::PlaceStore places(ids_, clock_);
    const auto units =
        Ids("SELECT id FROM org_unit WHERE kind = 'micro_grid' AND valid_to IS NULL ORDER BY id");
    const auto households = Ids("SELECT id FROM household ORDER BY id");
    const auto buildings = Ids("SELECT id FROM building ORDER BY id");
    const auto tags = Strings("SELECT code FROM tag ORDER BY code");
    const auto building_names = Strings("SELECT name FROM building ORDER BY id");
    ASSERT_FALSE(units.empty() || households.empty() || buildings.empty() || tags.empty());
    static const std::vector<registry::AssistanceType> kAssistance = {
        registry::AssistanceType::kSubsistenceAllowance, registry::AssistanceType::kNearPoverty,
        registry::AssistanceType::kExtremePoverty};
    auto some_tags = [&] {
      std::vector<std::string> codes;
      for (size_t i = pick(3); i > 0; --i) codes.push_back(tags[pick(tags.size())]);
      std::sort(codes.begin(), codes.end());
      codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
      return codes;
    };
    auto birth = [&] { return Date::FromDays(Date{1930, 1, 1}.ToDays() + pick(35000)); };
    for (int i = 0; i < count; ++i) {
      const auto live = Ids("SELECT id FROM resident WHERE deleted_at IS NULL ORDER BY id");
      const Id someone = live[pick(live.size())];
      const Id household = households[pick(households.size())];
      const int64_t resident_version = Version("resident", someone);
      const int64_t household_version = Version("household", household);
      const Id building = buildings[pick(buildings.size())];
      const int64_t building_version = Version("building", building);
      const size_t kind = pick(11);
      auto written = database_->Write(context_, [&](WriteTransaction& transaction) -> Status {
        registry::ResidentPatch patch;
        switch (kind) {
          case 0: {
            registry::NewResident person;
            person.unit_id = units[pick(units.size())];
            if (pick(3)) person.household_id = household;
            person.name = "新居民" + std::to_string(i);
            person.gender = pick(2) ? registry::Gender::kFemale : registry::Gender::kMale;
            if (pick(4)) person.birth_date = birth();
            person.residence_status = registry::ResidenceStatus::kResidentOnly;
            person.tags = some_tags();
            if (pick(2)) person.phones = {{"139" + std::to_string(10000000 + i), {}}};
            return residents.Create(transaction, person).map([](auto&&) {});
          }
          case 1:
            patch.unit_id = units[pick(units.size())];
            break;
          case 2:
            patch.gender = pick(2) ? registry::Gender::kFemale : registry::Gender::kMale;
            patch.residence_status = registry::ResidenceStatus::kRegisteredOnly;
            break;
          case 3:
            patch.birth_date = pick(4) ? std::optional<Date>(birth()) : std::optional<Date>();
            break;
          case 4:
            patch.tags = some_tags();
            patch.phones = std::vector<registry::PhoneInfo>();
            break;
          case 5:
            patch.household_id = pick(4) ? std::optional<Id>(household) : std::optional<Id>();
            break;
          case 6:
            return residents.SoftDelete(transaction, someone, resident_version, "moved away");
          case 7:
          case 8: {
            registry::HouseholdPatch change;
            change.assistance =
                pick(3)
                    ? std::optional<registry::AssistanceType>(kAssistance[pick(kAssistance.size())])
                    : std::optional<registry::AssistanceType>();
            return places.UpdateHousehold(transaction, household, household_version, change)
                .map([](auto&&) {});
          }
          case 9: {
            registry::BuildingPatch rename;  // to another building's name, or a new one
            rename.name =
                pick(2) ? "新楼" + std::to_string(i) : building_names[pick(building_names.size())];
            return places.UpdateBuilding(transaction, building, building_version, rename)
                .map([](auto&&) {});
          }
          default: {
            registry::HouseholdPatch move;
            move.building_id = buildings[pick(buildings.size())];
            move.room = "segment-" + std::to_string(i);
            return places.UpdateHousehold(transaction, household, household_version, move)
                .map([](auto&&) {});
          }
        }
        return residents.Update(transaction, someone, resident_version, patch).map([](auto&&) {});
      });
      ASSERT_TRUE(written) << "write " << i << " (" << kind << "): " << written.error().ToString();
    }
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
  ExpectRandomQueriesAgree(42, kRandomQueries);
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
  // Contact history as SetUp seeded it: opt-outs by phone, calls counted back to the hour.
  const auto opted = Strings(
      "SELECT DISTINCT p.resident_id FROM resident_phone p JOIN do_not_call d ON d.phone_hash = "
      "p.phone_hash JOIN resident r ON r.id = p.resident_id WHERE r.deleted_at IS NULL");
  ASSERT_GT(opted.size(), 0u);
  EXPECT_EQ(Count("opted_out")->cardinality(), opted.size());
  EXPECT_EQ(Count("not opted_out")->cardinality(), model_->size() - opted.size());
  const auto called = Count("called_within(7d)");
  ASSERT_TRUE(called);
  EXPECT_GT(called->cardinality(), 0u);
  EXPECT_LE(Count("answered_within(7d)")->cardinality(), called->cardinality());
  EXPECT_GE(Count("called_within(2w)")->cardinality(), called->cardinality());
  EXPECT_EQ(Count("visited_within(7d)")->cardinality(), 0u);

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

TEST_P(SegmentModelTest, FollowsTheChangeLog) {
  const auto old = model_;
  EXPECT_EQ(old->cursor(), LastSeq());
  // What the old version answers before the writes.
  const std::vector<std::string> probes = {
      "age >= 60", "has(lives_alone) or phone_valid", "household_size >= 3",
      "not assistance = \"near_poverty\"", "gender = \"female\" and residence_status = \"both\""};
  std::vector<Roaring> before;
  for (const auto& text : probes) before.push_back(*Count(text));

  WriteRandomly(7, 120);
  ASSERT_FALSE(HasFailure());
  auto next = CatchUp(old);
  ASSERT_TRUE(next) << next.error().ToString();
  EXPECT_NE(*next, old);
  EXPECT_EQ((*next)->patches_since_load(), 1) << "applied, not reloaded";
  EXPECT_EQ((*next)->cursor(), LastSeq());
  EXPECT_GT((*next)->RowCount(), old->RowCount()) << "new residents got rows at the end";
  model_ = *next;
  ExpectRandomQueriesAgree(43, kRandomQueries);
  ASSERT_FALSE(HasFailure());

  // A second round on the patched version.
  WriteRandomly(8, 60);
  ASSERT_FALSE(HasFailure());
  next = CatchUp(model_);
  ASSERT_TRUE(next) << next.error().ToString();
  EXPECT_EQ((*next)->patches_since_load(), 2);
  model_ = *next;
  ExpectRandomQueriesAgree(44, kRandomQueries / 2);

  // Copy-on-write: the old version, still held, answers exactly as before.
  model_ = old;
  EXPECT_EQ(old->size(), static_cast<size_t>(kResidents));
  for (size_t i = 0; i < probes.size(); ++i) EXPECT_EQ(*Count(probes[i]), before[i]) << probes[i];
}

TEST_P(SegmentModelTest, NoChangeKeepsTheVersion) {
  auto same = CatchUp(model_);
  ASSERT_TRUE(same) << same.error().ToString();
  EXPECT_EQ(*same, model_);

  segment::ModelHolder holder;
  EXPECT_EQ(holder.Current(), nullptr);
  ASSERT_TRUE(holder.Refresh(*database_));
  const auto first = holder.Current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->size(), static_cast<size_t>(kResidents));
  ASSERT_TRUE(holder.Refresh(*database_));
  EXPECT_EQ(holder.Current(), first);
  WriteRandomly(9, 5);
  ASSERT_TRUE(holder.Refresh(*database_));
  EXPECT_NE(holder.Current(), first);
  EXPECT_EQ(holder.Current()->cursor(), LastSeq());
}

TEST_P(SegmentModelTest, ReloadsAfterALargeBacklog) {
  WriteRandomly(10, 30);
  ASSERT_FALSE(HasFailure());
  auto reloaded = CatchUp(model_, ResidentModel::Options{.reload_after = 20});
  ASSERT_TRUE(reloaded) << reloaded.error().ToString();
  EXPECT_EQ((*reloaded)->patches_since_load(), 0) << "reloaded, not patched";
  EXPECT_EQ((*reloaded)->RowCount(), (*reloaded)->size()) << "a load has no dead rows";
  EXPECT_EQ((*reloaded)->cursor(), LastSeq());
  model_ = *reloaded;
  ExpectRandomQueriesAgree(45, kRandomQueries / 4);
  WriteRandomly(11, 10);
  ASSERT_FALSE(HasFailure());
  auto patched = CatchUp(model_, ResidentModel::Options{.reload_after = 20});
  ASSERT_TRUE(patched) << patched.error().ToString();
  EXPECT_EQ((*patched)->patches_since_load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, SegmentModelTest,
                         ::testing::ValuesIn(testing::EnginesUnderTest()), testing::EngineTestName);

}  // namespace
}  // namespace steward
