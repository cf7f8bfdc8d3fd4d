// registry::ResidentFigures against SQL on both engines: a small demo city, figures compared with
// reference aggregates written here in SQL for the whole city, streets, communities, grids,
// micro-grids, retired units and a two-range scope; then changes through the real stores
// (residents created, updated, soft-deleted, households given or stripped of assistance and moved,
// a grid moved to another community), caught up from the change log and compared again; and a
// backlog past the threshold, caught up by reloading.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "org/unit.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"
#include "registry/resident_figures.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/demo_city.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using registry::ResidentFigures;
using registry::UnitPathRange;
using storage::Connection;
using storage::Engine;
using storage::Value;
using storage::WriteContext;
using storage::WriteTransaction;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time
constexpr int64_t kResidents = 2000;

nlohmann::json ToJson(const ResidentFigures::Figures& figures) {
  nlohmann::json tags = nlohmann::json::object(), assistance = nlohmann::json::object();
  for (const auto& [code, tag] : figures.tags) {
    tags[code] = {{"name", tag.name}, {"sensitive", tag.sensitive}, {"count", tag.residents}};
  }
  for (const auto& [type, count] : figures.assistance) {
    assistance[type] = {{"households", count.households}, {"members", count.members}};
  }
  return {{"residents", figures.residents},
          {"residence_status", figures.residence_status},
          {"gender", figures.gender},
          {"ages",
           {figures.ages.under_18, figures.ages.from_18_to_59, figures.ages.from_60_to_79,
            figures.ages.from_80, figures.ages.unknown}},
          {"age_pyramid", figures.age_pyramid},
          {"elderly_living_alone", figures.elderly_living_alone},
          {"tags", tags},
          {"assistance", assistance}};
}

// The reference: the figures as SQL aggregates over the rows themselves.
Result<ResidentFigures::Figures> Reference(Connection& connection,
                                           const std::vector<UnitPathRange>& ranges,
                                           const Date& today) {
  std::string where = "(1 = 0";
  std::vector<Value> params;
  for (const auto& range : ranges) {
    where += " OR (u.path >= ? AND u.path < ?)";
    params.emplace_back(range.low);
    params.emplace_back(range.high);
  }
  where += ")";
  const std::string live =
      " FROM resident r JOIN org_unit u ON u.id = r.unit_id "
      "WHERE r.deleted_at IS NULL AND " +
      where;
  auto with = [&](std::vector<Value> more) {
    std::vector<Value> all = more;
    all.insert(all.end(), params.begin(), params.end());
    return all;
  };
  auto count = [&](const std::string& sql, std::vector<Value> more) -> Result<int64_t> {
    STEWARD_ASSIGN_OR_RETURN(auto value, connection.QueryInt(sql, with(std::move(more))));
    return value.value_or(0);
  };
  ResidentFigures::Figures figures;
  STEWARD_ASSIGN_OR_RETURN(figures.residents, count("SELECT count(*)" + live, {}));
  for (auto [column, out] : {std::pair{"r.residence_status", &figures.residence_status},
                             std::pair{"r.gender", &figures.gender}}) {
    STEWARD_TRY(connection.QueryEach(
        std::string("SELECT ") + column + ", count(*)" + live + " GROUP BY " + column, params,
        [&](const storage::RowView& row) { (*out)[std::string(row.Text(0))] = row.Int(1); }));
  }
  const std::string d18 = today.YearsEarlier(18).ToString(),
                    d60 = today.YearsEarlier(60).ToString(),
                    d80 = today.YearsEarlier(80).ToString();
  const std::string born =
      "SELECT count(*) FROM resident r JOIN org_unit u ON u.id = r.unit_id "
      "WHERE r.deleted_at IS NULL AND ";
  STEWARD_ASSIGN_OR_RETURN(figures.ages.under_18,
                           count(born + "r.birth_date > ? AND " + where, {d18}));
  STEWARD_ASSIGN_OR_RETURN(
      figures.ages.from_18_to_59,
      count(born + "r.birth_date > ? AND r.birth_date <= ? AND " + where, {d60, d18}));
  STEWARD_ASSIGN_OR_RETURN(
      figures.ages.from_60_to_79,
      count(born + "r.birth_date > ? AND r.birth_date <= ? AND " + where, {d80, d60}));
  STEWARD_ASSIGN_OR_RETURN(figures.ages.from_80,
                           count(born + "r.birth_date <= ? AND " + where, {d80}));
  STEWARD_ASSIGN_OR_RETURN(figures.ages.unknown,
                           count(born + "r.birth_date IS NULL AND " + where, {}));
  // The pyramid: per gender, born after the day 10·(i+1) years back and on or before 10·i.
  for (int i = 0; i < ResidentFigures::kPyramidBands; ++i) {
    std::string sql = born + "r.birth_date <= ? AND ";
    std::vector<Value> band = {today.YearsEarlier(10 * i).ToString()};
    if (i + 1 < ResidentFigures::kPyramidBands) {
      sql += "r.birth_date > ? AND ";
      band.emplace_back(today.YearsEarlier(10 * (i + 1)).ToString());
    }
    sql = "SELECT r.gender, count(*)" + sql.substr(std::string("SELECT count(*)").size()) + where +
          " GROUP BY r.gender";
    STEWARD_TRY(connection.QueryEach(sql, with(band), [&](const storage::RowView& row) {
      figures.age_pyramid[std::string(row.Text(0))][static_cast<size_t>(i)] = row.Int(1);
    }));
  }
  STEWARD_ASSIGN_OR_RETURN(
      figures.elderly_living_alone,
      count(born +
                "r.birth_date <= ? AND r.id IN (SELECT resident_id FROM resident_tag "
                "WHERE tag_code = 'lives_alone') AND " +
                where,
            {d60}));
  STEWARD_TRY(connection.QueryEach(
      "SELECT g.code, g.name, g.sensitive, count(*) FROM resident_tag t JOIN tag g ON g.code = "
      "t.tag_code JOIN resident r ON r.id = t.resident_id JOIN org_unit u ON u.id = r.unit_id "
      "WHERE r.deleted_at IS NULL AND " +
          where + " GROUP BY g.code, g.name, g.sensitive",
      params, [&](const storage::RowView& row) {
        figures.tags[std::string(row.Text(0))] = {std::string(row.Text(1)), row.Int(2) != 0,
                                                  row.Int(3)};
      }));
  STEWARD_TRY(connection.QueryEach(
      "SELECT h.assistance_type, count(DISTINCT h.id), count(m.id) FROM household h JOIN "
      "building b ON b.id = h.building_id JOIN org_unit u ON u.id = b.unit_id LEFT JOIN resident "
      "m ON m.household_id = h.id AND m.deleted_at IS NULL WHERE h.assistance_type IS NOT NULL "
      "AND " +
          where + " GROUP BY h.assistance_type",
      params, [&](const storage::RowView& row) {
        figures.assistance[std::string(row.Text(0))] = {row.Int(1), row.Int(2)};
      }));
  return figures;
}

class ResidentFiguresTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    demo::DemoOptions options;
    options.residents = kResidents;
    options.seed = 11;
    auto built = testing::BuildDemoCity(*database_, *vault_, ids_, clock_, options);
    ASSERT_TRUE(built) << built.error().ToString();
  }

  template <typename Fn>
  auto Read(Fn&& fn) {
    return database_->Read(std::forward<Fn>(fn));
  }

  std::vector<Id> Ids(const std::string& sql, std::vector<Value> params = {}) {
    std::vector<Id> ids;
    auto status = Read([&](Connection& connection) {
      return connection.QueryEach(sql, params,
                                  [&](const storage::RowView& row) { ids.push_back(row.Int(0)); });
    });
    EXPECT_TRUE(status) << sql;
    return ids;
  }

  int64_t Version(std::string_view table, Id id) {
    auto version = Read([&](Connection& connection) {
      return connection.QueryInt("SELECT version FROM " + std::string(table) + " WHERE id = ?",
                                 {id});
    });
    EXPECT_TRUE(version && *version);
    return version && *version ? **version : 0;
  }

  // Scopes to compare: the whole city, every street, some communities, grids and micro-grids
  // (current and retired), two communities at once, and nothing.
  std::vector<std::vector<UnitPathRange>> Scopes() {
    std::vector<std::vector<UnitPathRange>> scopes;
    auto add = [&](const std::string& sql) {
      auto status = Read([&](Connection& connection) {
        return connection.QueryEach(sql, {}, [&](const storage::RowView& row) {
          const std::string path(row.Text(0));
          scopes.push_back({{path, org::SubtreeUpperBound(path)}});
        });
      });
      EXPECT_TRUE(status) << sql;
    };
    add("SELECT path FROM org_unit WHERE kind IN ('city', 'street') ORDER BY path");
    add("SELECT path FROM org_unit WHERE kind = 'community' ORDER BY path LIMIT 5");
    add("SELECT path FROM org_unit WHERE kind = 'grid' ORDER BY path DESC LIMIT 4");
    add("SELECT path FROM org_unit WHERE kind = 'micro_grid' ORDER BY path LIMIT 4");
    add("SELECT path FROM org_unit WHERE valid_to IS NOT NULL ORDER BY path LIMIT 4");
    add("SELECT u.path FROM org_unit u WHERE u.id IN (SELECT b.unit_id FROM household h JOIN "
        "building b ON b.id = h.building_id WHERE h.assistance_type IS NOT NULL) ORDER BY u.path "
        "LIMIT 3");
    if (scopes.size() > 3) scopes.push_back({scopes[2][0], scopes[3][0]});
    scopes.push_back({});
    return scopes;
  }

  void ExpectMatchesSql(const ResidentFigures& figures, const std::string& when) {
    for (const Date& today : {clock_.Today(), Date{2031, 2, 28}}) {
      for (const auto& scope : Scopes()) {
        auto expected =
            Read([&](Connection& connection) { return Reference(connection, scope, today); });
        ASSERT_TRUE(expected) << expected.error().ToString();
        const std::string label =
            when + " on " + today.ToString() + ", " +
            (scope.empty() ? "empty scope"
                           : scope[0].low + " (+" + std::to_string(scope.size() - 1) + ")");
        EXPECT_EQ(ToJson(figures.Query(scope, today)).dump(1), ToJson(*expected).dump(1)) << label;
        EXPECT_EQ(figures.CountResidents(scope), expected->residents) << label;
      }
    }
  }

  Status CatchUp(ResidentFigures& figures) {
    return Read([&](Connection& connection) { return figures.CatchUp(connection); });
  }

  int64_t LastSeq() {
    auto last = Read([](Connection& connection) { return storage::LastChangeSeq(connection); });
    EXPECT_TRUE(last);
    return last ? *last : -1;
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("figures-test");
  std::unique_ptr<storage::Database> database_;
  WriteContext context_{"user:1", storage::Source::kConsole};
};

TEST_P(ResidentFiguresTest, FollowsTheChangeLogExactly) {
  ResidentFigures figures;
  ASSERT_TRUE(CatchUp(figures));
  EXPECT_EQ(figures.loads(), 1);
  EXPECT_EQ(figures.cursor(), LastSeq());
  ExpectMatchesSql(figures, "after the load");
  ASSERT_FALSE(HasFailure());

  registry::ResidentStore residents(*vault_, ids_, clock_);
  registry::PlaceStore places(ids_, clock_);
  org::OrgStore org(ids_, clock_);
  const std::vector<Id> micro_grids =
      Ids("SELECT id FROM org_unit WHERE kind = 'micro_grid' AND valid_to IS NULL ORDER BY path");
  const std::vector<Id> people =
      Ids("SELECT id FROM resident WHERE deleted_at IS NULL ORDER BY id LIMIT 40");
  const std::vector<Id> alone = Ids(
      "SELECT resident_id FROM resident_tag WHERE tag_code = 'lives_alone' ORDER BY resident_id "
      "LIMIT 3");
  const std::vector<Id> helped = Ids(
      "SELECT h.id FROM household h WHERE h.assistance_type IS NOT NULL AND EXISTS (SELECT 1 FROM "
      "resident r WHERE r.household_id = h.id AND r.deleted_at IS NULL) ORDER BY h.id LIMIT 3");
  const std::vector<Id> plain =
      Ids("SELECT h.id FROM household h WHERE h.assistance_type IS NULL AND EXISTS (SELECT 1 FROM "
          "resident r WHERE r.household_id = h.id AND r.deleted_at IS NULL) ORDER BY h.id LIMIT 2");
  ASSERT_GE(micro_grids.size(), 2u);
  ASSERT_GE(people.size(), 40u);
  ASSERT_EQ(alone.size(), 3u);
  ASSERT_EQ(helped.size(), 3u);
  ASSERT_EQ(plain.size(), 2u);
  const Id far_building =
      Ids("SELECT b.id FROM building b JOIN household h ON h.id = ? WHERE b.unit_id <> (SELECT "
          "unit_id FROM building WHERE id = h.building_id) ORDER BY b.id LIMIT 1",
          {helped[1]})
          .at(0);

  // Created: elderly living alone (one without a birth date) in a household with assistance.
  auto status = database_->Write(context_, [&](WriteTransaction& transaction) -> Status {
    for (int i = 0; i < 4; ++i) {
      registry::NewResident person;
      person.unit_id = micro_grids[0];
      person.household_id = helped[0];
      person.name = "新居民" + std::to_string(i);
      person.gender = i % 2 ? registry::Gender::kFemale : registry::Gender::kMale;
      if (i != 3) person.birth_date = Date{1940 + 20 * i, 11, 28 + i % 2};
      person.residence_status = registry::ResidenceStatus::kResidentOnly;
      person.tags = {"lives_alone", "disabled"};
      STEWARD_TRY(residents.Create(transaction, person));
    }
    return Ok();
  });
  ASSERT_TRUE(status) << status.error().ToString();

  // Updated: unit, status, birth date (into another band, then removed), tags, gender, household.
  auto update = [&](Id id, registry::ResidentPatch patch) {
    auto updated = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return residents.Update(transaction, id, Version("resident", id), patch);
    });
    ASSERT_TRUE(updated) << updated.error().ToString();
  };
  {
    registry::ResidentPatch patch;
    patch.unit_id = micro_grids[1];
    update(people[0], patch);
  }
  {
    registry::ResidentPatch patch;
    patch.residence_status = registry::ResidenceStatus::kRegisteredOnly;
    update(people[1], patch);
  }
  {
    registry::ResidentPatch patch;
    patch.birth_date = Date{1956, 11, 28};
    update(people[2], patch);
    patch.birth_date = std::optional<Date>();
    update(people[3], patch);
  }
  {
    registry::ResidentPatch patch;
    patch.tags = std::vector<std::string>{"lives_alone", "veteran", "key_group"};
    update(people[4], patch);
    patch.tags = std::vector<std::string>{};
    update(alone[0], patch);
  }
  {
    registry::ResidentPatch patch;
    patch.gender = registry::Gender::kFemale;
    patch.household_id = std::optional<Id>(helped[2]);
    update(people[5], patch);
    patch.household_id = std::optional<Id>();
    update(people[6], patch);
  }
  // Soft-deleted, one of them living alone.
  for (Id id : {people[7], alone[1]}) {
    auto deleted = database_->Write(context_, [&](WriteTransaction& transaction) {
      return residents.SoftDelete(transaction, id, Version("resident", id), "moved away");
    });
    ASSERT_TRUE(deleted) << deleted.error().ToString();
  }
  // Households: assistance given and taken away; one moved with its members to another
  // micro-grid.
  auto household = [&](Id id, registry::HouseholdPatch patch) {
    auto updated = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return places.UpdateHousehold(transaction, id, Version("household", id), patch);
    });
    ASSERT_TRUE(updated) << updated.error().ToString();
  };
  {
    registry::HouseholdPatch patch;
    patch.assistance = registry::AssistanceType::kExtremePoverty;
    household(plain[0], patch);
    patch.assistance = std::optional<registry::AssistanceType>();
    household(helped[2], patch);
    registry::HouseholdPatch move;
    move.building_id = far_building;
    move.room = "figures-1";
    household(helped[1], move);
  }
  // A grid moved to another community: a new unit, its buildings and residents move to it.
  const std::vector<Id> grid = Ids(
      "SELECT g.id, c.id FROM org_unit g JOIN org_unit c ON c.kind = 'community' AND c.id <> "
      "g.parent_id AND c.valid_to IS NULL WHERE g.kind = 'grid' AND g.valid_to IS NULL AND "
      "EXISTS (SELECT 1 FROM resident r JOIN org_unit m ON m.id = r.unit_id WHERE m.parent_id = "
      "g.id) ORDER BY g.path, c.path LIMIT 1");
  ASSERT_EQ(grid.size(), 1u);
  const Id community =
      Ids("SELECT c.id FROM org_unit g JOIN org_unit c ON c.kind = 'community' AND c.id <> "
          "g.parent_id AND c.valid_to IS NULL WHERE g.id = ? ORDER BY c.path LIMIT 1",
          {grid[0]})
          .at(0);
  auto moved = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org.Move(transaction, grid[0], community, clock_.Today());
  });
  ASSERT_TRUE(moved) << moved.error().ToString();

  ASSERT_TRUE(CatchUp(figures));
  EXPECT_EQ(figures.loads(), 1) << "the changes were applied, not reloaded";
  EXPECT_EQ(figures.cursor(), LastSeq());
  ExpectMatchesSql(figures, "after the changes");

  // A fresh load agrees with the caught-up index.
  ResidentFigures fresh;
  ASSERT_TRUE(CatchUp(fresh));
  const auto city = Scopes().front();
  EXPECT_EQ(ToJson(fresh.Query(city, clock_.Today())), ToJson(figures.Query(city, clock_.Today())));
}

TEST_P(ResidentFiguresTest, ReloadsAfterALargeBacklog) {
  ResidentFigures figures(ResidentFigures::Options{.reload_after = 100});
  ASSERT_TRUE(CatchUp(figures));
  EXPECT_EQ(figures.loads(), 1);
  const Id micro_grid =
      Ids("SELECT id FROM org_unit WHERE kind = 'micro_grid' AND valid_to IS NULL ORDER BY path")
          .at(0);
  registry::ResidentStore residents(*vault_, ids_, clock_);
  auto write = [&](int count) {
    auto created = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      std::vector<registry::NewResident> people(count);
      for (int i = 0; i < count; ++i) {
        people[i].unit_id = micro_grid;
        people[i].name = "批量" + std::to_string(i);
        people[i].birth_date = Date{1930 + i % 90, 1 + i % 12, 1 + i % 28};
        if (i % 3 == 0) people[i].tags = {"lives_alone"};
      }
      return residents.CreateMany(transaction, people);
    });
    ASSERT_TRUE(created) << created.error().ToString();
  };
  write(150);  // more than the threshold: reloaded
  ASSERT_TRUE(CatchUp(figures));
  EXPECT_EQ(figures.loads(), 2);
  EXPECT_EQ(figures.cursor(), LastSeq());
  ExpectMatchesSql(figures, "after the reload");
  write(30);  // below it: applied
  ASSERT_TRUE(CatchUp(figures));
  EXPECT_EQ(figures.loads(), 2);
  ExpectMatchesSql(figures, "after a small batch");
}

INSTANTIATE_TEST_SUITE_P(Engines, ResidentFiguresTest,
                         ::testing::ValuesIn(testing::EnginesUnderTest()), testing::EngineTestName);

}  // namespace
}  // namespace steward
