// The gate every API handler passes: authentication, CSRF, permission, errors, JSON, audit.
//
// A handler is written as `Result<Response>(ApiCall&)`; Gate() wraps it into a server Handler:
//   server.Route("GET", "/api/v1/residents", api.Gate(kResidentView, ListResidents));
// Authentication: the `steward_session` cookie (HttpOnly, SameSite=Strict) whose unsafe requests
// must echo the session's CSRF token in `X-CSRF-Token`; or `Authorization: Bearer stw_...`. A
// session whose password must change may only call the endpoints marked kAllowBeforePasswordChange.
// Unknown/expired credentials: 401; missing permission or CSRF: 403.
// Threads: an ApiCall belongs to one request; Api is shared and thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "auth/account.hpp"
#include "auth/policy.hpp"
#include "http/api.hpp"
#include "http/json_body.hpp"
#include "http/server.hpp"

namespace steward::http::handlers {

inline constexpr std::string_view kSessionCookie = "steward_session";

class ApiCall {
 public:
  ApiCall(const Request& request, const ApiServices& services, auth::Principal principal,
          std::optional<auth::Session> session, std::string session_token)
      : request(request),
        services(services),
        principal(std::move(principal)),
        session(std::move(session)),
        session_token(std::move(session_token)) {}

  const Request& request;
  const ApiServices& services;
  const auth::Principal principal;
  const std::optional<auth::Session> session;  // console sign-ins; empty for API tokens
  const std::string session_token;

  // "user:<id>", for history and audit.
  std::string actor() const { return "user:" + std::to_string(principal.user_id()); }
  storage::WriteContext write_context() const { return {actor(), storage::Source::kConsole}; }
  Result<nlohmann::json> Body(std::span<const FieldSpec> fields) const {
    return ParseJsonBody(request.body, fields);
  }
  // A path parameter that must be a positive integer id.
  Result<Id> IdParam(std::string_view name) const;
  // Queues an audit entry for this request (actor, client and request id filled in). A full audit
  // queue fails the request: nothing happens unrecorded.
  Status Audit(std::string action, std::string target, nlohmann::json detail) const;
};

using ApiHandler = std::function<Result<Response>(ApiCall&)>;

enum class GateOption { kNone, kAllowBeforePasswordChange };

class Api {
 public:
  explicit Api(const ApiServices& services) : services_(services) {}

  // `permission` empty: any signed-in user.
  Handler Gate(std::string_view permission, ApiHandler handler,
               GateOption option = GateOption::kNone) const;
  // For endpoints without a caller (login): errors mapped, nothing else.
  Handler Open(std::function<Result<Response>(const Request&)> handler) const;

  const ApiServices& services() const { return services_; }

 private:
  const ApiServices& services_;
};

Response JsonResponse(const nlohmann::json& body, int status = 200);

// Ids are 64-bit: JSON carries them as strings (JavaScript numbers lose digits past 2^53).
inline nlohmann::json IdJson(Id id) { return std::to_string(id); }
inline nlohmann::json OptIdJson(const std::optional<Id>& id) {
  return id ? IdJson(*id) : nlohmann::json();
}

// Routes of each domain (one file each).
void AddAuthRoutes(Server& server, const Api& api);
void AddOrgRoutes(Server& server, const Api& api);
void AddResidentRoutes(Server& server, const Api& api);
void AddSystemRoutes(Server& server, const Api& api);
void AddPlaceRoutes(Server& server, const Api& api);
void AddStatsRoutes(Server& server, const Api& api);
void AddJobRoutes(Server& server, const Api& api);  // imports and exports (services.jobs)

}  // namespace steward::http::handlers
