// Places and dictionaries on both engines: editing complexes and households with versions,
// deleting only empty places (the row kept in the change log, remembering records let go), and
// the dictionary's fixed and open codes.
#include <gtest/gtest.h>

#include "crypto/pii_vault.hpp"
#include "org/unit.hpp"
#include "registry/dictionary.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"
#include "registry/staff.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using org::UnitKind;
using registry::PlaceStore;
using storage::Connection;
using storage::Engine;
using storage::WriteContext;
using storage::WriteTransaction;
using storage::WriteValue;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time

// Two communities; the first has two micro-grids (one grid), the second one.
class PlaceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    const Id city = MustCreateUnit(std::nullopt, UnitKind::kCity, "331181", "龙泉市");
    const Id street = MustCreateUnit(city, UnitKind::kStreet, "331181001", "龙渊街道");
    community_ = MustCreateUnit(street, UnitKind::kCommunity, "331181001005", "城东社区");
    other_community_ = MustCreateUnit(street, UnitKind::kCommunity, "331181001006", "城西社区");
    const Id grid = MustCreateUnit(community_, UnitKind::kGrid, "", "城东社区第1网格");
    micro_ = MustCreateUnit(grid, UnitKind::kMicroGrid, "", "第1微网格");
    other_micro_ = MustCreateUnit(grid, UnitKind::kMicroGrid, "", "第2微网格");
    auto created = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return places_.CreateComplexes(transaction,
                                     std::vector<registry::NewComplex>{{community_, "龙渊小区"}});
    });
    ASSERT_TRUE(created) << created.error().ToString();
    complex_ = created->front();
    building_ = MustCreateBuilding(micro_, complex_, "1幢");
    other_building_ = MustCreateBuilding(other_micro_, std::nullopt, "2幢");
    auto households = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      registry::NewHousehold household;
      household.building_id = building_;
      household.unit_no = "1";
      household.room = "101";
      return places_.CreateHouseholds(transaction, std::vector{household});
    });
    ASSERT_TRUE(households) << households.error().ToString();
    household_ = households->front();
  }

  Id MustCreateUnit(std::optional<Id> parent, UnitKind kind, std::string code, std::string name) {
    auto unit = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      org::OrgStore org(ids_, clock_);
      return org.Create(transaction,
                        org::NewUnit{parent, kind, "", std::move(code), std::move(name), "",
                                     std::nullopt, org::kSinceEver});
    });
    EXPECT_TRUE(unit) << unit.error().ToString();
    return unit ? unit->id : 0;
  }

  Id MustCreateBuilding(Id unit, std::optional<Id> complex, std::string name) {
    auto ids = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      registry::NewBuilding building;
      building.unit_id = unit;
      building.complex_id = complex;
      building.name = std::move(name);
      return places_.CreateBuildings(transaction, std::vector{building});
    });
    EXPECT_TRUE(ids) << ids.error().ToString();
    return ids ? ids->front() : 0;
  }

  Id MustCreateResident(std::optional<Id> household, Id unit) {
    auto id = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      registry::NewResident resident;
      resident.household_id = household;
      resident.unit_id = unit;
      resident.name = "叶建国";
      return residents_.Create(transaction, resident);
    });
    EXPECT_TRUE(id) << id.error().ToString();
    return id ? *id : 0;
  }

  // Runs `fn` (a store call) in one transaction; its error, if any.
  template <typename Fn>
  Status Write(Fn&& fn) {
    auto written = database_->Write(context_, [&](WriteTransaction& transaction) -> Status {
      STEWARD_TRY(fn(transaction));
      return Ok();
    });
    if (!written) return tl::unexpected(written.error());
    return Ok();
  }

  int64_t Int(std::string sql, Id id) {
    auto value =
        database_->Read([&](Connection& connection) { return connection.QueryInt(sql, {id}); });
    EXPECT_TRUE(value) << value.error().ToString();
    return value && *value ? **value : -1;
  }

  std::vector<storage::ChangeEntry> History(std::string_view entity, Id id) {
    auto history = database_->Read(
        [&](Connection& connection) { return storage::ReadHistory(connection, entity, id); });
    EXPECT_TRUE(history) << history.error().ToString();
    return history ? *history : std::vector<storage::ChangeEntry>{};
  }

  static std::string DetailCode(const Status& status) {
    return status || status.error().details.empty() ? "" : status.error().details[0].code;
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("place-test");
  std::unique_ptr<storage::Database> database_;
  WriteContext context_{"user:7", storage::Source::kConsole};
  PlaceStore places_{ids_, clock_};
  registry::ResidentStore residents_{*vault_, ids_, clock_};
  Id community_ = 0, other_community_ = 0, micro_ = 0, other_micro_ = 0;
  Id complex_ = 0, building_ = 0, other_building_ = 0, household_ = 0;
};

TEST_P(PlaceTest, ComplexEditsAreVersionedAndKeepTheirBuildingsInTheCommunity) {
  registry::ComplexPatch patch;
  patch.name = "龙渊新村";
  patch.owners_committee = "龙渊业委会";
  auto version = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return places_.UpdateComplex(transaction, complex_, 1, patch);
  });
  ASSERT_TRUE(version) << version.error().ToString();
  EXPECT_EQ(*version, 2);
  auto stale =
      Write([&](WriteTransaction& t) { return places_.UpdateComplex(t, complex_, 1, patch); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  const auto history = History("complex", complex_);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].fields["name"]["old"], "龙渊小区");
  EXPECT_EQ(history[1].fields["owners_committee"]["new"], "龙渊业委会");
  EXPECT_EQ(history[1].actor, "user:7");

  // Its building lies in the first community: the complex cannot move to the other one.
  registry::ComplexPatch move;
  move.unit_id = other_community_;
  auto moved =
      Write([&](WriteTransaction& t) { return places_.UpdateComplex(t, complex_, 2, move); });
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(DetailCode(moved), "place.buildings_elsewhere");
  EXPECT_EQ(Int("SELECT unit_id FROM complex WHERE id = ?", complex_), community_);
}

TEST_P(PlaceTest, HouseholdMovesTakeItsResidentsAlongAndCheckItsHead) {
  const Id member = MustCreateResident(household_, micro_);
  const Id stranger = MustCreateResident(std::nullopt, micro_);
  registry::HouseholdPatch head;
  head.head_resident_id = stranger;
  auto refused =
      Write([&](WriteTransaction& t) { return places_.UpdateHousehold(t, household_, 1, head); });
  EXPECT_EQ(DetailCode(refused), "household.head_not_member");
  head.head_resident_id = member;
  head.assistance = registry::AssistanceType::kNearPoverty;
  head.assistance_from = Date{2026, 1, 1};
  ASSERT_TRUE(
      Write([&](WriteTransaction& t) { return places_.UpdateHousehold(t, household_, 1, head); }));

  // Into the other micro-grid's building, room 101 of unit 1 there is taken: refused.
  auto taken = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    registry::NewHousehold household;
    household.building_id = other_building_;
    household.unit_no = "1";
    household.room = "101";
    return places_.CreateHouseholds(transaction, std::vector{household});
  });
  ASSERT_TRUE(taken);
  registry::HouseholdPatch move;
  move.building_id = other_building_;
  auto duplicate =
      Write([&](WriteTransaction& t) { return places_.UpdateHousehold(t, household_, 2, move); });
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  move.room = "102";
  auto update = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return places_.UpdateHousehold(transaction, household_, 2, move);
  });
  ASSERT_TRUE(update) << update.error().ToString();
  EXPECT_EQ(update->version, 3);
  EXPECT_EQ(update->residents_moved, 1);
  EXPECT_EQ(Int("SELECT unit_id FROM resident WHERE id = ?", member), other_micro_);
  EXPECT_EQ(Int("SELECT unit_id FROM resident WHERE id = ?", stranger), micro_);
  const auto history = History("resident", member);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].fields["unit_id"]["new"], other_micro_);
  const auto household_history = History("household", household_);
  ASSERT_EQ(household_history.size(), 3u);
  EXPECT_EQ(household_history[1].fields["assistance_type"]["new"], "near_poverty");
  EXPECT_EQ(household_history[2].fields["room"]["new"], "102");
}

TEST_P(PlaceTest, OnlyEmptyPlacesAreDeletedAndTheLogKeepsTheRow) {
  const Id member = MustCreateResident(household_, micro_);
  auto refused = Write([&](WriteTransaction& t) { return places_.DeleteComplex(t, complex_, 1); });
  EXPECT_EQ(DetailCode(refused), "place.has_buildings");
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  refused = Write([&](WriteTransaction& t) { return places_.DeleteBuilding(t, building_, 1); });
  EXPECT_EQ(DetailCode(refused), "place.has_households");
  refused = Write([&](WriteTransaction& t) { return places_.DeleteHousehold(t, household_, 1); });
  EXPECT_EQ(DetailCode(refused), "place.has_residents");
  EXPECT_NE(refused.error().message.find("1"), std::string::npos);

  // A deleted resident lets go of the household; a stale version is a conflict.
  ASSERT_TRUE(
      Write([&](WriteTransaction& t) { return residents_.SoftDelete(t, member, 1, "迁出"); }));
  auto stale =
      Write([&](WriteTransaction& t) { return places_.DeleteHousehold(t, household_, 2); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(
      Write([&](WriteTransaction& t) { return places_.DeleteHousehold(t, household_, 1); }));
  EXPECT_EQ(Int("SELECT count(*) FROM household WHERE id = ?", household_), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM resident WHERE id = ? AND household_id IS NULL", member), 1);
  const auto history = History("household", household_);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].op, "delete");
  EXPECT_EQ(history[1].version, 2);
  EXPECT_EQ(history[1].fields["room"], "101");
  EXPECT_EQ(history[1].fields["building_id"], building_);

  // A current building leader keeps the building; an ended assignment lets go of it.
  registry::StaffStore staff(*vault_, ids_, clock_);
  auto leader = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return staff.Assign(transaction, registry::NewStaff{micro_, "building_leader", "李楼长",
                                                        std::nullopt, std::nullopt, building_});
  });
  ASSERT_TRUE(leader) << leader.error().ToString();
  refused = Write([&](WriteTransaction& t) { return places_.DeleteBuilding(t, building_, 1); });
  EXPECT_EQ(DetailCode(refused), "place.has_staff");
  ASSERT_TRUE(Write([&](WriteTransaction& t) { return staff.End(t, micro_, leader->id); }));
  ASSERT_TRUE(Write([&](WriteTransaction& t) { return places_.DeleteBuilding(t, building_, 1); }));
  EXPECT_EQ(Int("SELECT count(*) FROM unit_staff WHERE id = ? AND building_id IS NULL", leader->id),
            1);
  ASSERT_TRUE(Write([&](WriteTransaction& t) { return places_.DeleteComplex(t, complex_, 1); }));
  EXPECT_EQ(History("complex", complex_).back().fields["name"], "龙渊小区");
  auto missing = Write([&](WriteTransaction& t) { return places_.DeleteComplex(t, complex_, 1); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(PlaceTest, DictionariesTakeNewCodesOnlyWhenOpenAndKeepBuiltInItemsEnabled) {
  registry::DictionaryStore store(ids_, clock_);
  auto fixed = Write([&](WriteTransaction& t) {
    return store.Add(t, "gender", registry::NewDictionaryItem{"other", "其他"});
  });
  EXPECT_EQ(DetailCode(fixed), "dict.fixed_codes");
  auto unknown = Write([&](WriteTransaction& t) {
    return store.Add(t, "colour", registry::NewDictionaryItem{"red", "红"});
  });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto added = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store.Add(transaction, "relation_to_head", registry::NewDictionaryItem{"儿媳"});
  });
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_EQ(added->label, "儿媳");
  EXPECT_EQ(added->sort_order, 110);  // after 其他 (100)
  auto duplicate = Write([&](WriteTransaction& t) {
    return store.Add(t, "relation_to_head", registry::NewDictionaryItem{"儿媳"});
  });
  EXPECT_EQ(DetailCode(duplicate), "dict.duplicate");

  registry::DictionaryItemPatch relabel;
  relabel.label = "男性";
  relabel.sort_order = 30;
  auto male = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return store.Update(transaction, "gender", "male", 1, relabel);
  });
  ASSERT_TRUE(male) << male.error().ToString();
  EXPECT_EQ((std::pair{male->label, male->version}), (std::pair{std::string("男性"), int64_t{2}}));
  auto stale =
      Write([&](WriteTransaction& t) { return store.Update(t, "gender", "male", 1, relabel); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  registry::DictionaryItemPatch disable;
  disable.enabled = false;
  EXPECT_EQ(DetailCode(Write([&](WriteTransaction& t) {
              return store.Update(t, "gender", "female", 1, disable);
            })),
            "dict.fixed_codes");
  EXPECT_EQ(DetailCode(Write([&](WriteTransaction& t) {
              return store.Update(t, "relation_to_head", "户主", 1, disable);
            })),
            "dict.builtin");
  ASSERT_TRUE(Write([&](WriteTransaction& t) {
    return store.Update(t, "relation_to_head", "儿媳", 1, disable);
  }));

  // Lists: in order, disabled items only when asked; a disabled code no longer checks.
  auto lists = database_->Read([&](Connection& connection) -> Result<std::pair<size_t, size_t>> {
    STEWARD_ASSIGN_OR_RETURN(auto shown,
                             registry::DictionaryStore::List(connection, "relation_to_head",
                                                             registry::DisabledItems::kShown));
    STEWARD_ASSIGN_OR_RETURN(auto hidden,
                             registry::DictionaryStore::List(connection, "relation_to_head",
                                                             registry::DisabledItems::kHidden));
    return std::pair{shown.size(), hidden.size()};
  });
  ASSERT_TRUE(lists) << lists.error().ToString();
  EXPECT_EQ(*lists, (std::pair<size_t, size_t>{11, 10}));
  auto genders = database_->Read([&](Connection& connection) {
    return registry::DictionaryStore::List(connection, "gender", registry::DisabledItems::kHidden);
  });
  ASSERT_TRUE(genders);
  ASSERT_EQ(genders->size(), 2u);
  EXPECT_EQ(genders->front().code, "female");  // male moved after it
  auto checked = database_->Read([&](Connection& connection) -> Status {
    STEWARD_TRY(registry::CheckDictionaryCode(connection, "relation_to_head", "配偶", "relation"));
    return registry::CheckDictionaryCode(connection, "relation_to_head", "儿媳", "relation");
  });
  EXPECT_EQ(DetailCode(checked), "dict.unknown_code");
  EXPECT_EQ(checked.error().details[0].field, "relation");
}

INSTANTIATE_TEST_SUITE_P(Engines, PlaceTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
