// Accounts: users, roles, sign-in (sessions and API tokens) and the initial administrator.
//
// What is stored: passwords as argon2id hashes (auth/password.hpp); session and API tokens as the
// SHA-256 of a 256-bit random token, which is handed to the caller once and never kept. Neither
// hashes nor tokens ever enter the change log, a log line or an error message.
// Sign-in rules:
// - An unknown login and a wrong password give the same error (detail code kBadCredentials), and
//   cost the same time (an unknown login is checked against a dummy hash).
// - After max_failed_logins consecutive failures the account is locked for `lockout`; while locked
//   every attempt is refused with kLocked and the seconds left (detail field
//   "retry_after_seconds"). A success resets the count.
// - Per client address as well: after max_failed_logins_per_client failed sign-ins from one address
//   within client_window, every sign-in from it is refused with kResourceExhausted (kThrottled,
//   "retry_after_seconds") whatever the login, before any password is checked. Counted in memory
//   (auth/internal/login_throttle.hpp): a restart forgets it.
// - A session expires after `session_idle` without requests and at the latest `session_lifetime`
//   after sign-in; LookupSession moves its expiry on, writing at most once per `session_refresh`.
// - Disabled users cannot sign in, and their sessions and tokens stop working at once.
// History: creating and changing users, roles and API tokens goes through Database::Write with
// RecordChange; sign-in bookkeeping (failure counts, locks, sessions) is operational state, kept
// out of the history and out of record versions (the audit log records sign-ins).
// Threads: AccountStore is thread-safe (the database serialises; the per-address failure counts
// have their own lock).
// Password hashing runs outside any transaction, so it never holds SQLite's write lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.hpp"
#include "auth/policy.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::auth {

// Detail codes of sign-in failures: bad credentials and unknown sessions are kUnauthenticated
// (401); a locked or disabled account is kPermissionDenied (403).
inline constexpr std::string_view kBadCredentials = "auth.bad_credentials";
inline constexpr std::string_view kLocked = "auth.locked";
inline constexpr std::string_view kDisabled = "auth.disabled";
inline constexpr std::string_view kUnauthenticated = "auth.unauthenticated";
inline constexpr std::string_view kThrottled = "auth.throttled";  // kResourceExhausted (429)
// The detail code of `error`'s first detail, or "" when it has none.
std::string_view DetailCode(const Error& error);

struct AccountOptions {
  PasswordOptions password;
  int max_failed_logins = 5;
  int64_t lockout_millis = 15 * 60 * 1000;
  int max_failed_logins_per_client = 20;  // 0: no per-address throttle
  int64_t client_window_millis = 10 * 60 * 1000;
  int64_t session_idle_millis = 12 * 3600 * 1000;
  int64_t session_lifetime_millis = int64_t{7} * 24 * 3600 * 1000;
  int64_t session_refresh_millis = 60 * 1000;
};

struct UnitAssignment {
  Id unit_id = 0;
  ScopeKind scope = ScopeKind::kView;
  friend bool operator==(const UnitAssignment&, const UnitAssignment&) = default;
};

struct NewUser {
  std::string login;         // 2-64 of a-z 0-9 . _ - @; stored in lower case
  std::string display_name;  // empty: the login
  std::string password;      // must pass CheckPasswordPolicy
  std::vector<std::string> roles;
  std::vector<UnitAssignment> units;
  bool must_change_password = false;
};

// What an admin changes on a user; fields left empty stay as they are.
struct UserChange {
  std::optional<std::string> display_name;  // empty: the login
  std::optional<std::vector<std::string>> roles;
  std::optional<std::vector<UnitAssignment>> units;
  std::optional<bool> disabled;  // disabling ends the user's sessions
};

struct User {
  Id id = 0;
  std::string login;
  std::string display_name;
  bool must_change_password = false;
  bool disabled = false;
  int failed_logins = 0;
  std::optional<int64_t> locked_until;
  std::optional<int64_t> last_login_at;
  std::vector<std::string> roles;     // sorted
  std::vector<UnitAssignment> units;  // by unit id, then scope
  int64_t version = 0;
  int64_t created_at = 0;
};

struct Role {
  Id id = 0;
  std::string code;
  std::string name;
  bool builtin = false;
  std::vector<std::string> permissions;  // sorted
  int64_t version = 0;
};

struct Session {
  Id user_id = 0;
  std::string login;
  std::string csrf_token;  // the console sends it back in a header on every unsafe request
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_seen_at = 0;
  bool must_change_password = false;  // the console allows only a password change until then
};

struct LoginResult {
  std::string token;  // the session cookie's value; shown once, stored only as its digest
  Session session;
};

struct ApiToken {
  Id id = 0;
  Id user_id = 0;
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> revoked_at;
  int64_t version = 0;
};

struct NewApiToken {
  std::string token;  // "stw_" + 43 characters; shown once
  ApiToken info;
};

struct InitialAdmin {
  std::string login;
  std::string password;  // for the caller to print once
  std::filesystem::path file;
};

enum class AccountState { kActive, kDisabled };

namespace internal {
class CredentialCache;
class LoginThrottle;
}  // namespace internal

class AccountStore {
 public:
  // Hashes a dummy password once (to time unknown logins like known ones).
  AccountStore(storage::Database& database, IdGenerator& ids, const Clock& clock,
               AccountOptions options = {});
  ~AccountStore();

  // Roles. EnsureBuiltinRoles creates missing built-in roles and gives each default permission of
  // auth/permission.hpp once (role_default_applied), so admins' edits stick. Run at every start.
  Status EnsureBuiltinRoles(const storage::WriteContext& context);
  Result<std::vector<Role>> ListRoles();
  Result<Role> CreateRole(const storage::WriteContext& context, std::string_view code,
                          std::string_view name, const std::vector<std::string>& permissions);
  // Replaces a role's permissions (all from the catalogue); kConflict on a stale version.
  Result<Role> SetRolePermissions(const storage::WriteContext& context, std::string_view code,
                                  int64_t expected_version,
                                  const std::vector<std::string>& permissions);
  // Deletes a role that is not built in and that no user holds; returns it as it was. kNotFound;
  // kFailedPrecondition with detail code "role.builtin", or "role.in_use" whose message is the
  // number of users holding it.
  Result<Role> DeleteRole(const storage::WriteContext& context, std::string_view code);

  // Users.
  Result<User> CreateUser(const storage::WriteContext& context, const NewUser& user);
  Result<std::vector<User>> ListUsers();
  Result<std::optional<User>> FindByLogin(std::string_view login);
  Result<User> GetUser(Id user_id);
  Status SetState(const storage::WriteContext& context, Id user_id, AccountState state);
  // Applies `change` in one transaction and returns the user as now stored (the same version when
  // nothing differs). With `expected_version`, kConflict when the user's version is another; roles
  // and units are checked like CreateUser's (kInvalidArgument). The history records old and new
  // values; the change log moving on is what makes cached principals (the API's) reload.
  Result<User> UpdateUser(const storage::WriteContext& context, Id user_id,
                          std::optional<int64_t> expected_version, const UserChange& change);
  // An admin sets a new password; the user must change it at next sign-in; sessions end.
  Status ResetPassword(const storage::WriteContext& context, Id user_id,
                       std::string_view new_password);

  // Sign-in. `client` is the client's address, kept with the session.
  Result<LoginResult> Login(std::string_view login, std::string_view password,
                            std::string_view client);
  // The live session of `token`, its expiry moved on; kUnauthenticated when
  // unknown, expired or its user disabled.
  Result<Session> LookupSession(std::string_view token);
  // Without blocking: the session or token as LookupSession / LookupApiToken last found it, while
  // nothing has changed since (see internal/credential_cache.hpp); nullopt when only the database
  // can tell (then call the Lookup). For the HTTP server's io threads.
  std::optional<Session> CachedSession(std::string_view token) const;
  std::optional<ApiToken> CachedApiToken(std::string_view token) const;
  Status Logout(std::string_view token);
  // Checks the old password (a wrong one counts as a failed sign-in), applies the policy, clears
  // must_change_password and ends the user's other sessions (all but `keep_session_token`).
  Status ChangePassword(const storage::WriteContext& context, Id user_id,
                        std::string_view old_password, std::string_view new_password,
                        std::string_view keep_session_token);
  // Removes expired sessions; returns how many.
  Result<int64_t> PurgeExpiredSessions();

  // API tokens (bearer tokens for integrations).
  Result<NewApiToken> CreateApiToken(const storage::WriteContext& context, Id user_id,
                                     std::string_view name, std::optional<int64_t> expires_at);
  Result<ApiToken> LookupApiToken(std::string_view token);
  Result<std::vector<ApiToken>> ListApiTokens(Id user_id);
  Status RevokeApiToken(const storage::WriteContext& context, Id token_id);

  // When no user exists: ensures the built-in roles and creates `admin` (city_admin, capture on
  // every current top-level unit) with a random 16-character password that must be changed, and
  // writes it to <data_dir>/initial-admin.txt (mode 0600, the folder created 0700). Returns the
  // password for the caller to print once, or nullopt when users exist. Run it after the hierarchy
  // is bootstrapped: an admin created before any unit exists has no data scope.
  Result<std::optional<InitialAdmin>> EnsureInitialAdmin(const std::filesystem::path& data_dir);

 private:
  Result<User> InsertUser(storage::WriteTransaction& transaction, const NewUser& user,
                          const std::string& password_hash);
  Status CountFailedLogin(Id user_id, int64_t now, bool* locked_now);
  Status EndSessions(storage::Connection& connection, Id user_id, std::string_view keep_digest);
  // Stores a new password hash (the caller checked the policy and hashed outside the transaction)
  // and ends the user's sessions but `keep_digest`. With `old_hash` (the user's own change) it
  // must still be the stored hash (else kConflict) and must_change_password clears; without (an
  // admin's reset) must_change_password is set.
  Status StorePassword(const storage::WriteContext& context, Id user_id,
                       const std::string& new_hash, const std::optional<std::string>& old_hash,
                       std::string_view keep_digest);

  storage::Database& database_;
  IdGenerator& ids_;
  const Clock& clock_;
  const AccountOptions options_;
  const std::string dummy_hash_;
  const std::unique_ptr<internal::LoginThrottle> throttle_;  // failed sign-ins per address
  const std::unique_ptr<internal::CredentialCache> credentials_;
};

}  // namespace steward::auth
