#include "http/internal/route_table.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/log.hpp"

namespace steward::http::internal {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

template <typename Methods>
const RouteTable::Route* FindRoute(const Methods& methods, std::string_view method) {
  auto it = methods.find(method);
  if (it == methods.end() && method == "HEAD") it = methods.find(std::string_view("GET"));
  return it == methods.end() ? nullptr : &it->second;
}

template <typename Methods>
std::string AllowHeader(const Methods& methods) {
  std::string allow;
  bool has_get = false;
  bool has_head = false;
  for (const auto& [method, route] : methods) {
    has_get = has_get || method == "GET";
    has_head = has_head || method == "HEAD";
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  if (has_get && !has_head) allow += ", HEAD";
  return allow;
}

Response InternalError() { return JsonError(500, "internal", "内部错误 / internal error"); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Response JsonError(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void RouteTable::Add(std::string method, std::string pattern, Handler handler,
                     RouteOptions options) {
  Route route{pattern, std::move(handler), options, {}};
  Node* node = &root_;
  const auto segments = Segments(pattern);
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string_view segment = segments[i];
    std::unique_ptr<Node>* next;
    if (IsParameter(segment)) {
      route.parameters.emplace_back(i, std::string(segment.substr(1, segment.size() - 2)));
      next = &node->parameter;
    } else {
      next = &node->literal[std::string(segment)];
    }
    if (!*next) *next = std::make_unique<Node>();
    node = next->get();
  }
  node->methods[std::move(method)] = std::move(route);
}

const RouteTable::Node* RouteTable::Walk(const Node& node,
                                         const std::vector<std::string_view>& segments,
                                         size_t index) {
  if (index == segments.size()) return node.methods.empty() ? nullptr : &node;
  if (auto literal = node.literal.find(segments[index]); literal != node.literal.end()) {
    if (const Node* found = Walk(*literal->second, segments, index + 1)) return found;
  }
  if (node.parameter && !segments[index].empty()) {
    return Walk(*node.parameter, segments, index + 1);
  }
  return nullptr;
}

RouteTable::Match RouteTable::Find(std::string_view method, std::string_view path) const {
  Match match;
  const auto segments = Segments(path);
  const Node* node = Walk(root_, segments, 0);
  if (node == nullptr) {
    match.error = JsonError(404, "not_found", "未找到 / not found: " + std::string(path));
    return match;
  }
  match.route = FindRoute(node->methods, method);
  if (match.route == nullptr) {
    Response response = JsonError(405, "method_not_allowed",
                                  "不允许的方法 / method not allowed: " + std::string(method));
    response.headers.emplace_back("Allow", AllowHeader(node->methods));
    match.error = std::move(response);
    return match;
  }
  for (const auto& [index, name] : match.route->parameters) {
    auto decoded = PercentDecode(segments[index], false);
    if (!decoded) {
      match.route = nullptr;
      match.error = JsonError(400, "bad_request", "路径编码错误 / malformed path encoding");
      return match;
    }
    match.params[name] = std::move(*decoded);
  }
  return match;
}

Response RouteTable::Invoke(const Route& route, const Request& request) {
  try {
    Response response = route.handler(request);
    if (response.status < 100 || response.status > 599) {
      spdlog::error("http: handler for {} {} returned status {}", request.method, route.pattern,
                    response.status);
      return InternalError();
    }
    return response;
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", request.method, route.pattern, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", request.method, route.pattern);
  }
  return InternalError();
}

std::optional<Response> RouteTable::InvokeQuick(const Route& route, const Request& request) {
  if (!route.options.quick) return std::nullopt;
  try {
    std::optional<Response> response = route.options.quick(request);
    if (response && (response->status < 100 || response->status > 599)) return std::nullopt;
    return response;
  } catch (const std::exception& e) {
    spdlog::error("http: quick path of {} {} threw: {}", request.method, route.pattern, e.what());
  } catch (...) {
    spdlog::error("http: quick path of {} {} threw a non-exception", request.method, route.pattern);
  }
  return std::nullopt;
}

Response RouteTable::Dispatch(Request request) const {
  Match match = Find(request.method, request.path);
  if (match.error) return std::move(*match.error);
  request.params = std::move(match.params);
  request.route = match.route->pattern;
  return Invoke(*match.route, request);
}

std::vector<std::pair<std::string, std::string>> RouteTable::List() const {
  std::vector<std::pair<std::string, std::string>> all;
  std::vector<const Node*> stack = {&root_};
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    for (const auto& [method, route] : node->methods) all.emplace_back(method, route.pattern);
    for (const auto& [segment, child] : node->literal) stack.push_back(child.get());
    if (node->parameter) stack.push_back(node->parameter.get());
  }
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace steward::http::internal
