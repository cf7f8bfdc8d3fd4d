// AccountStore: sign-in, sessions, password changes and API tokens.
#include <algorithm>

#include "auth/account.hpp"
#include "auth/internal/credential_cache.hpp"
#include "auth/internal/login_throttle.hpp"
#include "auth/internal/names.hpp"
#include "auth/internal/secret.hpp"

namespace steward::auth {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::RowView;
using storage::Value;
using storage::WriteContext;
using storage::WriteTransaction;
using storage::WriteValue;

namespace {

// Longer "tokens" are refused before hashing: no valid one comes near.
constexpr size_t kMaxTokenLength = 256;
constexpr std::string_view kApiTokenPrefix = "stw_";
// Sign-in bookkeeping is nobody's edit.
const WriteContext kSignInContext{"system:auth", storage::Source::kConsole};

tl::unexpected<Error> BadCredentials() {
  return Fail(
      ErrorCode::kUnauthenticated, "用户名或密码错误 / wrong login or password",
      {{"login", std::string(kBadCredentials), "用户名或密码错误 / wrong login or password"}});
}

// "Try again later": why (`zh`, `en`), then the minutes left (`en_minutes` words them in
// English); the detail carries the seconds for the console's countdown.
tl::unexpected<Error> TryLater(ErrorCode code, std::string_view detail_code, std::string_view zh,
                               std::string_view en, std::string_view en_minutes,
                               int64_t millis_left) {
  const int64_t seconds = (millis_left + 999) / 1000;
  const std::string minutes = std::to_string((seconds + 59) / 60);
  return Fail(code,
              std::string(zh) + "，请 " + minutes + " 分钟后再试 / " + std::string(en) + minutes +
                  std::string(en_minutes),
              {{"retry_after_seconds", std::string(detail_code), std::to_string(seconds)}});
}

tl::unexpected<Error> Locked(int64_t millis_left) {
  return TryLater(ErrorCode::kPermissionDenied, kLocked, "登录失败次数过多，账号已锁定",
                  "too many failed sign-ins; the account is locked for ", " more minutes",
                  millis_left);
}

tl::unexpected<Error> Throttled(int64_t millis_left) {
  return TryLater(ErrorCode::kResourceExhausted, kThrottled, "此地址登录失败次数过多",
                  "too many failed sign-ins from this address; try again in ", " minutes",
                  millis_left);
}

tl::unexpected<Error> Unauthenticated() {
  return Fail(ErrorCode::kUnauthenticated, "请先登录 / please sign in",
              {{"session", std::string(kUnauthenticated), "请先登录 / please sign in"}});
}

// Reads the session row of `digest` with its user; nullopt when there is none.
struct SessionRow {
  Session session;
  bool disabled = false;
};

Result<std::optional<SessionRow>> ReadSession(Connection& connection, const std::string& digest) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows,
      connection.Query("SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, "
                       "s.last_seen_at, u.login, u.disabled, u.must_change_password "
                       "FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.id = ?",
                       {digest}));
  if (rows.empty()) return std::optional<SessionRow>();
  SessionRow row;
  row.session.user_id = rows.Int(0, 0);
  row.session.csrf_token = rows.Text(0, 1);
  row.session.created_at = rows.Int(0, 2);
  row.session.expires_at = rows.Int(0, 3);
  row.session.last_seen_at = rows.Int(0, 4);
  row.session.login = rows.Text(0, 5);
  row.disabled = rows.Int(0, 6) != 0;
  row.session.must_change_password = rows.Int(0, 7) != 0;
  return std::optional<SessionRow>(std::move(row));
}

Result<std::optional<std::string>> ReadPasswordHash(Connection& connection, Id user_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT password_hash FROM app_user WHERE id = ?", {user_id}));
  if (rows.empty()) return std::optional<std::string>();
  return rows.OptText(0, 0);
}

}  // namespace

Status AccountStore::CountFailedLogin(Id user_id, int64_t now, bool* locked_now) {
  *locked_now = false;
  return database_
      .Write(kSignInContext,
             [&](WriteTransaction& transaction) -> Status {
               Connection& connection = transaction.connection();
               STEWARD_ASSIGN_OR_RETURN(
                   auto failures,
                   connection.QueryInt("UPDATE app_user SET failed_logins = failed_logins + 1 "
                                       "WHERE id = ? RETURNING failed_logins",
                                       {user_id}));
               if (failures.value_or(0) >= options_.max_failed_logins) {
                 // The count starts again after the lock, so each lock takes as many failures.
                 STEWARD_TRY(connection.Execute(
                     "UPDATE app_user SET failed_logins = 0, locked_until = ? WHERE id = ?",
                     {now + options_.lockout_millis, user_id}));
                 *locked_now = true;
               }
               return Ok();
             })
      .map([](int64_t) {});
}

Status AccountStore::EndSessions(Connection& connection, Id user_id, std::string_view keep_digest) {
  return connection
      .Execute("DELETE FROM session WHERE user_id = ? AND id <> ?", {user_id, keep_digest})
      .map([](int64_t) {});
}

Result<LoginResult> AccountStore::Login(std::string_view login, std::string_view password,
                                        std::string_view client) {
  const int64_t now = clock_.NowMillis();
  // Before any lookup or hashing: a throttled address costs us nothing.
  if (const int64_t wait = throttle_->RetryAfter(client, now); wait > 0) return Throttled(wait);
  auto normalized = internal::NormalizeLogin(login);
  struct Account {
    Id id = 0;
    std::string hash;
    bool disabled = false;
    std::optional<int64_t> locked_until;
  };
  std::optional<Account> account;
  if (normalized) {
    STEWARD_ASSIGN_OR_RETURN(auto rows, database_.Read([&](Connection& connection) {
      return connection.Query(
          "SELECT id, password_hash, disabled, locked_until FROM app_user WHERE login = ?",
          {*normalized});
    }));
    if (!rows.empty()) {
      account = Account{rows.Int(0, 0), rows.Text(0, 1), rows.Int(0, 2) != 0, rows.OptInt(0, 3)};
    }
  }
  if (!account) {
    (void)VerifyPassword(dummy_hash_, password);  // as slow as a real check
    throttle_->CountFailure(client, now);
    return BadCredentials();
  }
  if (account->locked_until && *account->locked_until > now) {
    throttle_->CountFailure(client, now);
    return Locked(*account->locked_until - now);
  }
  if (password.size() > kMaxPasswordLength || !VerifyPassword(account->hash, password)) {
    throttle_->CountFailure(client, now);
    bool locked_now = false;
    STEWARD_TRY(CountFailedLogin(account->id, now, &locked_now));
    if (locked_now) return Locked(options_.lockout_millis);
    return BadCredentials();
  }
  if (account->disabled) {
    return Fail(ErrorCode::kPermissionDenied, "账号已停用 / the account is disabled",
                {{"login", std::string(kDisabled), "账号已停用 / the account is disabled"}});
  }

  LoginResult result;
  result.token = internal::RandomToken();
  Session& session = result.session;
  session.user_id = account->id;
  session.login = *normalized;
  session.csrf_token = internal::RandomToken();
  session.created_at = now;
  session.last_seen_at = now;
  session.expires_at =
      std::min(now + options_.session_idle_millis, now + options_.session_lifetime_millis);
  const std::string digest = internal::TokenDigest(result.token);
  STEWARD_TRY(database_.Write(kSignInContext, [&](WriteTransaction& transaction) -> Status {
    Connection& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(
        auto must_change,
        connection.QueryInt("UPDATE app_user SET failed_logins = 0, locked_until = NULL, "
                            "last_login_at = ? WHERE id = ? RETURNING must_change_password",
                            {now, account->id}));
    session.must_change_password = must_change.value_or(0) != 0;
    STEWARD_TRY(connection.Execute("DELETE FROM session WHERE user_id = ? AND expires_at <= ?",
                                   {account->id, now}));
    STEWARD_TRY(connection.Execute(
        "INSERT INTO session (id, user_id, csrf_token, created_at, expires_at, last_seen_at, "
        "client) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {digest, account->id, session.csrf_token, now, session.expires_at, now, client}));
    return Ok();
  }));
  return result;
}

Result<Session> AccountStore::LookupSession(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) return Unauthenticated();
  const int64_t now = clock_.NowMillis();
  const uint64_t generation = database_.generation();
  if (auto cached = credentials_->FindSession(token, generation, now)) return std::move(*cached);
  const std::string digest = internal::TokenDigest(token);
  STEWARD_ASSIGN_OR_RETURN(auto row, database_.Read([&](Connection& connection) {
    return ReadSession(connection, digest);
  }));
  if (!row) return Unauthenticated();
  if (row->session.expires_at <= now || row->disabled) {
    STEWARD_TRY(database_.Write(kSignInContext, [&](WriteTransaction& transaction) -> Status {
      return transaction.connection()
          .Execute("DELETE FROM session WHERE id = ?", {digest})
          .map([](int64_t) {});
    }));
    return Unauthenticated();
  }
  Session session = std::move(row->session);
  // Refreshing on every request would make every read a write; once a minute is precise enough.
  if (now - session.last_seen_at >= options_.session_refresh_millis) {
    const int64_t expires = std::min(now + options_.session_idle_millis,
                                     session.created_at + options_.session_lifetime_millis);
    STEWARD_TRY(database_.Write(kSignInContext, [&](WriteTransaction& transaction) -> Status {
      return transaction.connection()
          .Execute("UPDATE session SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                   {now, expires, digest})
          .map([](int64_t) {});
    }));
    session.last_seen_at = now;
    session.expires_at = expires;
  }
  credentials_->Store(token, generation, now, session);
  return session;
}

std::optional<Session> AccountStore::CachedSession(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  return credentials_->FindSession(token, database_.generation(), clock_.NowMillis());
}

std::optional<ApiToken> AccountStore::CachedApiToken(std::string_view token) const {
  if (!token.starts_with(kApiTokenPrefix) || token.size() > kMaxTokenLength) return std::nullopt;
  return credentials_->FindToken(token, database_.generation(), clock_.NowMillis());
}

Status AccountStore::Logout(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) return Ok();
  const std::string digest = internal::TokenDigest(token);
  credentials_->Forget(token);
  auto deleted = database_.Write(kSignInContext, [&](WriteTransaction& transaction) -> Status {
    return transaction.connection()
        .Execute("DELETE FROM session WHERE id = ?", {digest})
        .map([](int64_t) {});
  });
  credentials_->Forget(token);  // again: a lookup may have cached it while we deleted
  return deleted.map([](int64_t) {});
}

Result<int64_t> AccountStore::PurgeExpiredSessions() {
  const int64_t now = clock_.NowMillis();
  int64_t removed = 0;
  STEWARD_TRY(database_.Write(kSignInContext, [&](WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(removed, transaction.connection().Execute(
                                          "DELETE FROM session WHERE expires_at <= ?", {now}));
    return Ok();
  }));
  return removed;
}

Status AccountStore::StorePassword(const WriteContext& context, Id user_id,
                                   const std::string& new_hash,
                                   const std::optional<std::string>& old_hash,
                                   std::string_view keep_digest) {
  const int64_t now = clock_.NowMillis();
  const bool must_change = !old_hash;  // an admin's reset must be changed by the user
  return database_
      .Write(context,
             [&](WriteTransaction& transaction) -> Status {
               Connection& connection = transaction.connection();
               std::vector<Value> params{new_hash, int64_t{must_change}, now, now, user_id};
               if (old_hash) params.emplace_back(*old_hash);
               STEWARD_ASSIGN_OR_RETURN(
                   auto version,
                   connection.QueryInt(std::string("UPDATE app_user SET password_hash = ?, "
                                                   "must_change_password = ?, "
                                                   "password_changed_at = ?, failed_logins = 0, "
                                                   "locked_until = NULL, version = version + 1, "
                                                   "updated_at = ? WHERE id = ?") +
                                           (old_hash ? " AND password_hash = ?" : "") +
                                           " RETURNING version",
                                       params));
               if (!version && old_hash) {
                 return Fail(ErrorCode::kConflict,
                             "密码已被修改，请重试 / the password changed meanwhile; try again");
               }
               if (!version) return Fail(ErrorCode::kNotFound, "没有这个账号 / no such user");
               STEWARD_TRY(EndSessions(connection, user_id, keep_digest));
               // Only that it changed: never a hash.
               transaction.RecordChange(
                   ChangeRecord{"app_user",
                                user_id,
                                *version,
                                ChangeOp::kUpdate,
                                {{"password_changed_at", {{"new", now}}},
                                 {"must_change_password", {{"new", must_change}}}}});
               return Ok();
             })
      .map([](int64_t) {});
}

Status AccountStore::ChangePassword(const WriteContext& context, Id user_id,
                                    std::string_view old_password, std::string_view new_password,
                                    std::string_view keep_session_token) {
  STEWARD_ASSIGN_OR_RETURN(auto hash, database_.Read([&](Connection& connection) {
    return ReadPasswordHash(connection, user_id);
  }));
  if (!hash) return Fail(ErrorCode::kNotFound, "没有这个账号 / no such user");
  if (old_password.size() > kMaxPasswordLength || !VerifyPassword(*hash, old_password)) {
    bool locked_now = false;
    STEWARD_TRY(CountFailedLogin(user_id, clock_.NowMillis(), &locked_now));
    return Fail(ErrorCode::kPermissionDenied, "原密码不正确 / the current password is wrong",
                {{"old_password", std::string(kBadCredentials),
                  "原密码不正确 / the current password is wrong"}});
  }
  STEWARD_TRY(CheckPasswordPolicy(new_password));
  if (new_password == old_password) {
    return Fail(ErrorCode::kInvalidArgument,
                "新密码不能与原密码相同 / the new password must differ from the current one",
                {{"password", "password.unchanged",
                  "新密码不能与原密码相同 / the new password must differ from the current one"}});
  }
  STEWARD_ASSIGN_OR_RETURN(const std::string new_hash,
                           HashPassword(new_password, options_.password));
  const std::string keep_digest =
      keep_session_token.empty() ? std::string() : internal::TokenDigest(keep_session_token);
  return StorePassword(context, user_id, new_hash, *hash, keep_digest);
}

Status AccountStore::ResetPassword(const WriteContext& context, Id user_id,
                                   std::string_view new_password) {
  STEWARD_TRY(CheckPasswordPolicy(new_password));
  STEWARD_ASSIGN_OR_RETURN(const std::string hash, HashPassword(new_password, options_.password));
  return StorePassword(context, user_id, hash, std::nullopt, "");
}

// ---- API tokens ----

Result<NewApiToken> AccountStore::CreateApiToken(const WriteContext& context, Id user_id,
                                                 std::string_view name,
                                                 std::optional<int64_t> expires_at) {
  if (name.empty() || name.size() > 200) {
    return Fail(ErrorCode::kInvalidArgument, "令牌名称必填 / a token needs a name",
                {{"name", "required", "必填（最多 200 字节）/ required (at most 200 bytes)"}});
  }
  const int64_t now = clock_.NowMillis();
  if (expires_at && *expires_at <= now) {
    return Fail(ErrorCode::kInvalidArgument,
                "过期时间须晚于现在 / the expiry must be in the future",
                {{"expires_at", "past", "过期时间须晚于现在 / the expiry must be in the future"}});
  }
  NewApiToken created;
  created.token = std::string(kApiTokenPrefix) + internal::RandomToken();
  created.info =
      ApiToken{ids_.Next(), user_id, std::string(name), now, expires_at, std::nullopt, 1};
  const std::string digest = internal::TokenDigest(created.token);
  STEWARD_TRY(database_.Write(context, [&](WriteTransaction& transaction) -> Status {
    Connection& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(
        auto user, connection.QueryInt("SELECT id FROM app_user WHERE id = ?", {user_id}));
    if (!user) return Fail(ErrorCode::kNotFound, "没有这个账号 / no such user");
    STEWARD_TRY(connection.Execute(
        "INSERT INTO api_token (id, token_hash, user_id, name, created_at, expires_at, "
        "version) VALUES (?, ?, ?, ?, ?, ?, 1)",
        {created.info.id, digest, user_id, name, now, storage::OrNull(expires_at)}));
    transaction.RecordChange(ChangeRecord{
        "api_token",
        created.info.id,
        1,
        ChangeOp::kCreate,
        {{"user_id", user_id},
         {"name", name},
         {"expires_at", expires_at ? nlohmann::json(*expires_at) : nlohmann::json()}}});
    return Ok();
  }));
  return created;
}

Result<ApiToken> AccountStore::LookupApiToken(std::string_view token) {
  if (!token.starts_with(kApiTokenPrefix) || token.size() > kMaxTokenLength) {
    return Unauthenticated();
  }
  const int64_t now = clock_.NowMillis();
  const uint64_t generation = database_.generation();
  if (auto cached = credentials_->FindToken(token, generation, now)) return std::move(*cached);
  const std::string digest = internal::TokenDigest(token);
  STEWARD_ASSIGN_OR_RETURN(auto rows, database_.Read([&](Connection& connection) {
    return connection.Query(
        "SELECT t.id, t.user_id, t.name, t.created_at, t.expires_at, t.revoked_at, t.version, "
        "u.disabled FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ?",
        {digest});
  }));
  if (rows.empty()) return Unauthenticated();
  ApiToken info{rows.Int(0, 0),    rows.Int(0, 1),    rows.Text(0, 2), rows.Int(0, 3),
                rows.OptInt(0, 4), rows.OptInt(0, 5), rows.Int(0, 6)};
  if (info.revoked_at || (info.expires_at && *info.expires_at <= now) || rows.Int(0, 7) != 0) {
    return Unauthenticated();
  }
  credentials_->Store(token, generation, now, info);
  return info;
}

Result<std::vector<ApiToken>> AccountStore::ListApiTokens(Id user_id) {
  return database_.Read([&](Connection& connection) -> Result<std::vector<ApiToken>> {
    std::vector<ApiToken> tokens;
    const Value params[] = {user_id};
    STEWARD_TRY(connection.QueryEach(
        "SELECT id, user_id, name, created_at, expires_at, revoked_at, version FROM api_token "
        "WHERE user_id = ? ORDER BY id",
        params, [&](const RowView& row) {
          tokens.push_back(ApiToken{row.Int(0), row.Int(1), std::string(row.Text(2)), row.Int(3),
                                    row.OptInt(4), row.OptInt(5), row.Int(6)});
        }));
    return tokens;
  });
}

Status AccountStore::RevokeApiToken(const WriteContext& context, Id token_id) {
  const int64_t now = clock_.NowMillis();
  return database_
      .Write(context,
             [&](WriteTransaction& transaction) -> Status {
               STEWARD_ASSIGN_OR_RETURN(
                   auto version, transaction.connection().QueryInt(
                                     "UPDATE api_token SET revoked_at = ?, version = version + 1 "
                                     "WHERE id = ? AND revoked_at IS NULL RETURNING version",
                                     {now, token_id}));
               if (!version) {
                 return Fail(ErrorCode::kNotFound,
                             "没有这个有效令牌 / no such token, or it is already revoked");
               }
               transaction.RecordChange(
                   ChangeRecord{"api_token",
                                token_id,
                                *version,
                                ChangeOp::kUpdate,
                                {{"revoked_at", {{"old", nullptr}, {"new", now}}}}});
               return Ok();
             })
      .map([](int64_t) {});
}

}  // namespace steward::auth
