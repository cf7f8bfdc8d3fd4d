// AccountStore: users and roles. Sign-in and tokens are in session.cpp, the initial administrator
// in initial_admin.cpp.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "auth/account.hpp"
#include "auth/internal/credential_cache.hpp"
#include "auth/internal/login_throttle.hpp"
#include "auth/internal/names.hpp"
#include "auth/permission.hpp"

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

constexpr std::string_view kUserColumns =
    "id, login, display_name, must_change_password, disabled, failed_logins, locked_until, "
    "last_login_at, version, created_at";

nlohmann::json UnitsJson(const std::vector<UnitAssignment>& units) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& unit : units) {
    list.push_back({{"unit_id", unit.unit_id}, {"scope", ScopeKindName(unit.scope)}});
  }
  return list;
}

// Users matching `where` (with its parameters), with their roles and units.
Result<std::vector<User>> QueryUsers(Connection& connection, std::string_view where,
                                     std::span<const Value> params) {
  std::vector<User> users;
  std::map<Id, size_t> index;
  STEWARD_TRY(connection.QueryEach("SELECT " + std::string(kUserColumns) + " FROM app_user " +
                                       std::string(where) + " ORDER BY login",
                                   params, [&](const RowView& row) {
                                     User user;
                                     user.id = row.Int(0);
                                     user.login = row.Text(1);
                                     user.display_name = row.Text(2);
                                     user.must_change_password = row.Int(3) != 0;
                                     user.disabled = row.Int(4) != 0;
                                     user.failed_logins = static_cast<int>(row.Int(5));
                                     user.locked_until = row.OptInt(6);
                                     user.last_login_at = row.OptInt(7);
                                     user.version = row.Int(8);
                                     user.created_at = row.Int(9);
                                     index.emplace(user.id, users.size());
                                     users.push_back(std::move(user));
                                   }));
  if (users.empty()) return users;
  // Few users and few rows each: read the link tables whole when listing, by user otherwise.
  const bool one = users.size() == 1;
  const Value one_user[] = {users.front().id};
  const std::span<const Value> link_params =
      one ? std::span<const Value>(one_user) : std::span<const Value>();
  const std::string filter = one ? " WHERE user_id = ?" : "";
  STEWARD_TRY(connection.QueryEach(
      "SELECT user_id, role_code FROM user_role" + filter + " ORDER BY role_code", link_params,
      [&](const RowView& row) {
        if (auto found = index.find(row.Int(0)); found != index.end()) {
          users[found->second].roles.emplace_back(row.Text(1));
        }
      }));
  STEWARD_TRY(connection.QueryEach(
      "SELECT user_id, unit_id, scope FROM user_unit" + filter + " ORDER BY unit_id, scope",
      link_params, [&](const RowView& row) {
        ScopeKind scope = ScopeKind::kView;
        if (!ParseScopeKind(row.Text(2), &scope)) return;
        if (auto found = index.find(row.Int(0)); found != index.end()) {
          users[found->second].units.push_back({row.Int(1), scope});
        }
      }));
  return users;
}

Result<std::vector<Role>> QueryRoles(Connection& connection, std::optional<std::string_view> code) {
  std::vector<Role> roles;
  std::map<std::string, size_t, std::less<>> index;
  std::vector<Value> params;
  if (code) params.emplace_back(*code);
  STEWARD_TRY(
      connection.QueryEach(std::string("SELECT id, code, name, builtin, version FROM role") +
                               (code ? " WHERE code = ?" : "") + " ORDER BY builtin DESC, code",
                           params, [&](const RowView& row) {
                             Role role;
                             role.id = row.Int(0);
                             role.code = row.Text(1);
                             role.name = row.Text(2);
                             role.builtin = row.Int(3) != 0;
                             role.version = row.Int(4);
                             index.emplace(role.code, roles.size());
                             roles.push_back(std::move(role));
                           }));
  STEWARD_TRY(connection.QueryEach(
      std::string("SELECT role_code, permission FROM role_permission") +
          (code ? " WHERE role_code = ?" : "") + " ORDER BY role_code, permission",
      params, [&](const RowView& row) {
        if (auto found = index.find(row.Text(0)); found != index.end()) {
          roles[found->second].permissions.emplace_back(row.Text(1));
        }
      }));
  return roles;
}

Status CheckPermissions(const std::vector<std::string>& permissions) {
  for (const auto& permission : permissions) {
    if (!IsKnownPermission(permission)) {
      return Fail(ErrorCode::kInvalidArgument, "未知权限 / unknown permission: " + permission,
                  {{"permissions", "permission.unknown", permission}});
    }
  }
  return Ok();
}

std::vector<std::string> SortedUnique(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

Status InsertPermissions(Connection& connection, std::string_view role_code,
                         const std::vector<std::string>& permissions) {
  for (const auto& permission : permissions) {
    STEWARD_TRY(connection.Execute(
        "INSERT INTO role_permission (role_code, permission) VALUES (?, ?) ON CONFLICT DO NOTHING",
        {role_code, permission}));
  }
  return Ok();
}

// Sorted and unique; kInvalidArgument naming the first role that does not exist.
Result<std::vector<std::string>> CheckedRoles(Connection& connection,
                                              const std::vector<std::string>& spec) {
  auto roles = SortedUnique(spec);
  for (const auto& role : roles) {
    STEWARD_ASSIGN_OR_RETURN(auto found,
                             connection.QueryInt("SELECT id FROM role WHERE code = ?", {role}));
    if (!found) {
      return Fail(ErrorCode::kInvalidArgument, "没有这个角色 / no such role: " + role,
                  {{"roles", "role.unknown", role}});
    }
  }
  return roles;
}

// Ordered by unit id, then scope kind, without duplicates.
std::vector<UnitAssignment> SortedUnits(std::vector<UnitAssignment> units) {
  std::sort(units.begin(), units.end(), [](const UnitAssignment& a, const UnitAssignment& b) {
    return std::pair(a.unit_id, int(a.scope)) < std::pair(b.unit_id, int(b.scope));
  });
  units.erase(std::unique(units.begin(), units.end()), units.end());
  return units;
}

// SortedUnits; kInvalidArgument for an unknown unit.
Result<std::vector<UnitAssignment>> CheckedUnits(Connection& connection,
                                                 const std::vector<UnitAssignment>& spec) {
  auto units = SortedUnits(spec);
  for (const auto& unit : units) {
    STEWARD_ASSIGN_OR_RETURN(
        auto found, connection.QueryInt("SELECT id FROM org_unit WHERE id = ?", {unit.unit_id}));
    if (!found) {
      return Fail(ErrorCode::kInvalidArgument, "没有这个组织 / no such unit",
                  {{"units", "unit.unknown", std::to_string(unit.unit_id)}});
    }
  }
  return units;
}

Status InsertRolesAndUnits(Connection& connection, Id user_id,
                           const std::vector<std::string>& roles,
                           const std::vector<UnitAssignment>& units) {
  for (const auto& role : roles) {
    STEWARD_TRY(connection.Execute("INSERT INTO user_role (user_id, role_code) VALUES (?, ?)",
                                   {user_id, role}));
  }
  for (const auto& unit : units) {
    STEWARD_TRY(
        connection.Execute("INSERT INTO user_unit (user_id, unit_id, scope) VALUES (?, ?, ?)",
                           {user_id, unit.unit_id, ScopeKindName(unit.scope)}));
  }
  return Ok();
}

}  // namespace

std::string_view DetailCode(const Error& error) {
  return error.details.empty() ? std::string_view() : std::string_view(error.details.front().code);
}

AccountStore::AccountStore(storage::Database& database, IdGenerator& ids, const Clock& clock,
                           AccountOptions options)
    : database_(database),
      ids_(ids),
      clock_(clock),
      options_(std::move(options)),
      dummy_hash_([this] {
        auto hash = HashPassword(GeneratePassword(), options_.password);
        if (!hash) throw std::runtime_error("cannot hash a password: " + hash.error().ToString());
        return *hash;
      }()),
      throttle_(std::make_unique<internal::LoginThrottle>(options_.max_failed_logins_per_client,
                                                          options_.client_window_millis)),
      credentials_(std::make_unique<internal::CredentialCache>(options_.session_refresh_millis)) {}

AccountStore::~AccountStore() = default;

// ---- Roles ----

Status AccountStore::EnsureBuiltinRoles(const WriteContext& context) {
  const int64_t now = clock_.NowMillis();
  return database_
      .Write(context,
             [&](WriteTransaction& transaction) -> Status {
               Connection& connection = transaction.connection();
               for (const BuiltinRole& builtin : BuiltinRoles()) {
                 STEWARD_ASSIGN_OR_RETURN(auto existing, QueryRoles(connection, builtin.code));
                 const bool created = existing.empty();
                 Id role_id = created ? ids_.Next() : existing.front().id;
                 if (created) {
                   STEWARD_TRY(connection.Execute(
                       "INSERT INTO role (id, code, name, builtin, version, created_at, "
                       "updated_at) VALUES (?, ?, ?, 1, 1, ?, ?)",
                       {role_id, builtin.code, builtin.name_zh, now, now}));
                 }
                 std::vector<std::string> added;
                 for (const std::string_view permission : builtin.permissions) {
                   STEWARD_ASSIGN_OR_RETURN(
                       auto applied,
                       connection.Execute("INSERT INTO role_default_applied (role_code, "
                                          "permission) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                          {builtin.code, permission}));
                   if (applied == 1) added.emplace_back(permission);
                 }
                 STEWARD_TRY(InsertPermissions(connection, builtin.code, added));
                 if (created) {
                   transaction.RecordChange(ChangeRecord{"role",
                                                         role_id,
                                                         1,
                                                         ChangeOp::kCreate,
                                                         {{"code", builtin.code},
                                                          {"name", builtin.name_zh},
                                                          {"builtin", true},
                                                          {"permissions", SortedUnique(added)}}});
                 } else if (!added.empty()) {
                   const auto& old_permissions = existing.front().permissions;
                   std::vector<std::string> now_permissions = old_permissions;
                   now_permissions.insert(now_permissions.end(), added.begin(), added.end());
                   STEWARD_ASSIGN_OR_RETURN(
                       auto version,
                       connection.QueryInt("UPDATE role SET version = version + 1, updated_at = ? "
                                           "WHERE id = ? RETURNING version",
                                           {now, role_id}));
                   transaction.RecordChange(ChangeRecord{
                       "role",
                       role_id,
                       version.value_or(0),
                       ChangeOp::kUpdate,
                       {{"permissions",
                         {{"old", old_permissions}, {"new", SortedUnique(now_permissions)}}}}});
                 }
               }
               return Ok();
             })
      .map([](int64_t) {});
}

Result<std::vector<Role>> AccountStore::ListRoles() {
  return database_.Read([&](Connection& connection) { return QueryRoles(connection, {}); });
}

Result<Role> AccountStore::CreateRole(const WriteContext& context, std::string_view code,
                                      std::string_view name,
                                      const std::vector<std::string>& permissions) {
  STEWARD_TRY(internal::CheckRoleCode(code));
  STEWARD_TRY(CheckPermissions(permissions));
  if (name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "角色名称必填 / a role needs a name",
                {{"name", "required", "必填 / required"}});
  }
  const int64_t now = clock_.NowMillis();
  return WriteValue(database_, context, [&](WriteTransaction& transaction) -> Result<Role> {
    Connection& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(auto existing, QueryRoles(connection, code));
    if (!existing.empty()) {
      return Fail(ErrorCode::kAlreadyExists, "角色代码已存在 / the role code is taken",
                  {{"code", "role.exists", std::string(code)}});
    }
    const Id id = ids_.Next();
    STEWARD_TRY(connection.Execute(
        "INSERT INTO role (id, code, name, builtin, version, created_at, updated_at) "
        "VALUES (?, ?, ?, 0, 1, ?, ?)",
        {id, code, name, now, now}));
    const auto sorted = SortedUnique(permissions);
    STEWARD_TRY(InsertPermissions(connection, code, sorted));
    transaction.RecordChange(ChangeRecord{
        "role",
        id,
        1,
        ChangeOp::kCreate,
        {{"code", code}, {"name", name}, {"builtin", false}, {"permissions", sorted}}});
    return Role{id, std::string(code), std::string(name), false, sorted, 1};
  });
}

Result<Role> AccountStore::SetRolePermissions(const WriteContext& context, std::string_view code,
                                              int64_t expected_version,
                                              const std::vector<std::string>& permissions) {
  STEWARD_TRY(CheckPermissions(permissions));
  const int64_t now = clock_.NowMillis();
  return WriteValue(database_, context, [&](WriteTransaction& transaction) -> Result<Role> {
    Connection& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(
        auto version, connection.QueryInt("UPDATE role SET version = version + 1, updated_at = ? "
                                          "WHERE code = ? AND version = ? RETURNING version",
                                          {now, code, expected_version}));
    STEWARD_ASSIGN_OR_RETURN(auto roles, QueryRoles(connection, code));
    if (roles.empty()) {
      return Fail(ErrorCode::kNotFound, "没有这个角色 / no such role",
                  {{"code", "role.unknown", std::string(code)}});
    }
    if (!version) {
      return Fail(ErrorCode::kConflict,
                  "角色已被他人修改，请刷新后重试 / the role was changed meanwhile; reload it");
    }
    Role role = std::move(roles.front());
    const auto sorted = SortedUnique(permissions);
    STEWARD_TRY(connection.Execute("DELETE FROM role_permission WHERE role_code = ?", {code}));
    STEWARD_TRY(InsertPermissions(connection, code, sorted));
    transaction.RecordChange(
        ChangeRecord{"role",
                     role.id,
                     *version,
                     ChangeOp::kUpdate,
                     {{"permissions", {{"old", role.permissions}, {"new", sorted}}}}});
    role.permissions = sorted;
    role.version = *version;
    return role;
  });
}

Result<Role> AccountStore::DeleteRole(const WriteContext& context, std::string_view code) {
  return WriteValue(database_, context, [&](WriteTransaction& transaction) -> Result<Role> {
    Connection& connection = transaction.connection();
    STEWARD_ASSIGN_OR_RETURN(auto roles, QueryRoles(connection, code));
    if (roles.empty()) {
      return Fail(ErrorCode::kNotFound, "没有这个角色 / no such role",
                  {{"code", "role.unknown", std::string(code)}});
    }
    Role role = std::move(roles.front());
    if (role.builtin) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "内置角色不能删除 / a built-in role cannot be deleted",
                  {{"code", "role.builtin", "内置角色 / built-in role"}});
    }
    STEWARD_ASSIGN_OR_RETURN(
        auto holders,
        connection.QueryInt("SELECT count(*) FROM user_role WHERE role_code = ?", {code}));
    if (holders.value_or(0) > 0) {
      const std::string count = std::to_string(*holders);
      return Fail(ErrorCode::kFailedPrecondition,
                  "仍有 " + count + " 个账号使用该角色，请先取消分配 / " + count +
                      " user(s) still hold this role; take it from them first",
                  {{"code", "role.in_use", count}});
    }
    STEWARD_TRY(connection.Execute("DELETE FROM role_permission WHERE role_code = ?", {code}));
    STEWARD_TRY(connection.Execute("DELETE FROM role WHERE id = ?", {role.id}));
    transaction.RecordChange(ChangeRecord{
        "role",
        role.id,
        role.version + 1,
        ChangeOp::kDelete,
        {{"code", role.code}, {"name", role.name}, {"permissions", role.permissions}}});
    return role;
  });
}

// ---- Users ----

Result<User> AccountStore::InsertUser(WriteTransaction& transaction, const NewUser& spec,
                                      const std::string& password_hash) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(const std::string login, internal::NormalizeLogin(spec.login));
  STEWARD_ASSIGN_OR_RETURN(auto taken,
                           connection.QueryInt("SELECT id FROM app_user WHERE login = ?", {login}));
  if (taken) {
    return Fail(ErrorCode::kAlreadyExists, "登录名已被占用 / the login is taken",
                {{"login", "login.exists", "登录名已被占用 / the login is taken"}});
  }
  STEWARD_ASSIGN_OR_RETURN(const auto roles, CheckedRoles(connection, spec.roles));
  STEWARD_ASSIGN_OR_RETURN(const auto units, CheckedUnits(connection, spec.units));

  User user;
  user.id = ids_.Next();
  user.login = login;
  user.display_name = spec.display_name.empty() ? login : spec.display_name;
  user.must_change_password = spec.must_change_password;
  user.roles = roles;
  user.units = units;
  user.version = 1;
  user.created_at = clock_.NowMillis();
  STEWARD_TRY(connection.Execute(
      "INSERT INTO app_user (id, login, display_name, password_hash, must_change_password, "
      "disabled, failed_logins, password_changed_at, version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, 0, 0, ?, 1, ?, ?)",
      {user.id, user.login, user.display_name, password_hash, int64_t{user.must_change_password},
       user.created_at, user.created_at, user.created_at}));
  STEWARD_TRY(InsertRolesAndUnits(connection, user.id, roles, units));
  // Never the password or its hash.
  transaction.RecordChange(ChangeRecord{"app_user",
                                        user.id,
                                        1,
                                        ChangeOp::kCreate,
                                        {{"login", user.login},
                                         {"display_name", user.display_name},
                                         {"must_change_password", user.must_change_password},
                                         {"disabled", false},
                                         {"roles", roles},
                                         {"units", UnitsJson(units)}}});
  return user;
}

Result<User> AccountStore::CreateUser(const WriteContext& context, const NewUser& spec) {
  STEWARD_TRY(internal::NormalizeLogin(spec.login));
  STEWARD_TRY(CheckPasswordPolicy(spec.password));
  // Hash before the transaction: it takes tens of milliseconds.
  STEWARD_ASSIGN_OR_RETURN(const std::string hash, HashPassword(spec.password, options_.password));
  return WriteValue(database_, context, [&](WriteTransaction& transaction) {
    return InsertUser(transaction, spec, hash);
  });
}

Result<std::vector<User>> AccountStore::ListUsers() {
  return database_.Read([&](Connection& connection) { return QueryUsers(connection, "", {}); });
}

Result<std::optional<User>> AccountStore::FindByLogin(std::string_view login) {
  auto normalized = internal::NormalizeLogin(login);
  if (!normalized) return std::optional<User>();  // no such login can exist
  return database_.Read([&](Connection& connection) -> Result<std::optional<User>> {
    const Value params[] = {*normalized};
    STEWARD_ASSIGN_OR_RETURN(auto users, QueryUsers(connection, "WHERE login = ?", params));
    if (users.empty()) return std::optional<User>();
    return std::optional<User>(std::move(users.front()));
  });
}

Result<User> AccountStore::GetUser(Id user_id) {
  return database_.Read([&](Connection& connection) -> Result<User> {
    const Value params[] = {user_id};
    STEWARD_ASSIGN_OR_RETURN(auto users, QueryUsers(connection, "WHERE id = ?", params));
    if (users.empty()) {
      return Fail(ErrorCode::kNotFound, "没有这个账号 / no such user: " + std::to_string(user_id));
    }
    return std::move(users.front());
  });
}

Status AccountStore::SetState(const WriteContext& context, Id user_id, AccountState state) {
  UserChange change;
  change.disabled = state == AccountState::kDisabled;
  return UpdateUser(context, user_id, std::nullopt, change).map([](const User&) {});
}

Result<User> AccountStore::UpdateUser(const WriteContext& context, Id user_id,
                                      std::optional<int64_t> expected_version,
                                      const UserChange& change) {
  const int64_t now = clock_.NowMillis();
  return WriteValue(database_, context, [&](WriteTransaction& transaction) -> Result<User> {
    Connection& connection = transaction.connection();
    const Value id_param[] = {user_id};
    STEWARD_ASSIGN_OR_RETURN(auto found, QueryUsers(connection, "WHERE id = ?", id_param));
    if (found.empty()) return Fail(ErrorCode::kNotFound, "没有这个账号 / no such user");
    const User old = std::move(found.front());
    if (expected_version && *expected_version != old.version) {
      return Fail(ErrorCode::kConflict,
                  "账号已被他人修改，请刷新后重试 / the user was changed meanwhile; reload it");
    }
    User user = old;
    nlohmann::json fields = nlohmann::json::object();
    if (change.display_name) {
      user.display_name = change.display_name->empty() ? user.login : *change.display_name;
      if (user.display_name != old.display_name) {
        fields["display_name"] = {{"old", old.display_name}, {"new", user.display_name}};
      }
    }
    if (change.roles) {
      STEWARD_ASSIGN_OR_RETURN(user.roles, CheckedRoles(connection, *change.roles));
      if (user.roles != old.roles) fields["roles"] = {{"old", old.roles}, {"new", user.roles}};
    }
    if (change.units) {
      STEWARD_ASSIGN_OR_RETURN(user.units, CheckedUnits(connection, *change.units));
      if (user.units != SortedUnits(old.units)) {
        fields["units"] = {{"old", UnitsJson(old.units)}, {"new", UnitsJson(user.units)}};
      }
    }
    if (change.disabled) {
      user.disabled = *change.disabled;
      if (user.disabled != old.disabled) {
        fields["disabled"] = {{"old", old.disabled}, {"new", user.disabled}};
      }
    }
    if (fields.empty()) return old;
    STEWARD_ASSIGN_OR_RETURN(
        auto version, connection.QueryInt(
                          "UPDATE app_user SET display_name = ?, disabled = ?, "
                          "version = version + 1, updated_at = ? WHERE id = ? AND version = ? "
                          "RETURNING version",
                          {user.display_name, int64_t{user.disabled}, now, user_id, old.version}));
    if (!version) {
      return Fail(ErrorCode::kConflict,
                  "账号已被他人修改，请刷新后重试 / the user was changed meanwhile; reload it");
    }
    user.version = *version;
    if (fields.contains("roles")) {
      STEWARD_TRY(connection.Execute("DELETE FROM user_role WHERE user_id = ?", {user_id}));
      STEWARD_TRY(InsertRolesAndUnits(connection, user_id, user.roles, {}));
    }
    if (fields.contains("units")) {
      STEWARD_TRY(connection.Execute("DELETE FROM user_unit WHERE user_id = ?", {user_id}));
      STEWARD_TRY(InsertRolesAndUnits(connection, user_id, {}, user.units));
    }
    if (user.disabled && !old.disabled) {
      STEWARD_TRY(connection.Execute("DELETE FROM session WHERE user_id = ?", {user_id}));
    }
    transaction.RecordChange(
        ChangeRecord{"app_user", user_id, user.version, ChangeOp::kUpdate, std::move(fields)});
    // Read back, so roles and units come in GetUser's order.
    STEWARD_ASSIGN_OR_RETURN(auto updated, QueryUsers(connection, "WHERE id = ?", id_param));
    return std::move(updated.front());
  });
}

}  // namespace steward::auth
