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
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "auth/account.hpp"
#include "auth/policy.hpp"
#include "http/api.hpp"
#include "http/json_body.hpp"
#include "http/server.hpp"
#include "org/unit.hpp"
#include "registry/resident_query.hpp"

namespace steward::http::handlers {

inline constexpr std::string_view kSessionCookie = "steward_session";

class ApiCall {
 public:
  ApiCall(const Request& request, const ApiServices& services,
          std::shared_ptr<const auth::Principal> principal, std::optional<auth::Session> session,
          std::string session_token)
      : request(request),
        services(services),
        principal_holder_(std::move(principal)),
        principal(*principal_holder_),
        session(std::move(session)),
        session_token(std::move(session_token)) {}

  const Request& request;
  const ApiServices& services;

 private:
  const std::shared_ptr<const auth::Principal> principal_holder_;  // shared with PrincipalCache

 public:
  const auth::Principal& principal;
  const std::optional<auth::Session> session;  // console sign-ins; empty for API tokens
  const std::string session_token;
  // Database::generation() read before the caller was authenticated: an answer computed for this
  // call is cached under it (Api::Cached), so any write committed meanwhile outdates it.
  uint64_t generation = 0;
  // Set by the handler of an Api::Cached route: what its hit hook needs for a cached answer
  // (e.g. the row counts its audit entry names). Stored beside the answer.
  nlohmann::json cache_note;

  // "user:<id>", for history and audit.
  std::string actor() const { return "user:" + std::to_string(principal.user_id()); }
  storage::WriteContext write_context() const { return {actor(), storage::Source::kConsole}; }
  Result<nlohmann::json> Body(std::span<const FieldSpec> fields) const {
    return ParseJsonBody(request.body, fields);
  }
  // A path parameter that must be a positive integer id.
  Result<Id> IdParam(std::string_view name) const;
  // An integer query parameter from `low` to `high`, `fallback` when absent; anything else is
  // kInvalidArgument naming the parameter and the range (never silently replaced).
  Result<int64_t> IntQuery(std::string_view name, int64_t fallback, int64_t low,
                           int64_t high) const;
  // The same, nullopt when absent (a filter that is not given).
  Result<std::optional<int64_t>> OptionalIntQuery(std::string_view name, int64_t low,
                                                  int64_t high) const;
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

// Answers of GET routes computed from the database, kept while Database::generation() stays put
// (any recorded write, here or in another process, moves it on). The key must name everything the
// answer depends on besides the data: Api::Cached uses the user, the request target and today.
// At most kMaxEntries answers and kMaxBytes of bodies; beyond that the cache starts empty again.
// Thread-safe.
class AnswerCache {
 public:
  struct Answer {
    Response response;  // status 200; the body in shared_body
    nlohmann::json note;
  };
  std::shared_ptr<const Answer> Find(const std::string& key, uint64_t generation) const;
  void Store(std::string key, uint64_t generation, std::shared_ptr<const Answer> answer);

 private:
  static constexpr size_t kMaxEntries = 4096;
  static constexpr size_t kMaxBytes = size_t{64} << 20;
  mutable std::mutex mutex_;
  // guarded by mutex_
  std::unordered_map<std::string, std::pair<uint64_t, std::shared_ptr<const Answer>>> entries_;
  size_t bytes_ = 0;  // guarded by mutex_
};

using ApiHandler = std::function<Result<Response>(ApiCall&)>;

enum class GateOption { kNone, kAllowBeforePasswordChange };

// Principals by user, each valid while Database::generation() has not moved: users, roles, units
// and tokens are written through the change log, so any change to them makes the next request load
// afresh. Thread-safe.
class PrincipalCache {
 public:
  // Without blocking: the principal cached for this generation, if any.
  std::shared_ptr<const auth::Principal> Find(Id user_id, uint64_t generation) const;
  Result<std::shared_ptr<const auth::Principal>> Get(storage::Database& database, Id user_id,
                                                     uint64_t generation);

 private:
  static constexpr size_t kMaxEntries = 4096;
  mutable std::mutex mutex_;
  // guarded by mutex_
  std::unordered_map<Id, std::pair<uint64_t, std::shared_ptr<const auth::Principal>>> entries_;
};

// Called for every answer an Api::Cached route serves from its cache (e.g. to write the audit
// entry the handler writes when it computes the answer), with the note the handler left.
using HitHook = std::function<Status(ApiCall&, const nlohmann::json& note)>;

class Api {
 public:
  explicit Api(const ApiServices& services)
      : services_(services), principals_(std::make_shared<PrincipalCache>()) {}

  // `permission` empty: any signed-in user.
  Handler Gate(std::string_view permission, ApiHandler handler,
               GateOption option = GateOption::kNone) const;
  // For endpoints without a caller (login): errors mapped, nothing else.
  Handler Open(std::function<Result<Response>(const Request&)> handler) const;
  // A GET route whose 200 answers are cached per user, request target and day until the data
  // changes (AnswerCache), marked `X-Cache: hit|miss`. A hit is served on the io thread when the
  // caller's credential and principal are cached too (RouteOptions::quick), else on a worker;
  // either way `on_hit` runs for it. The handler must depend on nothing else (no unmask state,
  // no headers).
  void Cached(Server& server, std::string path, std::string_view permission, ApiHandler handler,
              HitHook on_hit = {}) const;

  const ApiServices& services() const { return services_; }

 private:
  const ApiServices& services_;
  std::shared_ptr<PrincipalCache> principals_;  // shared by every gate of this Api
};

Response JsonResponse(const nlohmann::json& body, int status = 200);

// kInvalidArgument for one field of a request, `message` both the error's and the detail's.
Error InvalidField(std::string field, std::string code, std::string message);

// One Server-Sent Event: `event: NAME` and the JSON as its data line (invalid UTF-8 replaced).
std::string SseEvent(std::string_view name, const nlohmann::json& data);
// One event of a live stream framed as the request chose: for a WebSocket (Request::websocket) a
// text message {"event": NAME, "data": DATA}, else a Server-Sent Event. One event per call of
// the stream's producer, so each WebSocket message holds one.
std::string LiveEvent(bool websocket, std::string_view name, const nlohmann::json& data);
// An empty Server-Sent Events Response (text/event-stream, not cached, not buffered by proxies).
Response EventStreamResponse();
// An empty streamed Response for the request: a WebSocket when it asked for one, else
// EventStreamResponse().
Response LiveResponse(const Request& request);
// Waits `ms` between two chunks of a Response::stream in slices of 100 ms; false when `stopping`
// turned true meanwhile (the stream should end).
bool PauseStream(const std::atomic<bool>& stopping, int64_t ms);

// The segment read model the routes share: the server's (services.segments) when it keeps one,
// else one of the routes' own.
std::shared_ptr<segment::ModelHolder> SharedSegmentModel(const Api& api);

// A Content-Disposition attachment header value (RFC 5987): the UTF-8 file name percent-encoded,
// with a plain ASCII fallback.
std::string ContentDisposition(const std::string& name, const std::string& fallback);

// Ids are 64-bit: JSON carries them as strings (JavaScript numbers lose digits past 2^53).
inline nlohmann::json IdJson(Id id) { return std::to_string(id); }
inline nlohmann::json OptIdJson(const std::optional<Id>& id) {
  return id ? IdJson(*id) : nlohmann::json();
}

// One resident of a list as the caller may see it (masked numbers; details and sensitive tags
// only where auth::FieldsFor allows): the items of GET /api/v1/residents and of segment pages.
nlohmann::json ResidentListItemJson(const auth::Principal& principal,
                                    const registry::ResidentListItem& item,
                                    std::span<const std::string> sensitive_tags);

// The residents of a segment to export (POST /api/v1/segments/export).
struct ExportSelection {
  std::vector<Id> resident_ids;  // ascending, already inside the caller's view scope
  std::string query;             // the segment's text, masked for audit (audit::MaskForAudit)
  std::string label;             // names the file and the sheet: the saved segment's name or 人群
};

// Starts an export job of `body`'s format, unmasked and purpose (the caller, who must hold
// registry:export:run, needs the sensitive-tag permission too, and export:unmasked with a purpose
// for plain numbers): of `body`'s
// unit_id (or everything) when `selection` is null, else of the selection's residents. Answers
// 202 with the job; GET /api/v1/exports/{id} and …/file follow it. Audited (export.residents).
Result<Response> StartResidentExport(ApiCall& call, const nlohmann::json& body,
                                     const ExportSelection* selection);

// The residents a segment selects inside the caller's view scope, ascending. `body` holds
// exactly one of query (text), tree (JSON) or segment_id (with version), as
// POST /api/v1/segments/evaluate takes them; a query testing sensitive data needs
// registry:sensitive:view.
struct SegmentSelection {
  std::vector<Id> residents;
  std::string text;                             // the canonical query
  std::optional<std::pair<Id, int64_t>> saved;  // the saved segment's id and version
};
Result<SegmentSelection> SelectSegment(const ApiCall& call, segment::ModelHolder& holder,
                                       const nlohmann::json& body);

// Routes of each domain (one file each).
void AddAuthRoutes(Server& server, const Api& api);
void AddOrgRoutes(Server& server, const Api& api);
void AddResidentRoutes(Server& server, const Api& api);
void AddSystemRoutes(Server& server, const Api& api);
void AddDictRoutes(Server& server, const Api& api);
void AddPlaceRoutes(Server& server, const Api& api);
void AddStatsRoutes(Server& server, const Api& api);
void AddJobRoutes(Server& server, const Api& api);      // imports and exports (services.jobs)
void AddSegmentRoutes(Server& server, const Api& api);  // segments (services.segments)
// scripts, campaigns, calls, ledgers, tasks, pending changes (services.campaigns)
void AddCampaignRoutes(Server& server, const Api& api);
void AddPromptRoutes(Server& server, const Api& api);  // recorded prompts (services.prompts)

}  // namespace steward::http::handlers
