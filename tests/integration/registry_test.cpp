// Residents on both engines: sealed personal data, lookups by hash, optimistic versions, history,
// key rotation with stored rows, and the tag dictionary.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <latch>
#include <thread>

#include "crypto/pii_vault.hpp"
#include "org/unit.hpp"
#include "registry/id_number.hpp"
#include "registry/phone.hpp"
#include "registry/resident.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using registry::NewResident;
using registry::PhoneInfo;
using registry::PhoneKind;
using registry::Resident;
using registry::ResidentPatch;
using registry::ResidentStore;
using storage::Connection;
using storage::Engine;
using storage::Source;
using storage::WriteContext;
using storage::WriteTransaction;
using storage::WriteValue;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time

// Valid numbers (MOD 11-2 check characters computed by hand).
constexpr std::string_view kIdNumber = "33118119800101105X";       // male, born 1980-01-01
constexpr std::string_view kOtherIdNumber = "331181199002151008";  // female, born 1990-02-15
constexpr std::string_view kMobile = "19900000001";
constexpr std::string_view kLandline = "0578-7123456";

PhoneInfo Phone(std::string_view text) {
  auto phone = registry::NormalizePhone(text);
  EXPECT_TRUE(phone) << text;
  return phone ? *phone : PhoneInfo{};
}

// Every row counted, for "nothing changed" checks.
struct Snapshot {
  int64_t residents = 0, phones = 0, tags = 0, changes = 0, version_sum = 0;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class RegistryTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { OpenDatabase({}); }

  void OpenDatabase(storage::DatabaseOptions options) {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_, options);
    ASSERT_TRUE(database_);
    auto unit = WriteValue(*database_, WriteContext{}, [&](WriteTransaction& transaction) {
      org::OrgStore org(ids_, clock_);
      return org.Create(transaction,
                        org::NewUnit{std::nullopt, org::UnitKind::kCity, "县级市", "331181",
                                     "龙泉市", "", std::nullopt, org::kSinceEver});
    });
    ASSERT_TRUE(unit) << unit.error().ToString();
    unit_id_ = unit->id;
  }

  NewResident Person(std::string name, std::optional<std::string_view> id_number) {
    NewResident resident;
    resident.unit_id = unit_id_;
    resident.name = std::move(name);
    if (id_number) {
      auto info = registry::CheckIdNumber(*id_number, clock_.Today());
      EXPECT_TRUE(info) << info.error().ToString();
      if (info) {
        resident.id_number = info->normalized;
        resident.birth_date = info->birth_date;
        resident.gender = info->gender;
      }
    }
    resident.ethnicity = "汉族";
    resident.hukou_address = "浙江省龙泉市龙渊街道";
    return resident;
  }

  Result<Id> Create(ResidentStore& store, const NewResident& resident,
                    const WriteContext& context = {"user:3", Source::kImport}) {
    return WriteValue(*database_, context, [&](WriteTransaction& transaction) {
      return store.Create(transaction, resident);
    });
  }

  Result<Resident> Get(ResidentStore& store, Id id) {
    return database_->Read([&](Connection& connection) { return store.Get(connection, id); });
  }

  Result<Resident> Update(ResidentStore& store, Id id, int64_t version, const ResidentPatch& patch,
                          const WriteContext& context) {
    return WriteValue(*database_, context, [&](WriteTransaction& transaction) {
      return store.Update(transaction, id, version, patch);
    });
  }

  Result<int64_t> SoftDelete(ResidentStore& store, Id id, int64_t version, std::string reason,
                             const WriteContext& context) {
    return database_->Write(context, [&](WriteTransaction& transaction) -> Status {
      return store.SoftDelete(transaction, id, version, reason);
    });
  }

  std::optional<Id> FindByIdNumber(ResidentStore& store, std::string_view number) {
    auto found = database_->Read(
        [&](Connection& connection) { return store.FindByIdNumber(connection, number); });
    EXPECT_TRUE(found) << found.error().ToString();
    return found ? *found : std::nullopt;
  }

  std::vector<Id> FindByPhone(ResidentStore& store, std::string_view phone) {
    auto found = database_->Read(
        [&](Connection& connection) { return store.FindByPhone(connection, phone); });
    EXPECT_TRUE(found) << found.error().ToString();
    return found ? *found : std::vector<Id>{};
  }

  std::vector<storage::ChangeEntry> History(Id id) {
    auto history = database_->Read(
        [&](Connection& connection) { return storage::ReadHistory(connection, "resident", id); });
    EXPECT_TRUE(history) << history.error().ToString();
    return history ? *history : std::vector<storage::ChangeEntry>{};
  }

  Snapshot TakeSnapshot() {
    auto snapshot = database_->Read([](Connection& connection) -> Result<Snapshot> {
      Snapshot s;
      STEWARD_ASSIGN_OR_RETURN(auto residents,
                               connection.QueryInt("SELECT count(*) FROM resident"));
      STEWARD_ASSIGN_OR_RETURN(auto phones,
                               connection.QueryInt("SELECT count(*) FROM resident_phone"));
      STEWARD_ASSIGN_OR_RETURN(auto tags, connection.QueryInt("SELECT count(*) FROM resident_tag"));
      STEWARD_ASSIGN_OR_RETURN(auto changes,
                               connection.QueryInt("SELECT count(*) FROM change_log"));
      STEWARD_ASSIGN_OR_RETURN(auto versions,
                               connection.QueryInt("SELECT sum(version) FROM resident"));
      s.residents = residents.value_or(0);
      s.phones = phones.value_or(0);
      s.tags = tags.value_or(0);
      s.changes = changes.value_or(0);
      s.version_sum = versions.value_or(0);
      return s;
    });
    EXPECT_TRUE(snapshot) << snapshot.error().ToString();
    return snapshot ? *snapshot : Snapshot{};
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("seed");
  ResidentStore store_{*vault_, ids_, clock_};
  std::unique_ptr<storage::Database> database_;
  Id unit_id_ = 0;
};

TEST_P(RegistryTest, PersonalDataIsSealedMaskedAndRevealable) {
  NewResident person = Person("叶建国", kIdNumber);
  person.phones = {Phone(kMobile), Phone("0578 712 3456")};
  person.tags = {"party_member", "lives_alone", "party_member"};
  auto id = Create(store_, person);
  ASSERT_TRUE(id) << id.error().ToString();

  auto resident = Get(store_, *id);
  ASSERT_TRUE(resident) << resident.error().ToString();
  EXPECT_EQ(resident->name, "叶建国");
  EXPECT_EQ(resident->unit_id, unit_id_);
  EXPECT_EQ(resident->birth_date, std::optional<std::string>("1980-01-01"));
  EXPECT_EQ(resident->gender, registry::Gender::kMale);
  EXPECT_EQ(resident->version, 1);
  EXPECT_EQ(resident->tags, (std::vector<std::string>{"lives_alone", "party_member"}));

  // Masked for display.
  EXPECT_EQ(resident->id_number_masked, std::optional<std::string>("3311**********105X"));
  ASSERT_EQ(resident->phones.size(), 2u);
  EXPECT_EQ(resident->phones[0].kind, PhoneKind::kMobile);
  EXPECT_EQ(resident->phones[0].masked, "199****0001");
  EXPECT_EQ(resident->phones[1].kind, PhoneKind::kLandline);
  EXPECT_EQ(resident->phones[1].masked, "0578-***3456");

  // Sealed values are not the plain text and name the vault's key.
  ASSERT_TRUE(resident->id_number_sealed);
  EXPECT_EQ(resident->id_number_sealed->find(kIdNumber), std::string::npos);
  EXPECT_EQ(crypto::PiiVault::KeyIdOf(*resident->id_number_sealed), "k1");
  EXPECT_EQ(resident->phones[0].sealed.find(kMobile), std::string::npos);

  // And they open to the plain values.
  auto number = store_.RevealIdNumber(*resident);
  ASSERT_TRUE(number) << number.error().ToString();
  EXPECT_EQ(*number, kIdNumber);
  auto mobile = store_.RevealPhone(resident->phones[0]);
  ASSERT_TRUE(mobile);
  EXPECT_EQ(*mobile, kMobile);
  auto landline = store_.RevealPhone(resident->phones[1]);
  ASSERT_TRUE(landline);
  EXPECT_EQ(*landline, kLandline);

  // The change log keeps the sealed values, not the plain ones.
  auto history = History(*id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].fields["id_number"], *resident->id_number_sealed);
  ASSERT_EQ(history[0].fields["phones"].size(), 2u);
  EXPECT_EQ(history[0].fields["phones"][0], resident->phones[0].sealed);

  // The plain values appear in no cell of any table that holds them in some form.
  const std::vector<std::string> secrets = {std::string(kIdNumber), std::string(kMobile), "7123456",
                                            "05787123456"};
  int cells = 0;
  for (const char* table : {"resident", "resident_phone", "change_log"}) {
    auto scanned = database_->Read([&](Connection& connection) -> Status {
      return connection.QueryEach(
          std::string("SELECT * FROM ") + table, {}, [&](const storage::RowView& row) {
            for (size_t column = 0; column < row.size(); ++column) {
              if (row.IsNull(column)) continue;
              const std::string_view cell = row.Text(column);
              ++cells;
              for (const auto& secret : secrets) {
                EXPECT_EQ(cell.find(secret), std::string_view::npos)
                    << table << " column " << column << " holds a plain value";
              }
            }
          });
    });
    ASSERT_TRUE(scanned) << scanned.error().ToString();
  }
  EXPECT_GT(cells, 20);  // the scan saw the rows
}

TEST_P(RegistryTest, LookupsByHashAndUniqueLiveIdNumbers) {
  NewResident first = Person("叶建国", kIdNumber);
  first.phones = {Phone(kMobile)};
  auto first_id = Create(store_, first);
  ASSERT_TRUE(first_id) << first_id.error().ToString();
  NewResident other = Person("毛丽华", kOtherIdNumber);
  other.phones = {Phone(kMobile), Phone(kLandline)};  // a shared family phone
  auto other_id = Create(store_, other);
  ASSERT_TRUE(other_id) << other_id.error().ToString();

  EXPECT_EQ(FindByIdNumber(store_, kIdNumber), *first_id);
  EXPECT_EQ(FindByIdNumber(store_, kOtherIdNumber), *other_id);
  EXPECT_EQ(FindByIdNumber(store_, "331181198001011066"), std::nullopt);
  EXPECT_EQ(FindByPhone(store_, kMobile), (std::vector<Id>{*first_id, *other_id}));
  EXPECT_EQ(FindByPhone(store_, kLandline), std::vector<Id>{*other_id});
  EXPECT_TRUE(FindByPhone(store_, "13800138000").empty());

  // A second live resident with the same number is refused, and nothing is written.
  const Snapshot before = TakeSnapshot();
  auto duplicate = Create(store_, Person("叶建民", kIdNumber));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists) << duplicate.error().ToString();
  EXPECT_EQ(duplicate.error().message.find(kIdNumber), std::string::npos);
  EXPECT_EQ(TakeSnapshot(), before);

  // Once the first is deleted, the number is free again, and the deleted one is not found.
  auto deleted = SoftDelete(store_, *first_id, 1, "迁出", WriteContext{"user:7", Source::kConsole});
  ASSERT_TRUE(deleted) << deleted.error().ToString();
  EXPECT_EQ(FindByIdNumber(store_, kIdNumber), std::nullopt);
  EXPECT_EQ(FindByPhone(store_, kMobile), std::vector<Id>{*other_id});
  auto reused = Create(store_, Person("叶建民", kIdNumber));
  ASSERT_TRUE(reused) << reused.error().ToString();
  EXPECT_EQ(FindByIdNumber(store_, kIdNumber), *reused);

  // A deleted resident reads back as deleted and cannot be updated.
  auto gone = Get(store_, *first_id);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->deleted_reason, std::optional<std::string>("迁出"));
  EXPECT_EQ(gone->version, 2);
  ResidentPatch patch;
  patch.notes = "还在";
  EXPECT_FALSE(Update(store_, *first_id, 2, patch, {"user:7", Source::kConsole}));
}

TEST_P(RegistryTest, UpdateBumpsVersionAndStaleVersionIsConflict) {
  NewResident person = Person("叶建国", kIdNumber);
  person.phones = {Phone(kMobile)};
  person.tags = {"party_member"};
  auto id = Create(store_, person);
  ASSERT_TRUE(id) << id.error().ToString();
  clock_.Advance(60'000);

  ResidentPatch patch;
  patch.name = "叶建华";
  patch.notes = "搬到三楼";
  patch.tags = std::vector<std::string>{"party_member", "veteran"};
  const WriteContext console{"user:7", Source::kConsole};
  auto updated = Update(store_, *id, 1, patch, console);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->name, "叶建华");
  EXPECT_EQ(updated->notes, "搬到三楼");
  EXPECT_EQ(updated->tags, (std::vector<std::string>{"party_member", "veteran"}));
  EXPECT_EQ(updated->phones.size(), 1u);  // untouched fields stay

  auto history = History(*id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].op, "update");
  EXPECT_EQ(history[1].version, 2);
  EXPECT_EQ(history[1].actor, "user:7");
  EXPECT_EQ(history[1].source, "console");
  EXPECT_EQ(history[1].at_millis, kNowMillis + 60'000);
  EXPECT_EQ(history[1].fields["name"]["old"], "叶建国");
  EXPECT_EQ(history[1].fields["name"]["new"], "叶建华");
  EXPECT_EQ(history[1].fields["notes"]["new"], "搬到三楼");
  EXPECT_EQ(history[1].fields["tags"]["new"], nlohmann::json({"party_member", "veteran"}));
  EXPECT_FALSE(history[1].fields.contains("phones"));
  EXPECT_FALSE(history[1].fields.contains("hukou_address"));

  // The same update from the stale version: conflict, and nothing changes.
  const Snapshot before = TakeSnapshot();
  ResidentPatch stale;
  stale.name = "叶建军";
  auto conflict = Update(store_, *id, 1, stale, console);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(TakeSnapshot(), before);
  auto after = Get(store_, *id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->name, "叶建华");
  EXPECT_EQ(after->version, 2);

  // A patch that changes nothing writes nothing.
  ResidentPatch same;
  same.name = "叶建华";
  auto unchanged = Update(store_, *id, 2, same, console);
  ASSERT_TRUE(unchanged) << unchanged.error().ToString();
  EXPECT_EQ(unchanged->version, 2);
  EXPECT_EQ(TakeSnapshot(), before);

  // Changing the ID number and phones reseals them; the old number no longer finds anyone.
  ResidentPatch personal;
  personal.id_number = std::optional<std::string>(std::string(kOtherIdNumber));
  personal.phones = std::vector<PhoneInfo>{Phone(kLandline)};
  auto resealed = Update(store_, *id, 2, personal, console);
  ASSERT_TRUE(resealed) << resealed.error().ToString();
  EXPECT_EQ(resealed->version, 3);
  EXPECT_EQ(resealed->id_number_masked, std::optional<std::string>("3311**********1008"));
  auto number = store_.RevealIdNumber(*resealed);
  ASSERT_TRUE(number);
  EXPECT_EQ(*number, kOtherIdNumber);
  EXPECT_EQ(FindByIdNumber(store_, kIdNumber), std::nullopt);
  EXPECT_EQ(FindByIdNumber(store_, kOtherIdNumber), *id);
  EXPECT_TRUE(FindByPhone(store_, kMobile).empty());
  EXPECT_EQ(FindByPhone(store_, kLandline), std::vector<Id>{*id});
  history = History(*id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_NE(history[2].fields["id_number"]["old"], history[2].fields["id_number"]["new"]);
  EXPECT_EQ(history[2].fields.dump().find(kOtherIdNumber), std::string::npos);
}

// PostgreSQL only: waits until a session of this database waits for a lock held by another.
// Polls the server's own view (pg_stat_activity) rather than guessing with a fixed delay.
bool SawLockWaiter(storage::Database& database) {
  for (int attempt = 0; attempt < 5000; ++attempt) {
    auto waiting = database.Read([](Connection& connection) {
      return connection.QueryInt(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
          "wait_event_type = 'Lock'");
    });
    if (waiting && waiting->value_or(0) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Two updates of one resident, both based on version 1, from two threads. On PostgreSQL the
// interleaving is forced to the racy one: A updates and holds its transaction open; B reads the
// same version 1, runs its update and blocks on A's locks; only then does A commit. On SQLite the
// single writer path runs them one after the other. results[0] is A's, results[1] is B's.
void RaceTwoUpdates(storage::Database& database, ResidentStore& store, Id id,
                    const ResidentPatch& first, const ResidentPatch& second,
                    std::vector<Result<Resident>>* results) {
  const bool parallel_writers = database.engine() == Engine::kPostgres;
  std::latch both_inside(2), a_updated(1), b_blocked(1);
  std::vector<std::optional<Result<Resident>>> out(2);
  std::thread a([&] {
    out[0] = WriteValue(database, WriteContext{"user:1", Source::kConsole},
                        [&](WriteTransaction& transaction) {
                          if (parallel_writers) both_inside.arrive_and_wait();
                          auto updated = store.Update(transaction, id, 1, first);
                          if (parallel_writers) {
                            a_updated.count_down();
                            b_blocked.wait();
                          }
                          return updated;
                        });
  });
  std::thread b([&] {
    out[1] = WriteValue(database, WriteContext{"user:2", Source::kConsole},
                        [&](WriteTransaction& transaction) {
                          if (parallel_writers) {
                            both_inside.arrive_and_wait();
                            a_updated.wait();
                          }
                          return store.Update(transaction, id, 1, second);
                        });
  });
  if (parallel_writers) {
    a_updated.wait();
    EXPECT_TRUE(SawLockWaiter(database)) << "B never waited for A's locks";
    b_blocked.count_down();
  }
  a.join();
  b.join();
  for (auto& result : out) results->push_back(std::move(*result));
}

TEST_P(RegistryTest, ConcurrentUpdatesFromOneVersionLetExactlyOneWin) {
  storage::DatabaseOptions options;
  options.write_connections = 4;
  OpenDatabase(options);
  NewResident person = Person("叶建国", kIdNumber);
  auto id = Create(store_, person);
  ASSERT_TRUE(id) << id.error().ToString();

  ResidentPatch to_a, to_b;
  to_a.name = "叶甲";
  to_b.name = "叶乙";
  std::vector<Result<Resident>> results;
  RaceTwoUpdates(*database_, store_, *id, to_a, to_b, &results);
  ASSERT_EQ(results.size(), 2u);
  int wins = 0, conflicts = 0;
  std::string winner;
  for (const auto& result : results) {
    if (result) {
      ++wins;
      winner = result->name;
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kConflict) << result.error().ToString();
      if (result.error().code == ErrorCode::kConflict) ++conflicts;
    }
  }
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(conflicts, 1);
  auto stored = Get(store_, *id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->name, winner);
  EXPECT_EQ(History(*id).size(), 2u);
}

// The same race when both updates replace phones and tags (rows in other tables): the loser must
// still get kConflict and leave the winner's phones and tags alone.
TEST_P(RegistryTest, ConcurrentUpdatesOfPhonesAndTagsLetExactlyOneWin) {
  storage::DatabaseOptions options;
  options.write_connections = 4;
  OpenDatabase(options);
  NewResident person = Person("叶建国", kIdNumber);
  person.phones = {Phone(kMobile)};
  person.tags = {"party_member"};
  auto id = Create(store_, person);
  ASSERT_TRUE(id) << id.error().ToString();

  ResidentPatch to_a, to_b;
  to_a.phones = std::vector<PhoneInfo>{Phone("19900000002")};
  to_a.tags = std::vector<std::string>{"veteran"};
  to_b.phones = std::vector<PhoneInfo>{Phone("19900000003")};
  to_b.tags = std::vector<std::string>{"veteran", "disabled"};
  std::vector<Result<Resident>> results;
  RaceTwoUpdates(*database_, store_, *id, to_a, to_b, &results);
  ASSERT_EQ(results.size(), 2u);
  int wins = 0, conflicts = 0;
  std::vector<std::string> winner_tags;
  for (const auto& result : results) {
    if (result) {
      ++wins;
      winner_tags = result->tags;
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kConflict) << result.error().ToString();
      if (result.error().code == ErrorCode::kConflict) ++conflicts;
    }
  }
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(conflicts, 1);
  auto stored = Get(store_, *id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->phones.size(), 1u);
  EXPECT_EQ(stored->tags, winner_tags);
}

TEST_P(RegistryTest, HistoryListsCreateUpdateDeleteWithTheirSources) {
  auto id = Create(store_, Person("叶建国", kIdNumber), {"user:3", Source::kImport});
  ASSERT_TRUE(id) << id.error().ToString();
  clock_.Advance(1000);
  ResidentPatch patch;
  patch.residence_status = registry::ResidenceStatus::kResidentOnly;
  ASSERT_TRUE(Update(store_, *id, 1, patch, {"user:9", Source::kField}));
  clock_.Advance(1000);
  ASSERT_TRUE(SoftDelete(store_, *id, 2, "死亡注销", {"user:7", Source::kConsole}));
  // A deletion without a reason is refused.
  auto no_reason = SoftDelete(store_, *id, 3, "", {"user:7", Source::kConsole});
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);

  const auto history = History(*id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].op, "create");
  EXPECT_EQ(history[0].source, "import");
  EXPECT_EQ(history[0].actor, "user:3");
  EXPECT_EQ(history[0].version, 1);
  EXPECT_EQ(history[0].at_millis, kNowMillis);
  EXPECT_EQ(history[1].op, "update");
  EXPECT_EQ(history[1].source, "field");
  EXPECT_EQ(history[1].actor, "user:9");
  EXPECT_EQ(history[1].version, 2);
  EXPECT_EQ(history[1].at_millis, kNowMillis + 1000);
  EXPECT_EQ(history[1].fields.at("residence_status").at("old"), "both");
  EXPECT_EQ(history[1].fields.at("residence_status").at("new"), "resident_only");
  EXPECT_EQ(history[2].op, "delete");
  EXPECT_EQ(history[2].source, "console");
  EXPECT_EQ(history[2].actor, "user:7");
  EXPECT_EQ(history[2].version, 3);
  EXPECT_EQ(history[2].fields.at("deleted_reason"), "死亡注销");
  EXPECT_LT(history[0].seq, history[1].seq);
  EXPECT_LT(history[1].seq, history[2].seq);
}

TEST_P(RegistryTest, RotatedKeysStillOpenOldRowsAndLookupsStillFindThem) {
  const std::filesystem::path key_file =
      std::filesystem::path(testing::TempDir()) / "keys/pii.json";
  auto vault = crypto::PiiVault::OpenOrCreate(key_file);
  ASSERT_TRUE(vault) << vault.error().ToString();
  // Another process's view of the same key file, opened before the rotation.
  auto early_vault = crypto::PiiVault::Open(key_file);
  ASSERT_TRUE(early_vault) << early_vault.error().ToString();
  ResidentStore store(**vault, ids_, clock_);

  NewResident old_one = Person("叶建国", kIdNumber);
  old_one.phones = {Phone(kMobile)};
  auto old_id = Create(store, old_one);
  ASSERT_TRUE(old_id) << old_id.error().ToString();
  const std::string old_key = (*vault)->active_key_id();

  auto rotated = (*vault)->Rotate();
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  EXPECT_NE(*rotated, old_key);
  NewResident new_one = Person("毛丽华", kOtherIdNumber);
  new_one.phones = {Phone(kLandline)};
  auto new_id = Create(store, new_one);
  ASSERT_TRUE(new_id) << new_id.error().ToString();

  // A vault opened afresh from the file reads both.
  auto fresh = crypto::PiiVault::Open(key_file);
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  ResidentStore fresh_store(**fresh, ids_, clock_);
  for (auto [id, number, phone] :
       {std::tuple{*old_id, kIdNumber, kMobile}, std::tuple{*new_id, kOtherIdNumber, kLandline}}) {
    auto resident = Get(fresh_store, id);
    ASSERT_TRUE(resident) << resident.error().ToString();
    auto plain = fresh_store.RevealIdNumber(*resident);
    ASSERT_TRUE(plain) << plain.error().ToString();
    EXPECT_EQ(*plain, number);
    ASSERT_EQ(resident->phones.size(), 1u);
    auto plain_phone = fresh_store.RevealPhone(resident->phones[0]);
    ASSERT_TRUE(plain_phone) << plain_phone.error().ToString();
    EXPECT_EQ(*plain_phone, phone);
    // The vault that predates the rotation picks up the new key from the file.
    ResidentStore early_store(**early_vault, ids_, clock_);
    auto early_plain = early_store.RevealIdNumber(*resident);
    ASSERT_TRUE(early_plain) << early_plain.error().ToString();
    EXPECT_EQ(*early_plain, number);
  }
  auto old_resident = Get(fresh_store, *old_id);
  auto new_resident = Get(fresh_store, *new_id);
  ASSERT_TRUE(old_resident && new_resident);
  EXPECT_EQ(crypto::PiiVault::KeyIdOf(*old_resident->id_number_sealed), old_key);
  EXPECT_EQ(crypto::PiiVault::KeyIdOf(*new_resident->id_number_sealed), *rotated);
  EXPECT_TRUE((*fresh)->NeedsReseal(*old_resident->id_number_sealed));
  EXPECT_TRUE((*fresh)->NeedsReseal(old_resident->phones[0].sealed));
  EXPECT_FALSE((*fresh)->NeedsReseal(*new_resident->id_number_sealed));
  EXPECT_FALSE((*fresh)->NeedsReseal(new_resident->phones[0].sealed));

  // The lookup key is not rotated: both are still found, through either vault.
  EXPECT_EQ(FindByIdNumber(fresh_store, kIdNumber), *old_id);
  EXPECT_EQ(FindByIdNumber(fresh_store, kOtherIdNumber), *new_id);
  EXPECT_EQ(FindByPhone(fresh_store, kMobile), std::vector<Id>{*old_id});
  EXPECT_EQ(FindByIdNumber(store, kIdNumber), *old_id);

  // A vault with other keys cannot read them, and says so without leaking anything.
  ResidentStore stranger(*vault_, ids_, clock_);
  auto unreadable = stranger.RevealIdNumber(*old_resident);
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(FindByIdNumber(stranger, kIdNumber), std::nullopt);
}

TEST_P(RegistryTest, UnknownTagIsRefusedAndNothingIsWritten) {
  const Snapshot before = TakeSnapshot();
  NewResident person = Person("叶建国", kIdNumber);
  person.phones = {Phone(kMobile)};
  person.tags = {"party_member", "no_such_tag"};
  auto refused = Create(store_, person);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << refused.error().ToString();
  EXPECT_EQ(TakeSnapshot(), before);
  EXPECT_EQ(FindByIdNumber(store_, kIdNumber), std::nullopt);

  // Nor can an update add one; the resident keeps its tags.
  person.tags = {"party_member"};
  auto id = Create(store_, person);
  ASSERT_TRUE(id) << id.error().ToString();
  const Snapshot with_resident = TakeSnapshot();
  ResidentPatch patch;
  patch.name = "叶建华";
  patch.tags = std::vector<std::string>{"no_such_tag"};
  auto update = Update(store_, *id, 1, patch, {"user:7", Source::kConsole});
  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().code, ErrorCode::kFailedPrecondition) << update.error().ToString();
  EXPECT_EQ(TakeSnapshot(), with_resident);
  auto stored = Get(store_, *id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->name, "叶建国");
  EXPECT_EQ(stored->tags, std::vector<std::string>{"party_member"});
}

INSTANTIATE_TEST_SUITE_P(Engines, RegistryTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
