#include "http/handlers/api_call.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <thread>

#include "base/log.hpp"
#include "http/internal/api_error.hpp"
#include "segment/model_holder.hpp"

namespace steward::http::handlers {
namespace {

bool IsSafeMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// Refused before the handler: the detail's code says why, for the console.
Response Refuse(ErrorCode code, std::string message, std::string detail_code,
                const Request& request) {
  return internal::ErrorResponse(
      Error{code, std::move(message), {{"", std::move(detail_code), ""}}}, request.language());
}

Response FromResult(Result<Response> result, const Request& request) {
  if (result) return std::move(*result);
  if (result.error().code == ErrorCode::kInternal || result.error().code == ErrorCode::kDataLoss) {
    // The cause goes to our log (never personal data by convention), not to the client.
    spdlog::error("api: {} {} failed: {}", request.request_id, request.route,
                  result.error().ToString());
  }
  return internal::ErrorResponse(result.error(), request.language());
}

}  // namespace

Response JsonResponse(const nlohmann::json& body, int status) {
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

std::shared_ptr<const auth::Principal> PrincipalCache::Find(Id user_id, uint64_t generation) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(user_id);
  if (found == entries_.end() || found->second.first != generation) return nullptr;
  return found->second.second;
}

Result<std::shared_ptr<const auth::Principal>> PrincipalCache::Get(storage::Database& database,
                                                                   Id user_id,
                                                                   uint64_t generation) {
  if (auto cached = Find(user_id, generation)) return cached;
  STEWARD_ASSIGN_OR_RETURN(auth::Principal loaded,
                           database.Read([&](storage::Connection& connection) {
                             return auth::LoadPrincipal(connection, user_id);
                           }));
  auto principal = std::make_shared<const auth::Principal>(std::move(loaded));
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(user_id, std::make_pair(generation, principal));
  return principal;
}

Result<Id> ApiCall::IdParam(std::string_view name) const {
  auto found = request.params.find(name);
  Id id = 0;
  if (found != request.params.end()) {
    const std::string& text = found->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec == std::errc() && end == text.data() + text.size() && id > 0) return id;
  }
  return Fail(ErrorCode::kInvalidArgument, "编号格式有误 / not a valid id",
              {{std::string(name), "id.invalid", "应为正整数 / must be a positive integer"}});
}

Result<std::optional<int64_t>> ApiCall::OptionalIntQuery(std::string_view name, int64_t low,
                                                         int64_t high) const {
  auto text = request.Query(name);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < low || value > high) {
    const std::string range = std::to_string(low) + " 到 " + std::to_string(high);
    return tl::unexpected(InvalidField(std::string(name), "range",
                                       "应为 " + range + " 的整数 / must be an integer from " +
                                           std::to_string(low) + " to " + std::to_string(high)));
  }
  return value;
}

Result<int64_t> ApiCall::IntQuery(std::string_view name, int64_t fallback, int64_t low,
                                  int64_t high) const {
  STEWARD_ASSIGN_OR_RETURN(auto value, OptionalIntQuery(name, low, high));
  return value.value_or(fallback);
}

Result<int64_t> ApiCall::ExpectedVersion() const {
  std::string_view match = request.Header("if-match");
  if (match.starts_with("W/")) match.remove_prefix(2);
  if (match.size() >= 2 && match.front() == '"' && match.back() == '"') {
    match = match.substr(1, match.size() - 2);
  }
  int64_t version = 0;
  auto [end, ec] = std::from_chars(match.data(), match.data() + match.size(), version);
  if (match.empty() || ec != std::errc() || end != match.data() + match.size()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "修改需带 If-Match 版本号 / send If-Match with the version you edited",
                {{"If-Match", "precondition_required", "缺少版本 / missing version"}});
  }
  return version;
}

Result<Response> VersionFailure(const ApiCall& call, Error error) {
  const bool missing = !error.details.empty() && error.details[0].code == "precondition_required";
  if (error.code != ErrorCode::kConflict && !missing) return tl::unexpected(std::move(error));
  Response response = internal::ErrorResponse(error, call.request.language());
  response.status = missing ? 428 : 412;
  return response;
}

std::shared_ptr<const AnswerCache::Answer> AnswerCache::Find(const std::string& key,
                                                             uint64_t generation) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end() || found->second.first != generation) return nullptr;
  return found->second.second;
}

void AnswerCache::Store(std::string key, uint64_t generation,
                        std::shared_ptr<const Answer> answer) {
  const size_t size = key.size() + answer->response.shared_body->size();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries || bytes_ + size > kMaxBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  auto [at, inserted] = entries_.try_emplace(std::move(key));
  if (!inserted) bytes_ -= at->first.size() + at->second.second->response.shared_body->size();
  at->second = {generation, std::move(answer)};
  bytes_ += size;
}

std::optional<Id> ApiCall::IdQuery(std::string_view name) const {
  auto text = request.Query(name);
  if (!text) return std::nullopt;
  return static_cast<Id>(std::strtoll(text->c_str(), nullptr, 10));
}

Result<org::Unit> ApiCall::VisibleUnit(storage::Connection& connection, Id id) const {
  org::OrgStore store(services.ids, services.clock);
  auto unit = store.Get(connection, id);
  if (!unit || !principal.Scope(auth::ScopeKind::kView).Contains(unit->path)) {
    return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
  }
  return unit;
}

Status ApiCall::Audit(std::string action, std::string target, nlohmann::json detail) const {
  audit::AuditEntry entry;
  entry.actor = actor();
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.detail = std::move(detail);
  entry.client = request.client;
  entry.request_id = request.request_id;
  return services.audit.Record(std::move(entry));
}

Handler Api::Gate(std::string_view permission, ApiHandler handler, GateOption option) const {
  return [&services = services_, principals = principals_, permission = std::string(permission),
          handler = std::move(handler), option](const Request& request) -> Response {
    const uint64_t generation = services.database.generation();
    // Who is asking.
    std::optional<auth::Session> session;
    std::string token;
    Id user_id = 0;
    const std::string_view authorization = request.Header("authorization");
    if (authorization.starts_with("Bearer ")) {
      auto found = services.accounts.LookupApiToken(authorization.substr(7));
      if (!found) {
        return Refuse(ErrorCode::kUnauthenticated, "令牌无效或已过期 / invalid or expired token",
                      "auth.unauthenticated", request);
      }
      user_id = found->user_id;
    } else if (auto cookie = request.Cookie(kSessionCookie)) {
      auto found = services.accounts.LookupSession(*cookie);
      if (!found) {
        return Refuse(ErrorCode::kUnauthenticated, "登录已过期，请重新登录 / please sign in again",
                      "auth.unauthenticated", request);
      }
      session = std::move(*found);
      token = std::move(*cookie);
      user_id = session->user_id;
      if (!IsSafeMethod(request.method) &&
          request.Header("x-csrf-token") != std::string_view(session->csrf_token)) {
        return Refuse(ErrorCode::kPermissionDenied,
                      "请求缺少有效的 CSRF 令牌 / missing or wrong CSRF token", "auth.csrf",
                      request);
      }
      if (session->must_change_password && option != GateOption::kAllowBeforePasswordChange) {
        return Refuse(ErrorCode::kPermissionDenied, "请先修改初始密码 / change your password first",
                      "auth.password_change_required", request);
      }
    } else {
      return Refuse(ErrorCode::kUnauthenticated, "请先登录 / please sign in",
                    "auth.unauthenticated", request);
    }
    auto principal = principals->Get(services.database, user_id, generation);
    if (!principal) {
      return Refuse(ErrorCode::kUnauthenticated, "请先登录 / please sign in",
                    "auth.unauthenticated", request);
    }
    if (!permission.empty() && !(*principal)->Can(permission)) {
      return Refuse(ErrorCode::kPermissionDenied, "没有权限 / permission denied",
                    "auth.permission:" + permission, request);
    }
    ApiCall call(request, services, std::move(*principal), std::move(session), std::move(token));
    call.generation = generation;
    return FromResult(handler(call), request);
  };
}

namespace {

std::string AnswerKey(const ApiCall& call) {
  return std::to_string(call.principal.user_id()) + ' ' + call.request.target + ' ' +
         call.services.clock.Today().ToString();
}

Response HitResponse(const AnswerCache::Answer& answer) {
  Response response = answer.response;
  response.headers.emplace_back("X-Cache", "hit");
  return response;
}

}  // namespace

void Api::Cached(Server& server, std::string path, std::string_view permission, ApiHandler handler,
                 HitHook on_hit) const {
  auto cache = std::make_shared<AnswerCache>();
  ApiHandler caching = [cache, handler = std::move(handler),
                        on_hit](ApiCall& call) -> Result<Response> {
    const std::string key = AnswerKey(call);
    if (auto answer = cache->Find(key, call.generation)) {
      if (on_hit) STEWARD_TRY(on_hit(call, answer->note));
      return HitResponse(*answer);
    }
    STEWARD_ASSIGN_OR_RETURN(Response response, handler(call));
    if (response.status != 200 || response.stream || !response.file.empty()) return response;
    auto answer = std::make_shared<AnswerCache::Answer>();
    answer->response = std::move(response);
    answer->response.shared_body =
        std::make_shared<const std::string>(std::move(answer->response.body));
    answer->response.body.clear();
    answer->note = std::move(call.cache_note);
    Response fresh = answer->response;
    fresh.headers.emplace_back("X-Cache", "miss");
    cache->Store(key, call.generation, std::move(answer));
    return fresh;
  };
  // The quick path: the same checks as Gate, from memory only; anything it cannot settle there
  // (an unknown credential, a refusal, a miss) goes to the worker pool.
  QuickHandler quick = [&services = services_, principals = principals_,
                        permission = std::string(permission), cache,
                        on_hit](const Request& request) -> std::optional<Response> {
    const uint64_t generation = services.database.generation();
    std::optional<auth::Session> session;
    std::string token;
    Id user_id = 0;
    const std::string_view authorization = request.Header("authorization");
    if (authorization.starts_with("Bearer ")) {
      auto found = services.accounts.CachedApiToken(authorization.substr(7));
      if (!found) return std::nullopt;
      user_id = found->user_id;
    } else if (auto cookie = request.Cookie(kSessionCookie)) {
      session = services.accounts.CachedSession(*cookie);
      if (!session || session->must_change_password) return std::nullopt;
      token = std::move(*cookie);
      user_id = session->user_id;
    } else {
      return std::nullopt;
    }
    auto principal = principals->Find(user_id, generation);
    if (!principal || (!permission.empty() && !principal->Can(permission))) return std::nullopt;
    ApiCall call(request, services, std::move(principal), std::move(session), std::move(token));
    call.generation = generation;
    auto answer = cache->Find(AnswerKey(call), generation);
    if (!answer) return std::nullopt;
    if (on_hit) {
      if (Status status = on_hit(call, answer->note); !status) {
        return FromResult(tl::unexpected(std::move(status).error()), request);
      }
    }
    return HitResponse(*answer);
  };
  RouteOptions options;
  options.quick = std::move(quick);
  server.Route("GET", std::move(path), Gate(permission, std::move(caching)), std::move(options));
}

Handler Api::Open(std::function<Result<Response>(const Request&)> handler) const {
  return [handler = std::move(handler)](const Request& request) -> Response {
    return FromResult(handler(request), request);
  };
}

Error InvalidField(std::string field, std::string code, std::string message) {
  return Error{
      ErrorCode::kInvalidArgument, message, {{std::move(field), std::move(code), message}}};
}

std::string SseEvent(std::string_view name, const nlohmann::json& data) {
  return "event: " + std::string(name) +
         "\ndata: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

std::string LiveEvent(bool websocket, std::string_view name, const nlohmann::json& data) {
  if (!websocket) return SseEvent(name, data);
  return nlohmann::json{{"event", name}, {"data", data}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response EventStreamResponse() {
  Response response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  return response;
}

Response LiveResponse(const Request& request) {
  if (!request.websocket) return EventStreamResponse();
  Response response;
  response.websocket = true;
  response.status = 101;
  return response;
}

bool PauseStream(const std::atomic<bool>& stopping, int64_t ms) {
  for (int64_t waited = 0; waited < ms && !stopping; waited += 100) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !stopping;
}

std::shared_ptr<segment::ModelHolder> SharedSegmentModel(const Api& api) {
  if (api.services().segments != nullptr) {
    return std::shared_ptr<segment::ModelHolder>(api.services().segments,
                                                 [](segment::ModelHolder*) {});
  }
  return std::make_shared<segment::ModelHolder>();
}

std::string ContentDisposition(const std::string& name, const std::string& fallback) {
  std::string encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace steward::http::handlers
