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
#include <map>
#include <memory>
#include <mutex>
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
#include "org/unit.hpp"

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
  // A query parameter holding an id (0 when it is not a number: found nowhere); nullopt if absent.
  std::optional<Id> IdQuery(std::string_view name) const;
  // A unit inside the caller's view scope, or kNotFound (never revealing units outside it).
  Result<org::Unit> VisibleUnit(storage::Connection& connection, Id id) const;
  // The version an If-Match header names ("3", "\"3\"" or W/"3"); kFailedPrecondition with the
  // detail code "precondition_required" when it is missing or malformed.
  Result<int64_t> ExpectedVersion() const;
  // Queues an audit entry for this request (actor, client and request id filled in). A full audit
  // queue fails the request: nothing happens unrecorded.
  Status Audit(std::string action, std::string target, nlohmann::json detail) const;
};

// A stale version (kConflict) as 412 and a missing If-Match as 428; other errors pass through.
Result<Response> VersionFailure(const ApiCall& call, Error error);

// Responses computed from the database and kept until the change log moves on (the key must
// name everything the answer depends on: scope, permissions, query). Thread-safe.
class ChangeSeqCache {
 public:
  std::optional<std::string> Find(const std::string& key, int64_t seq);
  void Store(std::string key, int64_t seq, std::string body);

 private:
  static constexpr size_t kMaxEntries = 1024;
  std::mutex mutex_;
  std::map<std::string, std::pair<int64_t, std::string>> entries_;  // guarded by mutex_
};

using ApiHandler = std::function<Result<Response>(ApiCall&)>;

enum class GateOption { kNone, kAllowBeforePasswordChange };

// Principals by user, each valid while the change log has not moved: users, roles, units and
// tokens are written through the change log, so any change to them makes the next request load
// afresh. Thread-safe.
class PrincipalCache {
 public:
  Result<auth::Principal> Get(storage::Connection& connection, Id user_id);

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mutex_;
  std::map<Id, std::pair<int64_t, auth::Principal>> entries_;  // guarded by mutex_
};

class Api {
 public:
  explicit Api(const ApiServices& services)
      : services_(services), principals_(std::make_shared<PrincipalCache>()) {}

  // `permission` empty: any signed-in user.
  Handler Gate(std::string_view permission, ApiHandler handler,
               GateOption option = GateOption::kNone) const;
  // For endpoints without a caller (login): errors mapped, nothing else.
  Handler Open(std::function<Result<Response>(const Request&)> handler) const;

  const ApiServices& services() const { return services_; }

 private:
  const ApiServices& services_;
  std::shared_ptr<PrincipalCache> principals_;  // shared by every gate of this Api
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
