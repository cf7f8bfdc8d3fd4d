// /api/v1/auth: sign in and out, who am I, password change, API tokens.
#include "audit/mask.hpp"
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"

namespace steward::http::handlers {
namespace {

constexpr FieldSpec kLoginFields[] = {
    {"login", FieldType::kString, true, false, 64},
    {"password", FieldType::kString, true, false, 256},
};
constexpr FieldSpec kPasswordFields[] = {
    {"old_password", FieldType::kString, true, false, 256},
    {"new_password", FieldType::kString, true, false, 256},
};
constexpr FieldSpec kTokenFields[] = {
    {"name", FieldType::kString, true, false, 100},
    {"expires_days", FieldType::kInteger, false, true},
};

std::string SessionCookie(const std::string& token, bool clear) {
  return std::string(kSessionCookie) + "=" + (clear ? "" : token) +
         "; Path=/; HttpOnly; SameSite=Strict" + (clear ? "; Max-Age=0" : "");
}

nlohmann::json UnitsJson(storage::Connection& connection, const auth::User& user) {
  nlohmann::json units = nlohmann::json::array();
  for (const auto& assignment : user.units) {
    auto row = connection.Query("SELECT name, kind, path FROM org_unit WHERE id = ?",
                                {assignment.unit_id});
    if (!row || row->empty()) continue;
    units.push_back({{"id", IdJson(assignment.unit_id)},
                     {"name", row->Text(0, 0)},
                     {"kind", row->Text(0, 1)},
                     {"scope", auth::ScopeKindName(assignment.scope)}});
  }
  return units;
}

Result<Response> Login(const ApiServices& services, const Request& request) {
  STEWARD_ASSIGN_OR_RETURN(auto body, ParseJsonBody(request.body, kLoginFields));
  const std::string login = body["login"];
  auto signed_in =
      services.accounts.Login(login, body["password"].get<std::string>(), request.client);
  audit::AuditEntry entry;
  entry.action = signed_in ? "login.success" : "login.failure";
  entry.actor = signed_in ? "user:" + std::to_string(signed_in->session.user_id) : "system:auth";
  entry.detail = {{"login", audit::MaskForAudit(login)}};  // people type ID numbers here too
  if (!signed_in) entry.detail["reason"] = std::string(auth::DetailCode(signed_in.error()));
  entry.client = request.client;
  entry.request_id = request.request_id;
  STEWARD_TRY(services.audit.Record(std::move(entry)));
  if (!signed_in) return tl::unexpected(std::move(signed_in).error());
  const auth::Session& session = signed_in->session;
  Response response =
      JsonResponse({{"user", {{"id", IdJson(session.user_id)}, {"login", session.login}}},
                    {"csrf_token", session.csrf_token},
                    {"must_change_password", session.must_change_password},
                    {"expires_at", session.expires_at}});
  response.headers.emplace_back("Set-Cookie", SessionCookie(signed_in->token, false));
  return response;
}

Result<Response> Logout(ApiCall& call) {
  if (!call.session_token.empty()) STEWARD_TRY(call.services.accounts.Logout(call.session_token));
  STEWARD_TRY(call.Audit("logout", "user:" + std::to_string(call.principal.user_id()), {}));
  Response response = JsonResponse({{"ok", true}});
  response.headers.emplace_back("Set-Cookie", SessionCookie("", true));
  return response;
}

Result<Response> Me(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auth::User user,
                           call.services.accounts.GetUser(call.principal.user_id()));
  auto units =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        return UnitsJson(connection, user);
      });
  STEWARD_TRY(units);
  nlohmann::json body = {{"id", IdJson(user.id)},
                         {"login", user.login},
                         {"display_name", user.display_name},
                         {"roles", user.roles},
                         {"permissions", call.principal.permissions()},
                         {"units", *units},
                         {"must_change_password", user.must_change_password}};
  if (call.session) body["csrf_token"] = call.session->csrf_token;
  return JsonResponse(body);
}

Result<Response> ChangePassword(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kPasswordFields));
  STEWARD_TRY(call.services.accounts.ChangePassword(
      call.write_context(), call.principal.user_id(), body["old_password"].get<std::string>(),
      body["new_password"].get<std::string>(), call.session_token));
  STEWARD_TRY(
      call.Audit("user.password_change", "user:" + std::to_string(call.principal.user_id()), {}));
  return JsonResponse({{"ok", true}});
}

nlohmann::json TokenJson(const auth::ApiToken& token) {
  return {{"id", IdJson(token.id)},
          {"name", token.name},
          {"created_at", token.created_at},
          {"expires_at", token.expires_at ? nlohmann::json(*token.expires_at) : nullptr},
          {"revoked_at", token.revoked_at ? nlohmann::json(*token.revoked_at) : nullptr}};
}

Result<Response> ListTokens(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto tokens,
                           call.services.accounts.ListApiTokens(call.principal.user_id()));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& token : tokens) items.push_back(TokenJson(token));
  return JsonResponse({{"items", items}});
}

Result<Response> CreateToken(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTokenFields));
  std::optional<int64_t> expires_at;
  if (body.contains("expires_days") && !body["expires_days"].is_null()) {
    const int64_t days = body["expires_days"];
    if (days < 1 || days > 3650) {
      return Fail(ErrorCode::kInvalidArgument, "有效期应为 1 至 3650 天 / 1 to 3650 days",
                  {{"expires_days", "range", "1 至 3650 / 1 to 3650"}});
    }
    expires_at = call.services.clock.NowMillis() + days * 24 * 3600 * 1000;
  }
  STEWARD_ASSIGN_OR_RETURN(auto created, call.services.accounts.CreateApiToken(
                                             call.write_context(), call.principal.user_id(),
                                             body["name"].get<std::string>(), expires_at));
  STEWARD_TRY(call.Audit("token.create", "api_token:" + std::to_string(created.info.id),
                         {{"name", created.info.name}}));
  nlohmann::json out = TokenJson(created.info);
  out["token"] = created.token;  // shown once
  return JsonResponse(out, 201);
}

Result<Response> RevokeToken(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto tokens,
                           call.services.accounts.ListApiTokens(call.principal.user_id()));
  const bool own = std::any_of(tokens.begin(), tokens.end(),
                               [&](const auth::ApiToken& token) { return token.id == id; });
  if (!own) return Fail(ErrorCode::kNotFound, "没有这个令牌 / no such token");
  STEWARD_TRY(call.services.accounts.RevokeApiToken(call.write_context(), id));
  STEWARD_TRY(call.Audit("token.revoke", "api_token:" + std::to_string(id), {}));
  return JsonResponse({{"ok", true}});
}

}  // namespace

void AddAuthRoutes(Server& server, const Api& api) {
  const ApiServices& services = api.services();
  server.Route("POST", "/api/v1/auth/login",
               api.Open([&services](const Request& request) { return Login(services, request); }));
  const auto before_change = GateOption::kAllowBeforePasswordChange;
  server.Route("POST", "/api/v1/auth/logout", api.Gate("", Logout, before_change));
  server.Route("GET", "/api/v1/auth/me", api.Gate("", Me, before_change));
  server.Route("POST", "/api/v1/auth/password", api.Gate("", ChangePassword, before_change));
  server.Route("GET", "/api/v1/auth/tokens", api.Gate("", ListTokens));
  server.Route("POST", "/api/v1/auth/tokens", api.Gate("", CreateToken));
  server.Route("DELETE", "/api/v1/auth/tokens/{id}", api.Gate("", RevokeToken));
}

}  // namespace steward::http::handlers
