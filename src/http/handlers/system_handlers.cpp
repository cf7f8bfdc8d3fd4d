// /api/v1/system (users, roles), /api/v1/dict (dictionaries) and /api/v1/audit (the audit log).
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

// {"login","display_name","password","roles":[...],"units":{"<unit id>":"capture|view|search"}}.
// A user may only be given units inside the creator's capture scope.
Result<Response> CreateUser(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUserFields));
  auth::NewUser user;
  user.login = body["login"];
  user.display_name = body.value("display_name", "");
  user.password = body["password"];
  user.roles = body["roles"].get<std::vector<std::string>>();
  user.must_change_password = true;
  if (body.contains("units")) {
    for (const auto& [unit, scope] : body["units"].items()) {
      auth::UnitAssignment assignment;
      assignment.unit_id = std::strtoll(unit.c_str(), nullptr, 10);
      if (!scope.is_string() ||
          !auth::ParseScopeKind(scope.get<std::string>(), &assignment.scope) ||
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
      user.units.push_back(assignment);
    }
  }
  STEWARD_ASSIGN_OR_RETURN(auto created,
                           call.services.accounts.CreateUser(call.write_context(), user));
  STEWARD_TRY(call.Audit("user.create", "user:" + std::to_string(created.id),
                         {{"login", created.login}, {"roles", created.roles}}));
  return JsonResponse(UserJson(created), 201);
}

constexpr FieldSpec kUserStateFields[] = {{"disabled", FieldType::kBoolean, true}};
constexpr FieldSpec kResetFields[] = {{"password", FieldType::kString, true, false, 256}};
constexpr FieldSpec kRoleFields[] = {
    {"code", FieldType::kString, true, false, 40},
    {"name", FieldType::kString, true, false, 40},
    {"permissions", FieldType::kStringArray, true, false, 60},
};
constexpr FieldSpec kRolePermissionFields[] = {
    {"permissions", FieldType::kStringArray, true, false, 60},
};

// Users an admin may manage: their units (if any) must lie in the admin's capture scope.
Status CheckManageable(ApiCall& call, const auth::User& user) {
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

Result<Response> SetUserState(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUserStateFields));
  STEWARD_ASSIGN_OR_RETURN(auto user, call.services.accounts.GetUser(id));
  STEWARD_TRY(CheckManageable(call, user));
  if (id == call.principal.user_id()) {
    return Fail(ErrorCode::kFailedPrecondition, "不能停用自己的账号 / you cannot disable yourself");
  }
  const bool disabled = body["disabled"];
  STEWARD_TRY(call.services.accounts.SetState(
      call.write_context(), id,
      disabled ? auth::AccountState::kDisabled : auth::AccountState::kActive));
  STEWARD_TRY(
      call.Audit(disabled ? "user.disable" : "user.enable", "user:" + std::to_string(id), {}));
  STEWARD_ASSIGN_OR_RETURN(user, call.services.accounts.GetUser(id));
  return JsonResponse(UserJson(user));
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
  STEWARD_ASSIGN_OR_RETURN(auto role, call.services.accounts.CreateRole(
                                          call.write_context(), body["code"].get<std::string>(),
                                          body["name"].get<std::string>(),
                                          body["permissions"].get<std::vector<std::string>>()));
  STEWARD_TRY(call.Audit("role.create", "role:" + role.code, {{"permissions", role.permissions}}));
  return JsonResponse(RoleJson(role), 201);
}

Result<Response> SetRolePermissions(ApiCall& call) {
  const std::string code = call.request.params.at("code");
  auto version = call.ExpectedVersion();
  if (!version) return VersionFailure(call, std::move(version).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kRolePermissionFields));
  auto role = call.services.accounts.SetRolePermissions(
      call.write_context(), code, *version, body["permissions"].get<std::vector<std::string>>());
  if (!role) return VersionFailure(call, std::move(role).error());
  STEWARD_TRY(call.Audit("role.permissions", "role:" + code, {{"permissions", role->permissions}}));
  Response response = JsonResponse(RoleJson(*role));
  response.headers.emplace_back("ETag", "\"" + std::to_string(role->version) + "\"");
  return response;
}

Result<Response> ListRoles(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto roles, call.services.accounts.ListRoles());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& role : roles) items.push_back(RoleJson(role));
  return JsonResponse({{"items", items}});
}

Result<Response> ListTags(ApiCall& call) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(
        auto rows, connection.Query("SELECT code, name, sensitive, builtin, sort_order FROM tag "
                                    "ORDER BY sort_order, code"));
    const bool sensitive_allowed = call.principal.Can(auth::permission::kSensitiveView);
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      const bool sensitive = rows.Int(i, 2) != 0;
      if (sensitive && !sensitive_allowed) continue;
      items.push_back({{"code", rows.Text(i, 0)},
                       {"name", rows.Text(i, 1)},
                       {"sensitive", sensitive},
                       {"builtin", rows.Int(i, 3) != 0}});
    }
    return JsonResponse({{"items", items}});
  });
}

constexpr FieldSpec kTagFields[] = {
    {"code", FieldType::kString, true, false, 40},
    {"name", FieldType::kString, true, false, 20},
    {"sensitive", FieldType::kBoolean},
    {"sort_order", FieldType::kInteger},
};
constexpr FieldSpec kTagUpdateFields[] = {
    {"name", FieldType::kString, false, false, 20},
    {"sensitive", FieldType::kBoolean},
    {"sort_order", FieldType::kInteger},
};

// Every dictionary the console's forms and filters need, in one answer (RuoYi's dict data).
Result<Response> AllDictionaries(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Response tags, ListTags(call));
  auto pairs = [](std::initializer_list<std::pair<const char*, const char*>> items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [code, label] : items) out.push_back({{"code", code}, {"label", label}});
    return out;
  };
  nlohmann::json body = {
      {"tags", nlohmann::json::parse(tags.body)["items"]},
      {"gender", pairs({{"male", "男"}, {"female", "女"}})},
      {"residence_status", pairs({{"both", "户在人在"},
                                  {"resident_only", "人在户不在"},
                                  {"registered_only", "户在人不在"}})},
      {"relation_to_head", pairs({{"户主", "户主"},
                                  {"配偶", "配偶"},
                                  {"子", "子"},
                                  {"女", "女"},
                                  {"父亲", "父亲"},
                                  {"母亲", "母亲"},
                                  {"孙子", "孙子"},
                                  {"孙女", "孙女"},
                                  {"兄弟姐妹", "兄弟姐妹"},
                                  {"其他", "其他"}})},
      {"unit_kind", pairs({{"city", "市"},
                           {"street", "街道"},
                           {"community", "社区"},
                           {"grid", "网格"},
                           {"micro_grid", "微网格"}})},
      {"scope", pairs({{"capture", "管理"}, {"view", "查看"}, {"search", "查询"}})},
  };
  if (call.principal.Can(auth::permission::kSensitiveView)) {
    body["assistance"] = pairs(
        {{"subsistence_allowance", "低保"}, {"near_poverty", "低边"}, {"extreme_poverty", "特困"}});
  }
  return JsonResponse(body);
}

bool ValidTagCode(const std::string& code) {
  if (code.empty() || code.size() > 40) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<Response> CreateTag(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTagFields));
  const std::string code = body["code"];
  if (!ValidTagCode(code)) {
    return Fail(ErrorCode::kInvalidArgument, "标签代码只能用小写字母、数字和下划线 / a-z 0-9 _",
                {{"code", "tag.code_invalid", "小写字母、数字和下划线 / a-z 0-9 _"}});
  }
  const bool sensitive = body.value("sensitive", false);
  const int64_t sort_order = body.value("sort_order", int64_t{1000});
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(auto existing, transaction.connection().QueryInt(
                                                    "SELECT 1 FROM tag WHERE code = ?", {code}));
        if (existing) {
          return Fail(ErrorCode::kAlreadyExists, "标签代码已存在 / the tag exists",
                      {{"code", "tag.duplicate", "已存在 / exists"}});
        }
        STEWARD_TRY(transaction.connection().Execute(
            "INSERT INTO tag (code, name, sensitive, builtin, sort_order) VALUES (?, ?, ?, 0, ?)",
            {code, body["name"].get<std::string>(), int64_t{sensitive ? 1 : 0}, sort_order}));
        transaction.RecordChange(
            {"tag",
             0,
             1,
             storage::ChangeOp::kCreate,
             {{"code", code}, {"name", body["name"]}, {"sensitive", sensitive}}});
        return Ok();
      }));
  STEWARD_TRY(call.Audit("dict.tag.create", "tag:" + code, {{"name", body["name"]}}));
  return JsonResponse({{"code", code}}, 201);
}

Result<Response> UpdateTag(ApiCall& call) {
  const std::string code = call.request.params.at("code");
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTagUpdateFields));
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        auto& connection = transaction.connection();
        STEWARD_ASSIGN_OR_RETURN(
            auto rows, connection.Query("SELECT name, sensitive, sort_order, builtin FROM "
                                        "tag WHERE code = ?",
                                        {code}));
        if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这个标签 / no such tag");
        // A built-in tag's sensitivity is part of the law's protection: it cannot be lowered.
        if (rows.Int(0, 3) != 0 && rows.Int(0, 1) != 0 && body.contains("sensitive") &&
            !body["sensitive"].get<bool>()) {
          return Fail(
              ErrorCode::kFailedPrecondition,
              "内置敏感标签不能改为非敏感 / a built-in sensitive tag stays sensitive",
              {{"sensitive", "tag.builtin_sensitive", "内置敏感标签 / built-in sensitive"}});
        }
        const std::string name = body.value("name", rows.Text(0, 0));
        const bool sensitive = body.value("sensitive", rows.Int(0, 1) != 0);
        const int64_t sort_order = body.value("sort_order", rows.Int(0, 2));
        STEWARD_TRY(connection.Execute(
            "UPDATE tag SET name = ?, sensitive = ?, sort_order = ? WHERE code = ?",
            {name, int64_t{sensitive ? 1 : 0}, sort_order, code}));
        transaction.RecordChange(
            {"tag",
             0,
             1,
             storage::ChangeOp::kUpdate,
             {{"code", code},
              {"name", {{"old", rows.Text(0, 0)}, {"new", name}}},
              {"sensitive", {{"old", rows.Int(0, 1) != 0}, {"new", sensitive}}}}});
        return Ok();
      }));
  STEWARD_TRY(call.Audit("dict.tag.update", "tag:" + code, body));
  return JsonResponse({{"code", code}});
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
  server.Route("GET", "/api/v1/system/permissions",
               api.Gate(auth::permission::kUserView, ListPermissions));
  server.Route("PATCH", "/api/v1/system/users/{id}",
               api.Gate(auth::permission::kUserEdit, SetUserState));
  server.Route("POST", "/api/v1/system/users/{id}/password",
               api.Gate(auth::permission::kUserEdit, ResetUserPassword));
  server.Route("GET", "/api/v1/dict", api.Gate("", AllDictionaries));
  server.Route("GET", "/api/v1/dict/tags", api.Gate("", ListTags));
  server.Route("POST", "/api/v1/dict/tags", api.Gate(auth::permission::kDictEdit, CreateTag));
  server.Route("PATCH", "/api/v1/dict/tags/{code}",
               api.Gate(auth::permission::kDictEdit, UpdateTag));
  server.Route("GET", "/api/v1/audit", api.Gate(auth::permission::kAuditView, SearchAudit));
}

}  // namespace steward::http::handlers
