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

Result<Response> ListRoles(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto roles, call.services.accounts.ListRoles());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& role : roles) {
    items.push_back({{"code", role.code},
                     {"name", role.name},
                     {"builtin", role.builtin},
                     {"permissions", role.permissions},
                     {"version", role.version}});
  }
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
  server.Route("GET", "/api/v1/dict/tags", api.Gate("", ListTags));
  server.Route("GET", "/api/v1/audit", api.Gate(auth::permission::kAuditView, SearchAudit));
}

}  // namespace steward::http::handlers
