// Accounts and the policy layer on both engines: users and roles, sign-in with lockout, sessions
// and API tokens, the initial administrator's file, data scope filtering residents through SQL,
// and unmask grants that expire.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/account.hpp"
#include "auth/permission.hpp"
#include "auth/policy.hpp"
#include "auth/unmask.hpp"
#include "crypto/pii_vault.hpp"
#include "org/unit.hpp"
#include "registry/resident.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using auth::AccountOptions;
using auth::AccountStore;
using auth::NewUser;
using auth::Principal;
using auth::ScopeKind;
using auth::UnitAssignment;
using org::NewUnit;
using org::Unit;
using org::UnitKind;
using storage::Connection;
using storage::Engine;
using storage::WriteContext;
using storage::WriteTransaction;
using storage::WriteValue;

constexpr int64_t kNowMillis = 1795797000000;  // 2026-11-28, China time
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr std::string_view kPassword = "secret123";

class AuthTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    AccountOptions options;
    options.password = auth::PasswordOptions::ForTesting();
    accounts_ = std::make_unique<AccountStore>(*database_, ids_, clock_, options);
    ASSERT_TRUE(accounts_->EnsureBuiltinRoles(context_));
    BuildCity();
  }

  // 龙泉市 > 龙渊街道 > 城东社区 > grids 1, 2; 龙泉市 > 西街街道 > 城西社区 > grid 1.
  void BuildCity() {
    city_ = MustCreate(std::nullopt, UnitKind::kCity, "县级市", "331181", "龙泉市");
    street_a_ = MustCreate(city_.id, UnitKind::kStreet, "街道", "331181001", "龙渊街道");
    street_b_ = MustCreate(city_.id, UnitKind::kStreet, "街道", "331181002", "西街街道");
    community_a_ =
        MustCreate(street_a_.id, UnitKind::kCommunity, "社区", "331181001001", "城东社区");
    community_b_ =
        MustCreate(street_b_.id, UnitKind::kCommunity, "社区", "331181002001", "城西社区");
    grid_a1_ = MustCreate(community_a_.id, UnitKind::kGrid, "", "", "城东社区第1网格");
    grid_a2_ = MustCreate(community_a_.id, UnitKind::kGrid, "", "", "城东社区第2网格");
    grid_b1_ = MustCreate(community_b_.id, UnitKind::kGrid, "", "", "城西社区第1网格");
    resident_a1_ = MustAddResident(grid_a1_.id, "张一");
    MustAddResident(grid_a1_.id, "张二");
    MustAddResident(grid_a2_.id, "李三");
    MustAddResident(community_a_.id, "王四");
    resident_b1_ = MustAddResident(grid_b1_.id, "赵五");
  }

  Unit MustCreate(std::optional<Id> parent, UnitKind kind, std::string subtype, std::string code,
                  std::string name) {
    auto unit = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return org_.Create(transaction, NewUnit{parent, kind, subtype, code, name, "", std::nullopt,
                                              org::kSinceEver});
    });
    EXPECT_TRUE(unit) << unit.error().ToString();
    return unit ? *unit : Unit{};
  }

  Id MustAddResident(Id unit_id, std::string name) {
    registry::NewResident resident;
    resident.unit_id = unit_id;
    resident.name = std::move(name);
    auto id = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return residents_.Create(transaction, resident);
    });
    EXPECT_TRUE(id) << id.error().ToString();
    return id ? *id : 0;
  }

  auth::User MustCreateUser(std::string login, std::vector<std::string> roles,
                            std::vector<UnitAssignment> units) {
    NewUser user;
    user.login = std::move(login);
    user.password = kPassword;
    user.roles = std::move(roles);
    user.units = std::move(units);
    auto created = accounts_->CreateUser(context_, user);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : auth::User{};
  }

  Principal MustLoadPrincipal(Id user_id) {
    auto principal = database_->Read(
        [&](Connection& connection) { return auth::LoadPrincipal(connection, user_id); });
    EXPECT_TRUE(principal) << principal.error().ToString();
    return principal ? *principal : Principal{};
  }

  // Names of the residents whose unit lies in `principal`'s scope of `kind`, through SQL.
  std::vector<std::string> ResidentsInScope(const Principal& principal, ScopeKind kind) {
    const auto condition = principal.ScopeSql(kind, "u.path");
    auto names = database_->Read([&](Connection& connection) -> Result<std::vector<std::string>> {
      STEWARD_ASSIGN_OR_RETURN(auto rows,
                               connection.Query("SELECT r.name FROM resident r JOIN org_unit u ON "
                                                "u.id = r.unit_id WHERE " +
                                                    condition.sql + " ORDER BY r.name",
                                                condition.params));
      std::vector<std::string> list;
      for (size_t i = 0; i < rows.size(); ++i) list.push_back(rows.Text(i, 0));
      return list;
    });
    EXPECT_TRUE(names) << names.error().ToString();
    return names ? *names : std::vector<std::string>{};
  }

  static std::string_view CodeOf(const auto& result) {
    return result ? std::string_view() : auth::DetailCode(result.error());
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  WriteContext context_{"user:1", storage::Source::kConsole};
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<AccountStore> accounts_;
  org::OrgStore org_{ids_, clock_};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("seed");
  registry::ResidentStore residents_{*vault_, ids_, clock_};
  Unit city_, street_a_, street_b_, community_a_, community_b_, grid_a1_, grid_a2_, grid_b1_;
  Id resident_a1_ = 0, resident_b1_ = 0;
};

TEST_P(AuthTest, CreatesUsersWithRolesAndUnitsAndKeepsSecretsOutOfTheHistory) {
  const auto user =
      MustCreateUser("Grid.Wang", {"grid_worker"},
                     {{grid_a1_.id, ScopeKind::kCapture}, {community_a_.id, ScopeKind::kSearch}});
  EXPECT_EQ(user.login, "grid.wang");
  EXPECT_EQ(user.display_name, "grid.wang");

  auto found = accounts_->FindByLogin("GRID.wang");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, user.id);
  EXPECT_EQ((*found)->roles, std::vector<std::string>{"grid_worker"});
  ASSERT_EQ((*found)->units.size(), 2u);
  auto missing = accounts_->FindByLogin("nobody");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);

  MustCreateUser("street.li", {"street_admin", "social_worker"},
                 {{street_a_.id, ScopeKind::kCapture}});
  auto users = accounts_->ListUsers();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].login, "grid.wang");
  EXPECT_EQ((*users)[1].roles, (std::vector<std::string>{"social_worker", "street_admin"}));

  NewUser duplicate{"grid.WANG", "", std::string(kPassword), {"grid_worker"}, {}, false};
  auto taken = accounts_->CreateUser(context_, duplicate);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  NewUser bad_role{"x.y", "", std::string(kPassword), {"pope"}, {}, false};
  EXPECT_EQ(accounts_->CreateUser(context_, bad_role).error().code, ErrorCode::kInvalidArgument);
  NewUser bad_unit{"x.y", "", std::string(kPassword), {}, {{12345, ScopeKind::kView}}, false};
  EXPECT_EQ(accounts_->CreateUser(context_, bad_unit).error().code, ErrorCode::kInvalidArgument);
  NewUser weak{"x.y", "", "password", {}, {}, false};
  auto refused = accounts_->CreateUser(context_, weak);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().details.at(0).code, "password.weak");
  NewUser bad_login{"x y", "", std::string(kPassword), {}, {}, false};
  EXPECT_EQ(CodeOf(accounts_->CreateUser(context_, bad_login)), "login.invalid");

  auto history = database_->Read([&](Connection& connection) {
    return storage::ReadHistory(connection, "app_user", user.id);
  });
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  const std::string fields = history->front().fields.dump();
  EXPECT_NE(fields.find("grid_worker"), std::string::npos);
  EXPECT_EQ(fields.find("argon2"), std::string::npos);
  EXPECT_EQ(fields.find(kPassword), std::string::npos);
  auto stored = database_->Read([&](Connection& connection) {
    return connection.Query("SELECT password_hash FROM app_user WHERE id = ?", {user.id});
  });
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->Text(0, 0).starts_with("$argon2id$"));
}

TEST_P(AuthTest, LoginLocksAfterFiveFailuresAndUnlocksWhenTheTimeHasPassed) {
  const auto user = MustCreateUser("wang", {"grid_worker"}, {{grid_a1_.id, ScopeKind::kCapture}});
  // An unknown login and a wrong password look the same.
  auto unknown = accounts_->Login("nobody", kPassword, "10.0.0.1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(CodeOf(unknown), auth::kBadCredentials);
  for (int i = 0; i < 4; ++i) {
    auto wrong = accounts_->Login("wang", "wrong1234", "10.0.0.1");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);
  }
  auto fifth = accounts_->Login("wang", "wrong1234", "10.0.0.1");
  ASSERT_FALSE(fifth);
  EXPECT_EQ(CodeOf(fifth), auth::kLocked);
  EXPECT_EQ(fifth.error().details.at(0).message, "900");
  EXPECT_NE(fifth.error().message.find("15 分钟"), std::string::npos) << fifth.error().message;

  // Locked: even the right password is refused, with the time left.
  clock_.Advance(10 * kMinute);
  auto locked = accounts_->Login("wang", kPassword, "10.0.0.1");
  ASSERT_FALSE(locked);
  EXPECT_EQ(CodeOf(locked), auth::kLocked);
  EXPECT_EQ(locked.error().details.at(0).message, "300");

  clock_.Advance(5 * kMinute);
  auto signed_in = accounts_->Login("WANG", kPassword, "10.0.0.1");
  ASSERT_TRUE(signed_in) << signed_in.error().ToString();
  EXPECT_EQ(signed_in->session.user_id, user.id);
  EXPECT_EQ(signed_in->session.login, "wang");
  EXPECT_FALSE(signed_in->session.must_change_password);
  EXPECT_EQ(signed_in->token.size(), 43u);
  EXPECT_FALSE(signed_in->session.csrf_token.empty());
  auto after = accounts_->GetUser(user.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->failed_logins, 0);
  EXPECT_EQ(after->last_login_at, clock_.NowMillis());

  // A success resets the count: four more failures do not lock.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(CodeOf(accounts_->Login("wang", "wrong1234", "")), auth::kBadCredentials);
  }
  EXPECT_TRUE(accounts_->Login("wang", kPassword, ""));

  // Only the digest of the token is stored.
  auto stored = database_->Read([&](Connection& connection) {
    return connection.Query("SELECT id, client FROM session WHERE user_id = ? ORDER BY created_at",
                            {user.id});
  });
  ASSERT_TRUE(stored);
  ASSERT_GE(stored->size(), 1u);
  EXPECT_EQ(stored->Text(0, 0).size(), 64u);
  EXPECT_NE(stored->Text(0, 0), signed_in->token);
  EXPECT_EQ(stored->Text(0, 1), "10.0.0.1");
}

TEST_P(AuthTest, OneAddressIsThrottledAcrossAccountsWhileOthersSignIn) {
  MustCreateUser("wang", {"grid_worker"}, {});
  MustCreateUser("li", {"grid_worker"}, {});
  // Twenty failures from one address, spread so that no account reaches its own lock: unknown
  // logins, wrong passwords, four per account.
  for (int i = 0; i < 20; ++i) {
    const std::string login = i % 5 == 0 ? "wang" : i % 5 == 1 ? "li" : "x" + std::to_string(i);
    clock_.Advance(10 * 1000);
    EXPECT_EQ(CodeOf(accounts_->Login(login, "wrong1234", "203.0.113.7")), auth::kBadCredentials)
        << i;
  }
  // Now every sign-in from it is refused before the password is looked at, the right one too.
  auto refused = accounts_->Login("wang", kPassword, "203.0.113.7");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(CodeOf(refused), auth::kThrottled);
  // The first failure was 190 s ago: it leaves the ten-minute window in 410 s.
  EXPECT_EQ(refused.error().details.at(0).field, "retry_after_seconds");
  EXPECT_EQ(refused.error().details.at(0).message, "410");
  // Neither account is locked: another address signs in to both.
  EXPECT_TRUE(accounts_->Login("wang", kPassword, "198.51.100.1"));
  EXPECT_TRUE(accounts_->Login("li", kPassword, "198.51.100.1"));
  // A success elsewhere does not clear the count; time does, one failure at a time.
  clock_.Advance(410 * 1000 - 1);
  EXPECT_EQ(CodeOf(accounts_->Login("wang", kPassword, "203.0.113.7")), auth::kThrottled);
  clock_.Advance(1);
  EXPECT_TRUE(accounts_->Login("wang", kPassword, "203.0.113.7"));
  EXPECT_EQ(CodeOf(accounts_->Login("nobody", "wrong1234", "203.0.113.7")), auth::kBadCredentials);
  EXPECT_EQ(CodeOf(accounts_->Login("wang", kPassword, "203.0.113.7")), auth::kThrottled);
}

TEST_P(AuthTest, AdminsChangeRolesAndUnitsWithTheVersionTheyEdited) {
  const auto user = MustCreateUser("wang", {"building_leader"}, {{grid_a1_.id, ScopeKind::kView}});
  auto session = accounts_->Login("wang", kPassword, "");
  ASSERT_TRUE(session);
  EXPECT_FALSE(MustLoadPrincipal(user.id).Can(auth::permission::kResidentEdit));

  auth::UserChange change;
  change.roles = {"grid_worker", "building_leader", "grid_worker"};
  change.units = {{grid_a2_.id, ScopeKind::kCapture}, {community_a_.id, ScopeKind::kSearch}};
  change.display_name = "王网格";
  auto updated = accounts_->UpdateUser(context_, user.id, user.version, change);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->version, user.version + 1);
  EXPECT_EQ(updated->roles, (std::vector<std::string>{"building_leader", "grid_worker"}));
  EXPECT_EQ(updated->display_name, "王网格");
  ASSERT_EQ(updated->units.size(), 2u);
  // The same version again: somebody else's edit came first.
  EXPECT_EQ(accounts_->UpdateUser(context_, user.id, user.version, change).error().code,
            ErrorCode::kConflict);
  // Nothing different: nothing written, the version stays.
  auto same = accounts_->UpdateUser(context_, user.id, updated->version, change);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->version, updated->version);

  // The next principal has the new roles and units; the session lives on.
  const Principal principal = MustLoadPrincipal(user.id);
  EXPECT_TRUE(principal.Can(auth::permission::kResidentEdit));
  EXPECT_EQ(ResidentsInScope(principal, ScopeKind::kCapture), std::vector<std::string>{"李三"});
  EXPECT_TRUE(accounts_->LookupSession(session->token));

  auth::UserChange bad_role;
  bad_role.roles = {"pope"};
  EXPECT_EQ(CodeOf(accounts_->UpdateUser(context_, user.id, std::nullopt, bad_role)),
            "role.unknown");
  auth::UserChange bad_unit;
  bad_unit.units = {{12345, ScopeKind::kView}};
  EXPECT_EQ(CodeOf(accounts_->UpdateUser(context_, user.id, std::nullopt, bad_unit)),
            "unit.unknown");
  EXPECT_EQ(accounts_->UpdateUser(context_, 999, std::nullopt, change).error().code,
            ErrorCode::kNotFound);

  // Disabling through the same path ends the sessions.
  auth::UserChange disable;
  disable.disabled = true;
  ASSERT_TRUE(accounts_->UpdateUser(context_, user.id, std::nullopt, disable));
  EXPECT_FALSE(accounts_->LookupSession(session->token));

  auto history = database_->Read([&](Connection& connection) {
    return storage::ReadHistory(connection, "app_user", user.id);
  });
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);  // created, roles/units/name, disabled
  const auto& fields = (*history)[1].fields;
  EXPECT_EQ(fields["roles"]["old"], nlohmann::json::array({"building_leader"}));
  EXPECT_EQ(fields["roles"]["new"], nlohmann::json::array({"building_leader", "grid_worker"}));
  EXPECT_EQ(fields["units"]["old"].size(), 1u);
  EXPECT_EQ(fields["units"]["new"].size(), 2u);
  EXPECT_EQ(fields["display_name"]["new"], "王网格");
}

TEST_P(AuthTest, OnlyRolesThatAreNotBuiltInAndHeldByNobodyCanBeDeleted) {
  auto builtin = accounts_->DeleteRole(context_, "grid_worker");
  EXPECT_EQ(CodeOf(builtin), "role.builtin");
  EXPECT_EQ(builtin.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->DeleteRole(context_, "nope").error().code, ErrorCode::kNotFound);

  auto clerk = accounts_->CreateRole(context_, "data_clerk", "数据录入员",
                                     {std::string(auth::permission::kImportRun)});
  ASSERT_TRUE(clerk);
  const auto a = MustCreateUser("clerk.a", {"data_clerk"}, {});
  const auto b = MustCreateUser("clerk.b", {"data_clerk", "auditor"}, {});
  auto held = accounts_->DeleteRole(context_, "data_clerk");
  EXPECT_EQ(CodeOf(held), "role.in_use");
  EXPECT_EQ(held.error().details.at(0).message, "2");
  EXPECT_NE(held.error().message.find("2 user(s)"), std::string::npos) << held.error().message;

  for (const auto& user : {a, b}) {
    auth::UserChange change;
    change.roles = std::vector<std::string>{};
    if (user.id == b.id) change.roles->push_back("auditor");
    ASSERT_TRUE(accounts_->UpdateUser(context_, user.id, std::nullopt, change));
  }
  auto deleted = accounts_->DeleteRole(context_, "data_clerk");
  ASSERT_TRUE(deleted) << deleted.error().ToString();
  EXPECT_EQ(deleted->permissions,
            std::vector<std::string>{std::string(auth::permission::kImportRun)});
  EXPECT_EQ(accounts_->DeleteRole(context_, "data_clerk").error().code, ErrorCode::kNotFound);
  auto roles = accounts_->ListRoles();
  ASSERT_TRUE(roles);
  EXPECT_EQ(roles->size(), 7u);
  auto history = database_->Read(
      [&](Connection& connection) { return storage::ReadHistory(connection, "role", clerk->id); });
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->back().op, "delete");
  // The code is free again.
  EXPECT_TRUE(accounts_->CreateRole(context_, "data_clerk", "数据录入员", {}));
}

TEST_P(AuthTest, DisabledUsersCannotSignInAndLoseTheirSessions) {
  const auto user = MustCreateUser("wang", {"grid_worker"}, {});
  auto signed_in = accounts_->Login("wang", kPassword, "");
  ASSERT_TRUE(signed_in);
  ASSERT_TRUE(accounts_->SetState(context_, user.id, auth::AccountState::kDisabled));
  EXPECT_EQ(CodeOf(accounts_->LookupSession(signed_in->token)), auth::kUnauthenticated);
  EXPECT_EQ(CodeOf(accounts_->Login("wang", kPassword, "")), auth::kDisabled);
  EXPECT_EQ(CodeOf(accounts_->Login("wang", "wrong1234", "")), auth::kBadCredentials);
  auto principal = database_->Read(
      [&](Connection& connection) { return auth::LoadPrincipal(connection, user.id); });
  ASSERT_FALSE(principal);
  EXPECT_EQ(principal.error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(accounts_->SetState(context_, user.id, auth::AccountState::kActive));
  EXPECT_TRUE(accounts_->Login("wang", kPassword, ""));
}

TEST_P(AuthTest, SessionsExpireWhenIdleAndAtTheLatestAfterTheirLifetime) {
  MustCreateUser("wang", {"grid_worker"}, {});
  auto signed_in = accounts_->Login("wang", kPassword, "");
  ASSERT_TRUE(signed_in);
  const std::string token = signed_in->token;
  const int64_t start = clock_.NowMillis();

  auto session = accounts_->LookupSession(token);
  ASSERT_TRUE(session) << session.error().ToString();
  EXPECT_EQ(session->csrf_token, signed_in->session.csrf_token);
  EXPECT_EQ(session->expires_at, start + 12 * kHour);

  // Each request moves the idle expiry on...
  clock_.Advance(11 * kHour);
  session = accounts_->LookupSession(token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->expires_at, clock_.NowMillis() + 12 * kHour);
  // ...but within a minute it is not written again.
  clock_.Advance(30 * 1000);
  session = accounts_->LookupSession(token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->last_seen_at, start + 11 * kHour);

  // Idle for 12 hours: gone, and the row too.
  clock_.Advance(12 * kHour);
  EXPECT_EQ(CodeOf(accounts_->LookupSession(token)), auth::kUnauthenticated);
  auto rows = database_->Read(
      [&](Connection& connection) { return connection.QueryInt("SELECT count(*) FROM session"); });
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->value_or(-1), 0);

  // Used every 11 hours, a session still ends 7 days after sign-in.
  auto again = accounts_->Login("wang", kPassword, "");
  ASSERT_TRUE(again);
  const int64_t signed_in_at = clock_.NowMillis();
  while (clock_.NowMillis() + 11 * kHour < signed_in_at + 7 * 24 * kHour) {
    clock_.Advance(11 * kHour);
    ASSERT_TRUE(accounts_->LookupSession(again->token));
  }
  clock_.Set(signed_in_at + 7 * 24 * kHour);
  EXPECT_EQ(CodeOf(accounts_->LookupSession(again->token)), auth::kUnauthenticated);

  EXPECT_EQ(CodeOf(accounts_->LookupSession("")), auth::kUnauthenticated);
  EXPECT_EQ(CodeOf(accounts_->LookupSession("not a token")), auth::kUnauthenticated);
}

TEST_P(AuthTest, LogoutAndPasswordChangesEndSessions) {
  const auto user = MustCreateUser("wang", {"grid_worker"}, {});
  auto first = accounts_->Login("wang", kPassword, "");
  auto second = accounts_->Login("wang", kPassword, "");
  auto third = accounts_->Login("wang", kPassword, "");
  ASSERT_TRUE(first && second && third);
  ASSERT_TRUE(accounts_->Logout(first->token));
  EXPECT_FALSE(accounts_->LookupSession(first->token));

  auto wrong_old =
      accounts_->ChangePassword(context_, user.id, "wrong1234", "newpass99", second->token);
  ASSERT_FALSE(wrong_old);
  EXPECT_EQ(CodeOf(wrong_old), auth::kBadCredentials);
  EXPECT_EQ(
      CodeOf(accounts_->ChangePassword(context_, user.id, kPassword, "short1", second->token)),
      "password.too_short");
  EXPECT_EQ(
      CodeOf(accounts_->ChangePassword(context_, user.id, kPassword, kPassword, second->token)),
      "password.unchanged");
  ASSERT_TRUE(accounts_->ChangePassword(context_, user.id, kPassword, "newpass99", second->token));
  EXPECT_TRUE(accounts_->LookupSession(second->token));
  EXPECT_FALSE(accounts_->LookupSession(third->token));
  EXPECT_EQ(CodeOf(accounts_->Login("wang", kPassword, "")), auth::kBadCredentials);
  EXPECT_TRUE(accounts_->Login("wang", "newpass99", ""));

  // An admin's reset forces a change at the next sign-in and ends every session.
  ASSERT_TRUE(accounts_->ResetPassword(context_, user.id, "temporary1"));
  EXPECT_FALSE(accounts_->LookupSession(second->token));
  auto reset = accounts_->Login("wang", "temporary1", "");
  ASSERT_TRUE(reset);
  EXPECT_TRUE(reset->session.must_change_password);
  ASSERT_TRUE(
      accounts_->ChangePassword(context_, user.id, "temporary1", "mine12345", reset->token));
  auto session = accounts_->LookupSession(reset->token);
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->must_change_password);

  auto history = database_->Read([&](Connection& connection) {
    return storage::ReadHistory(connection, "app_user", user.id);
  });
  ASSERT_TRUE(history);
  for (const auto& entry : *history) {
    EXPECT_EQ(entry.fields.dump().find("argon2"), std::string::npos);
    EXPECT_EQ(entry.fields.dump().find("mine12345"), std::string::npos);
  }
}

TEST_P(AuthTest, ApiTokensWorkUntilRevokedOrExpired) {
  const auto user = MustCreateUser("robot", {"auditor"}, {});
  auto created = accounts_->CreateApiToken(context_, user.id, "统计接口", std::nullopt);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_TRUE(created->token.starts_with("stw_"));
  auto looked_up = accounts_->LookupApiToken(created->token);
  ASSERT_TRUE(looked_up) << looked_up.error().ToString();
  EXPECT_EQ(looked_up->user_id, user.id);
  EXPECT_EQ(looked_up->name, "统计接口");
  EXPECT_EQ(CodeOf(accounts_->LookupApiToken(created->token + "x")), auth::kUnauthenticated);
  EXPECT_EQ(CodeOf(accounts_->LookupApiToken("stw_")), auth::kUnauthenticated);

  auto stored = database_->Read([&](Connection& connection) {
    return connection.Query("SELECT token_hash FROM api_token WHERE id = ?", {created->info.id});
  });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->Text(0, 0).size(), 64u);
  EXPECT_EQ(created->token.find(stored->Text(0, 0)), std::string::npos);

  auto expiring =
      accounts_->CreateApiToken(context_, user.id, "临时", clock_.NowMillis() + 24 * kHour);
  ASSERT_TRUE(expiring);
  EXPECT_TRUE(accounts_->LookupApiToken(expiring->token));
  clock_.Advance(24 * kHour);
  EXPECT_FALSE(accounts_->LookupApiToken(expiring->token));
  EXPECT_EQ(accounts_->CreateApiToken(context_, user.id, "", std::nullopt).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts_->CreateApiToken(context_, user.id, "past", clock_.NowMillis()).error().code,
            ErrorCode::kInvalidArgument);

  ASSERT_TRUE(accounts_->RevokeApiToken(context_, created->info.id));
  EXPECT_FALSE(accounts_->LookupApiToken(created->token));
  EXPECT_EQ(accounts_->RevokeApiToken(context_, created->info.id).error().code,
            ErrorCode::kNotFound);
  auto listed = accounts_->ListApiTokens(user.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_TRUE((*listed)[0].revoked_at.has_value());
  EXPECT_EQ((*listed)[0].version, 2);
}

TEST_P(AuthTest, TheInitialAdminIsCreatedOnceWithAPrivateFile) {
  const std::filesystem::path data_dir = std::filesystem::path(testing::TempDir()) / "data";
  auto admin = accounts_->EnsureInitialAdmin(data_dir);
  ASSERT_TRUE(admin) << admin.error().ToString();
  ASSERT_TRUE(admin->has_value());
  EXPECT_EQ((*admin)->login, "admin");
  EXPECT_EQ((*admin)->password.size(), 16u);
  EXPECT_TRUE(auth::CheckPasswordPolicy((*admin)->password));
  EXPECT_EQ((*admin)->file, data_dir / "initial-admin.txt");

  struct stat info {};
  ASSERT_EQ(::stat((*admin)->file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream file((*admin)->file);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_NE(text.str().find("login: admin"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("password: " + (*admin)->password), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(data_dir / "initial-admin.txt.pending"));

  // Users exist now: nothing happens, the file stays as it is.
  auto again = accounts_->EnsureInitialAdmin(data_dir);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());

  auto signed_in = accounts_->Login("admin", (*admin)->password, "127.0.0.1");
  ASSERT_TRUE(signed_in) << signed_in.error().ToString();
  EXPECT_TRUE(signed_in->session.must_change_password);
  const Principal principal = MustLoadPrincipal(signed_in->session.user_id);
  for (const auto& permission : auth::PermissionCatalogue()) {
    EXPECT_TRUE(principal.Can(permission.code)) << permission.code;
  }
  EXPECT_EQ(ResidentsInScope(principal, ScopeKind::kCapture).size(), 5u);
}

TEST_P(AuthTest, ScopeSqlFiltersResidentsByUnit) {
  const auto grid_worker =
      MustCreateUser("grid", {"grid_worker"},
                     {{grid_a1_.id, ScopeKind::kCapture}, {city_.id, ScopeKind::kSearch}});
  const auto street_admin =
      MustCreateUser("street", {"street_admin"}, {{street_a_.id, ScopeKind::kCapture}});
  const auto viewer =
      MustCreateUser("viewer", {"building_leader"},
                     {{grid_a2_.id, ScopeKind::kView}, {community_b_.id, ScopeKind::kView}});
  const auto nobody = MustCreateUser("nobody", {"grid_worker"}, {});

  const Principal grid = MustLoadPrincipal(grid_worker.id);
  EXPECT_TRUE(grid.Can(auth::permission::kResidentEdit));
  EXPECT_FALSE(grid.Can(auth::permission::kSensitiveView));
  EXPECT_EQ(ResidentsInScope(grid, ScopeKind::kCapture),
            (std::vector<std::string>{"张一", "张二"}));
  EXPECT_EQ(ResidentsInScope(grid, ScopeKind::kView), (std::vector<std::string>{"张一", "张二"}));
  // Search reaches the whole city, to hand a case over.
  EXPECT_EQ(ResidentsInScope(grid, ScopeKind::kSearch).size(), 5u);

  const Principal street = MustLoadPrincipal(street_admin.id);
  EXPECT_EQ(ResidentsInScope(street, ScopeKind::kView),
            (std::vector<std::string>{"张一", "张二", "李三", "王四"}));
  EXPECT_EQ(auth::AccessTo(street, community_a_.path), auth::RecordAccess::kCapture);
  EXPECT_EQ(auth::AccessTo(street, grid_b1_.path), auth::RecordAccess::kNone);

  const Principal view = MustLoadPrincipal(viewer.id);
  EXPECT_TRUE(ResidentsInScope(view, ScopeKind::kCapture).empty());
  EXPECT_EQ(ResidentsInScope(view, ScopeKind::kView), (std::vector<std::string>{"李三", "赵五"}));
  EXPECT_EQ(ResidentsInScope(view, ScopeKind::kSearch), (std::vector<std::string>{"李三", "赵五"}));

  const Principal none = MustLoadPrincipal(nobody.id);
  EXPECT_TRUE(ResidentsInScope(none, ScopeKind::kSearch).empty());

  // The unit-id form of the same scope, for in-memory indexes.
  auto unit_ids = database_->Read([&](Connection& connection) {
    return auth::LoadScopeUnitIds(connection, street.Scope(ScopeKind::kView));
  });
  ASSERT_TRUE(unit_ids);
  EXPECT_EQ(*unit_ids, (std::vector<Id>{street_a_.id, community_a_.id, grid_a1_.id, grid_a2_.id}));
}

TEST_P(AuthTest, ScopeFollowsARetiredUnitToItsSuccessors) {
  const Unit village = MustCreate(street_a_.id, UnitKind::kCommunity, "村", "331181001201", "张村");
  const Unit village_grid = MustCreate(village.id, UnitKind::kGrid, "", "", "张村第1网格");
  MustAddResident(village_grid.id, "村民甲");
  const auto user =
      MustCreateUser("village", {"community_admin"}, {{village.id, ScopeKind::kCapture}});
  auto converted = WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
    return org_.ConvertVillageToCommunity(transaction, village.id, Date{2021, 6, 1}, "331181001010",
                                          "张村社区", "张村社区居民委员会");
  });
  ASSERT_TRUE(converted) << converted.error().ToString();
  const Principal principal = MustLoadPrincipal(user.id);
  EXPECT_TRUE(principal.Scope(ScopeKind::kCapture).Contains(converted->path));
  EXPECT_EQ(ResidentsInScope(principal, ScopeKind::kCapture), std::vector<std::string>{"村民甲"});
}

TEST_P(AuthTest, AdminsEditRolesAndRemovedDefaultsStayRemoved) {
  auto roles = accounts_->ListRoles();
  ASSERT_TRUE(roles);
  ASSERT_EQ(roles->size(), 7u);
  const auto grid_role = std::find_if(roles->begin(), roles->end(), [](const auth::Role& role) {
    return role.code == "grid_worker";
  });
  ASSERT_NE(grid_role, roles->end());
  EXPECT_TRUE(grid_role->builtin);
  const auto user = MustCreateUser("grid", {"grid_worker"}, {{grid_a1_.id, ScopeKind::kCapture}});

  const std::vector<std::string> reduced{std::string(auth::permission::kResidentView)};
  auto edited = accounts_->SetRolePermissions(context_, "grid_worker", grid_role->version, reduced);
  ASSERT_TRUE(edited) << edited.error().ToString();
  EXPECT_EQ(edited->permissions, reduced);
  EXPECT_EQ(accounts_->SetRolePermissions(context_, "grid_worker", grid_role->version, reduced)
                .error()
                .code,
            ErrorCode::kConflict);
  EXPECT_EQ(accounts_->SetRolePermissions(context_, "nope", 1, reduced).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(accounts_->SetRolePermissions(context_, "grid_worker", edited->version, {"x:y:z"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(MustLoadPrincipal(user.id).Can(auth::permission::kResidentEdit));

  // A restart does not give the removed defaults back.
  ASSERT_TRUE(accounts_->EnsureBuiltinRoles(context_));
  EXPECT_FALSE(MustLoadPrincipal(user.id).Can(auth::permission::kResidentEdit));

  auto custom = accounts_->CreateRole(context_, "data_clerk", "数据录入员",
                                      {std::string(auth::permission::kImportRun)});
  ASSERT_TRUE(custom) << custom.error().ToString();
  EXPECT_FALSE(custom->builtin);
  EXPECT_EQ(accounts_->CreateRole(context_, "data_clerk", "x", {}).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(accounts_->CreateRole(context_, "Bad Code", "x", {}).error().code,
            ErrorCode::kInvalidArgument);
  auto history = database_->Read([&](Connection& connection) {
    return storage::ReadHistory(connection, "role", grid_role->id);
  });
  ASSERT_TRUE(history);
  EXPECT_EQ(history->size(), 2u);  // created, edited
}

TEST_P(AuthTest, UnmaskGrantsNeedPermissionPurposeAndScopeAndExpireAfterThirtyMinutes) {
  const auto social =
      MustCreateUser("social", {"social_worker"},
                     {{community_a_.id, ScopeKind::kView}, {city_.id, ScopeKind::kSearch}});
  const auto grid = MustCreateUser("grid", {"grid_worker"}, {{grid_a1_.id, ScopeKind::kCapture}});
  const Principal social_principal = MustLoadPrincipal(social.id);
  const Principal grid_principal = MustLoadPrincipal(grid.id);
  auth::UnmaskStore unmask(ids_, clock_);

  const auto grant = [&](const Principal& principal, Id resident, const Unit& unit,
                         std::string_view purpose) {
    return WriteValue(*database_, context_, [&](WriteTransaction& transaction) {
      return unmask.Grant(transaction, principal, resident, unit.path, purpose);
    });
  };
  const auto is_unmasked = [&](Id user, Id resident) {
    auto result = database_->Read(
        [&](Connection& connection) { return unmask.IsUnmasked(connection, user, resident); });
    EXPECT_TRUE(result) << result.error().ToString();
    return result && *result;
  };

  EXPECT_EQ(grant(grid_principal, resident_a1_, grid_a1_, "入户核查").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(grant(social_principal, resident_a1_, grid_a1_, "  ").error().code,
            ErrorCode::kInvalidArgument);
  // Search scope is not enough.
  EXPECT_EQ(grant(social_principal, resident_b1_, grid_b1_, "入户核查").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_FALSE(is_unmasked(social.id, resident_a1_));

  auto granted = grant(social_principal, resident_a1_, grid_a1_, "低保复核入户核查");
  ASSERT_TRUE(granted) << granted.error().ToString();
  EXPECT_EQ(granted->expires_at, clock_.NowMillis() + 30 * kMinute);
  EXPECT_TRUE(is_unmasked(social.id, resident_a1_));
  EXPECT_FALSE(is_unmasked(grid.id, resident_a1_));
  EXPECT_FALSE(is_unmasked(social.id, resident_b1_));
  const Id among[] = {resident_b1_, resident_a1_};
  auto listed = database_->Read(
      [&](Connection& connection) { return unmask.UnmaskedAmong(connection, social.id, among); });
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, std::vector<Id>{resident_a1_});

  const auto fields =
      auth::FieldsFor(social_principal, auth::AccessTo(social_principal, grid_a1_.path),
                      is_unmasked(social.id, resident_a1_));
  EXPECT_TRUE(fields.plain_id_number && fields.sensitive_tags);

  clock_.Advance(29 * kMinute);
  EXPECT_TRUE(is_unmasked(social.id, resident_a1_));
  clock_.Advance(1 * kMinute);
  EXPECT_FALSE(is_unmasked(social.id, resident_a1_));
}

INSTANTIATE_TEST_SUITE_P(Engines, AuthTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
