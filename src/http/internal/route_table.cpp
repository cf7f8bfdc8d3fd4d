#include "http/internal/route_table.hpp"

#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/log.hpp"

namespace steward::http::internal {
namespace {

const Handler* FindHandler(const std::map<std::string, Handler, std::less<>>& methods,
                           std::string_view method) {
  auto it = methods.find(method);
  if (it == methods.end() && method == "HEAD") it = methods.find(std::string_view("GET"));
  return it == methods.end() ? nullptr : &it->second;
}

std::string AllowHeader(const std::map<std::string, Handler, std::less<>>& methods) {
  std::string allow;
  bool has_get = false;
  bool has_head = false;
  for (const auto& [method, handler] : methods) {
    has_get = has_get || method == "GET";
    has_head = has_head || method == "HEAD";
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  if (has_get && !has_head) allow += ", HEAD";
  return allow;
}

Response InternalError() { return JsonError(500, "internal", "内部错误 / internal error"); }

}  // namespace

Response JsonError(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

void RouteTable::Add(std::string method, std::string path, Handler handler) {
  routes_[std::move(path)][std::move(method)] = std::move(handler);
}

Response RouteTable::Dispatch(const Request& request) const {
  auto route = routes_.find(request.path);
  if (route == routes_.end()) {
    return JsonError(404, "not_found", "未找到 / not found: " + request.path);
  }
  const Handler* handler = FindHandler(route->second, request.method);
  if (handler == nullptr) {
    Response response = JsonError(405, "method_not_allowed",
                                  "不允许的方法 / method not allowed: " + request.method);
    response.headers.emplace_back("Allow", AllowHeader(route->second));
    return response;
  }
  try {
    Response response = (*handler)(request);
    if (response.status < 100 || response.status > 599) {
      spdlog::error("http: handler for {} {} returned status {}", request.method, request.path,
                    response.status);
      return InternalError();
    }
    return response;
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", request.method, request.path);
  }
  return InternalError();
}

}  // namespace steward::http::internal
