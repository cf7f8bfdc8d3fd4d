// RouteTable: which Handler answers a request, and the JSON error bodies the server produces
// itself.
//
// Kept apart from server.cpp so route logic compiles without Boost and is tested without sockets.
// Internal to http/: no other module includes it.
//
// Patterns: a path is split at '/'; a segment written `{name}` matches any one non-empty segment
// and hands it to the handler as request.params["name"] (percent-decoded). A literal segment wins
// over a parameter at the same place (`/residents/export` before `/residents/{id}`).
//
// Threads: Add() only before serving; Find() and Dispatch() are const and may run on many threads.
// Invariants: Dispatch() never throws; it always returns a status in 100..599; HEAD falls back to
// the GET route (the server drops the body); a path known under another method is 405 with Allow.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.hpp"

namespace steward::http::internal {

// {"error":{"code":"<code>","message":"<message>"}} with the given status. Invalid UTF-8 in the
// message (e.g. echoed from a request path) is replaced, never thrown on.
Response JsonError(int status, std::string_view code, std::string_view message);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt when malformed.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

class RouteTable {
 public:
  struct Route {
    std::string pattern;
    Handler handler;
    RouteOptions options;
    std::vector<std::pair<size_t, std::string>> parameters;  // segment index -> name
  };

  // What a request's method and path lead to: a route and the path's parameters, or the error
  // response (404, 405) to send instead.
  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    std::optional<Response> error;
  };

  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  Match Find(std::string_view method, std::string_view path) const;

  // Runs the route's handler: 500 when it throws or returns a status out of range.
  static Response Invoke(const Route& route, const Request& request);
  // Runs the route's quick path if it has one: nullopt when it has none, declines, or throws (the
  // handler then gets the request).
  static std::optional<Response> InvokeQuick(const Route& route, const Request& request);

  // Find + Invoke, filling request.params and request.route.
  Response Dispatch(Request request) const;

  // Every (method, pattern) added, sorted; for the OpenAPI check.
  std::vector<std::pair<std::string, std::string>> List() const;

 private:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
    std::unique_ptr<Node> parameter;                    // `{name}`: names live in the Route
    std::map<std::string, Route, std::less<>> methods;  // routes ending here
  };
  static const Node* Walk(const Node& node, const std::vector<std::string_view>& segments,
                          size_t index);

  Node root_;
};

}  // namespace steward::http::internal
