// /api/v1/system (users, roles) and /api/v1/audit (the audit log).
#include <set>

#include "audit/mask.hpp"
#include "audit/search.hpp"
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"

namespace steward::http::handlers {
namespace {

constexpr FieldSpec kUserFields[] = {
    {"login", FieldType::kString, true, false, 64},
    {"display_name", FieldType::kString, false, false, 50},
    {"password", FieldType::kString, true, false, 256},
    {"roles", FieldType::kStringArray, true, false, 40},
    {"units", FieldType::kObject, false},
};

nlohmann::json UserJson(const auth::User& user) {
  nlohmann::json units = nlohmann::json::array();
  for (const auto& unit : user.units) {
    units.push_back(
        {{"unit_id", IdJson(unit.unit_id)}, {"scope", auth::ScopeKindName(unit.scope)}});
  }
  return {{"id", IdJson(user.id)},
          {"login", user.login},
          {"display_name", user.display_name},
          {"roles", user.roles},
          {"units", units},
          {"disabled", user.disabled},
          {"must_change_password", user.must_change_password},
          {"last_login_at", user.last_login_at ? nlohmann::json(*user.last_login_at) : nullptr},
          {"version", user.version}};
}

Result<Response> ListUsers(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto users, call.services.accounts.ListUsers());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& user : users) items.push_back(UserJson(user));
  return JsonResponse({{"items", items}});
}

// The caller must hold every permission in `permissions` (no one hands out what they lack).
// Unknown ones pass: the store refuses them with 400.
Status CheckHeld(const ApiCall& call, const std::vector<std::string>& permissions,
                 std::string_view field, std::string_view role) {
  for (const auto& permission : permissions) {
    if (auth::IsKnownPermission(permission) && !call.principal.Can(permission)) {
      return Fail(ErrorCode::kPermissionDenied,
                  "不能授予本人没有的权限 / you cannot grant a permission you do not hold",
                  {{std::string(field), "role.escalation",
                    role.empty() ? permission : std::string(role) + ": " + permission}});
    }
  }
  return Ok();
}

// An admin may give, take away or manage only roles whose every permission they hold themselves;
// otherwise a street admin could make anybody a city admin. Unknown roles pass (the store refuses
// them with 400).
Status CheckGrantable(ApiCall& call, const std::vector<std::string>& roles) {
  if (roles.empty()) return Ok();
  STEWARD_ASSIGN_OR_RETURN(auto all, call.services.accounts.ListRoles());
  const std::set<std::string, std::less<>> wanted(roles.begin(), roles.end());
  for (const auto& role : all) {
    if (wanted.contains(role.code)) {
      STEWARD_TRY(CheckHeld(call, role.permissions, "roles", role.code));
    }
  }
  return Ok();
}

// {"<unit id>": "capture|view|search", ...}, every unit inside the caller's capture scope.
Result<std::vector<auth::UnitAssignment>> UnitsFromBody(ApiCall& call,
                                                        const nlohmann::json& units) {
  std::vector<auth::UnitAssignment> assignments;
  for (const auto& [unit, scope] : units.items()) {
    auth::UnitAssignment assignment;
    assignment.unit_id = std::strtoll(unit.c_str(), nullptr, 10);
    if (!scope.is_string() || !auth::ParseScopeKind(scope.get<std::string>(), &assignment.scope) ||
        assignment.unit_id <= 0) {
      return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                  {{"units", "units.invalid",
                    "应为 {单位编号: capture|view|search} / {unit id: capture|view|search}"}});
    }
    STEWARD_ASSIGN_OR_RETURN(
        auto path, call.services.database.Read([&](storage::Connection& connection) {
          return connection.Query("SELECT path FROM org_unit WHERE id = ?", {assignment.unit_id});
        }));
    if (path.empty() ||
        !call.principal.Scope(auth::ScopeKind::kCapture).Contains(path.Text(0, 0))) {
      return Fail(ErrorCode::kPermissionDenied,
                  "只能分配本人负责范围内的单位 / outside the units you manage");
    }
    assignments.push_back(assignment);
  }
  return assignments;
}

// {"login","display_name","password","roles":[...],"units":{"<unit id>":"capture|view|search"}}.
// A user may only be given units inside the creator's capture scope, and roles whose permissions
// the creator holds.
Result<Response> CreateUser(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUserFields));
  auth::NewUser user;
  user.login = body["login"];
  user.display_name = body.value("display_name", "");
  user.password = body["password"];
  user.roles = body["roles"].get<std::vector<std::string>>();
  user.must_change_password = true;
  STEWARD_TRY(CheckGrantable(call, user.roles));
  if (body.contains("units")) {
    STEWARD_ASSIGN_OR_RETURN(user.units, UnitsFromBody(call, body["units"]));
  }
  STEWARD_ASSIGN_OR_RETURN(auto created,
                           call.services.accounts.CreateUser(call.write_context(), user));
  STEWARD_TRY(call.Audit("user.create", "user:" + std::to_string(created.id),
                         {{"login", created.login}, {"roles", created.roles}}));
  return JsonResponse(UserJson(created), 201);
}

constexpr FieldSpec kUserChangeFields[] = {
    {"disabled", FieldType::kBoolean},
    {"display_name", FieldType::kString, false, false, 50},
    {"roles", FieldType::kStringArray, false, false, 40},
    {"units", FieldType::kObject},
};
constexpr FieldSpec kResetFields[] = {{"password", FieldType::kString, true, false, 256}};
constexpr FieldSpec kRoleFields[] = {
    {"code", FieldType::kString, true, false, 40},
    {"name", FieldType::kString, true, false, 40},
    {"permissions", FieldType::kStringArray, true, false, 60},
};
constexpr FieldSpec kRolePermissionFields[] = {
    {"permissions", FieldType::kStringArray, true, false, 60},
};

// Users an admin may manage: their units (if any) must lie in the admin's capture scope, and the
// admin must hold every permission of their roles (or resetting a password would take them over).
Status CheckManageable(ApiCall& call, const auth::User& user) {
  STEWARD_TRY(CheckGrantable(call, user.roles));
  for (const auto& unit : user.units) {
    STEWARD_ASSIGN_OR_RETURN(auto path, call.services.database.Read([&](storage::Connection& c) {
      return c.Query("SELECT path FROM org_unit WHERE id = ?", {unit.unit_id});
    }));
    if (path.empty() ||
        !call.principal.Scope(auth::ScopeKind::kCapture).Contains(path.Text(0, 0))) {
      return Fail(ErrorCode::kPermissionDenied,
                  "该用户负责的单位不在您的管理范围内 / the user works outside your units");
    }
  }
  return Ok();
}

nlohmann::json UnitsAuditJson(const std::vector<auth::UnitAssignment>& units) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& unit : units) {
    list.push_back({{"unit_id", IdJson(unit.unit_id)}, {"scope", auth::ScopeKindName(unit.scope)}});
  }
  return list;
}

// {"disabled", "display_name", "roles", "units"}: any of them. Changing the name, roles or units
// needs If-Match with the user's version; enabling or disabling alone does not. Nobody changes
// their own roles or units, nor disables themselves. The user's sessions see the change at their
// next request (the principal cache follows the change log).
Result<Response> UpdateUser(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUserChangeFields));
  if (body.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "没有要修改的内容 / nothing to change",
                {{"", "required", "disabled, display_name, roles, units"}});
  }
  const bool profile =
      body.contains("display_name") || body.contains("roles") || body.contains("units");
  std::optional<int64_t> expected;
  if (profile || !call.request.Header("if-match").empty()) {
    auto version = call.ExpectedVersion();
    if (!version) return VersionFailure(call, std::move(version).error());
    expected = *version;
  }
  STEWARD_ASSIGN_OR_RETURN(auto user, call.services.accounts.GetUser(id));
  STEWARD_TRY(CheckManageable(call, user));
  const bool self = id == call.principal.user_id();
  if (self && body.contains("disabled")) {
    return Fail(ErrorCode::kFailedPrecondition, "不能停用自己的账号 / you cannot disable yourself");
  }
  if (self && (body.contains("roles") || body.contains("units"))) {
    return Fail(ErrorCode::kFailedPrecondition,
                "不能修改自己的角色或单位，请联系其他管理员 / another admin must change your own "
                "roles or units");
  }
  auth::UserChange change;
  if (body.contains("disabled")) change.disabled = body["disabled"].get<bool>();
  if (body.contains("display_name")) change.display_name = body["display_name"].get<std::string>();
  if (body.contains("roles")) {
    change.roles = body["roles"].get<std::vector<std::string>>();
    STEWARD_TRY(CheckGrantable(call, *change.roles));
  }
  if (body.contains("units")) {
    STEWARD_ASSIGN_OR_RETURN(change.units, UnitsFromBody(call, body["units"]));
  }
  auto updated = call.services.accounts.UpdateUser(call.write_context(), id, expected, change);
  if (!updated) return VersionFailure(call, std::move(updated).error());
  nlohmann::json detail = nlohmann::json::object();
  if (updated->roles != user.roles) {
    detail["roles"] = {{"old", user.roles}, {"new", updated->roles}};
  }
  if (updated->units != user.units) {
    detail["units"] = {{"old", UnitsAuditJson(user.units)},
                       {"new", UnitsAuditJson(updated->units)}};
  }
  if (updated->display_name != user.display_name) {
    detail["display_name"] = {{"old", audit::MaskForAudit(user.display_name)},
                              {"new", audit::MaskForAudit(updated->display_name)}};
  }
  const bool state_changed = updated->disabled != user.disabled;
  if (state_changed) detail["disabled"] = {{"old", user.disabled}, {"new", updated->disabled}};
  // Enabling or disabling alone keeps its own action names; anything else is user.update.
  const std::string action = !profile && state_changed
                                 ? (updated->disabled ? "user.disable" : "user.enable")
                                 : "user.update";
  STEWARD_TRY(call.Audit(action, "user:" + std::to_string(id), std::move(detail)));
  Response response = JsonResponse(UserJson(*updated));
  response.headers.emplace_back("ETag", "\"" + std::to_string(updated->version) + "\"");
  return response;
}

Result<Response> ResetUserPassword(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kResetFields));
  STEWARD_ASSIGN_OR_RETURN(auto user, call.services.accounts.GetUser(id));
  STEWARD_TRY(CheckManageable(call, user));
  STEWARD_TRY(call.services.accounts.ResetPassword(call.write_context(), id,
                                                   body["password"].get<std::string>()));
  STEWARD_TRY(call.Audit("user.password_reset", "user:" + std::to_string(id), {}));
  return JsonResponse({{"ok", true}});
}

Result<Response> ListPermissions(ApiCall&) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& permission : auth::PermissionCatalogue()) {
    items.push_back(
        {{"code", permission.code}, {"name", permission.name_zh}, {"name_en", permission.name_en}});
  }
  return JsonResponse({{"items", items}});
}

nlohmann::json RoleJson(const auth::Role& role) {
  return {{"code", role.code},
          {"name", role.name},
          {"builtin", role.builtin},
          {"permissions", role.permissions},
          {"version", role.version}};
}

Result<Response> CreateRole(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kRoleFields));
  const auto permissions = body["permissions"].get<std::vector<std::string>>();
  STEWARD_TRY(CheckHeld(call, permissions, "permissions", ""));
  STEWARD_ASSIGN_OR_RETURN(auto role, call.services.accounts.CreateRole(
                                          call.write_context(), body["code"].get<std::string>(),
                                          body["name"].get<std::string>(), permissions));
  STEWARD_TRY(call.Audit("role.create", "role:" + role.code, {{"permissions", role.permissions}}));
  return JsonResponse(RoleJson(role), 201);
}

Result<Response> SetRolePermissions(ApiCall& call) {
  const std::string code = call.request.params.at("code");
  auto version = call.ExpectedVersion();
  if (!version) return VersionFailure(call, std::move(version).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kRolePermissionFields));
  const auto permissions = body["permissions"].get<std::vector<std::string>>();
  // Only what is added must be held: removing a permission grants nothing.
  STEWARD_ASSIGN_OR_RETURN(auto roles, call.services.accounts.ListRoles());
  std::set<std::string, std::less<>> had;
  for (const auto& role : roles) {
    if (role.code == code) had.insert(role.permissions.begin(), role.permissions.end());
  }
  std::vector<std::string> added;
  for (const auto& permission : permissions) {
    if (!had.contains(permission)) added.push_back(permission);
  }
  STEWARD_TRY(CheckHeld(call, added, "permissions", ""));
  auto role =
      call.services.accounts.SetRolePermissions(call.write_context(), code, *version, permissions);
  if (!role) return VersionFailure(call, std::move(role).error());
  STEWARD_TRY(call.Audit("role.permissions", "role:" + code, {{"permissions", role->permissions}}));
  Response response = JsonResponse(RoleJson(*role));
  response.headers.emplace_back("ETag", "\"" + std::to_string(role->version) + "\"");
  return response;
}

// Roles not built in and held by nobody; the caller must hold the role's permissions.
Result<Response> DeleteRole(ApiCall& call) {
  const std::string code = call.request.params.at("code");
  STEWARD_TRY(CheckGrantable(call, {code}));
  STEWARD_ASSIGN_OR_RETURN(auto role,
                           call.services.accounts.DeleteRole(call.write_context(), code));
  STEWARD_TRY(call.Audit("role.delete", "role:" + code,
                         {{"name", role.name}, {"permissions", role.permissions}}));
  return JsonResponse({{"ok", true}});
}

Result<Response> ListRoles(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto roles, call.services.accounts.ListRoles());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& role : roles) items.push_back(RoleJson(role));
  return JsonResponse({{"items", items}});
}

Result<Response> SearchAudit(ApiCall& call) {
  audit::AuditFilter filter;
  filter.actor = call.request.Query("actor");
  filter.action = call.request.Query("action");
  filter.target = call.request.Query("target");
  auto number = [&](const char* name) -> std::optional<int64_t> {
    auto text = call.request.Query(name);
    if (!text) return std::nullopt;
    return std::strtoll(text->c_str(), nullptr, 10);
  };
  filter.from_millis = number("from");
  filter.to_millis = number("to");
  filter.before_seq = number("before_seq");
  filter.limit = static_cast<int>(number("limit").value_or(50));
  STEWARD_TRY(call.services.audit.Flush());  // entries still queued are part of the answer
  STEWARD_ASSIGN_OR_RETURN(auto entries,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return audit::Search(connection, filter);
                           }));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& entry : entries) {
    items.push_back({{"seq", entry.seq},
                     {"at", entry.at_millis},
                     {"actor", entry.actor},
                     {"action", entry.action},
                     {"target", entry.target},
                     {"detail", entry.detail},
                     {"client", entry.client},
                     {"request_id", entry.request_id}});
  }
  STEWARD_TRY(call.Audit("audit.search", "", {{"rows", items.size()}}));
  return JsonResponse({{"items", items}});
}

}  // namespace

void AddSystemRoutes(Server& server, const Api& api) {
  server.Route("GET", "/api/v1/system/users", api.Gate(auth::permission::kUserView, ListUsers));
  server.Route("POST", "/api/v1/system/users", api.Gate(auth::permission::kUserEdit, CreateUser));
  server.Route("GET", "/api/v1/system/roles", api.Gate(auth::permission::kUserView, ListRoles));
  server.Route("POST", "/api/v1/system/roles", api.Gate(auth::permission::kRoleEdit, CreateRole));
  server.Route("PATCH", "/api/v1/system/roles/{code}",
               api.Gate(auth::permission::kRoleEdit, SetRolePermissions));
  server.Route("DELETE", "/api/v1/system/roles/{code}",
               api.Gate(auth::permission::kRoleEdit, DeleteRole));
  server.Route("GET", "/api/v1/system/permissions",
               api.Gate(auth::permission::kUserView, ListPermissions));
  server.Route("PATCH", "/api/v1/system/users/{id}",
               api.Gate(auth::permission::kUserEdit, UpdateUser));
  server.Route("POST", "/api/v1/system/users/{id}/password",
               api.Gate(auth::permission::kUserEdit, ResetUserPassword));
  server.Route("GET", "/api/v1/audit", api.Gate(auth::permission::kAuditView, SearchAudit));
}

}  // namespace steward::http::handlers
