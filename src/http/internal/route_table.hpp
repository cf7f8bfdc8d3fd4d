// RouteTable: which Handler answers a request, and the JSON error bodies the server produces
// itself.
//
// Kept apart from server.cpp so route logic compiles without Boost and is tested without sockets.
// Internal to http/: no other module includes it.
//
// Threads: Add() only before serving; Dispatch() is const and may run on many threads at once.
// Invariants: Dispatch() never throws; it always returns a status in 100..599; HEAD falls back to
// the GET route (the server drops the body); a path known under another method is 405 with Allow.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "http/server.hpp"

namespace steward::http::internal {

// {"error":{"code":"<code>","message":"<message>"}} with the given status. Invalid UTF-8 in the
// message (e.g. echoed from a request path) is replaced, never thrown on.
Response JsonError(int status, std::string_view code, std::string_view message);

class RouteTable {
 public:
  void Add(std::string method, std::string path, Handler handler);

  // The matching handler's response; 404 for an unknown path; 405 (with an Allow header) for a
  // known path under another method; 500 when the handler throws or returns a status out of range.
  Response Dispatch(const Request& request) const;

 private:
  using MethodMap = std::map<std::string, Handler, std::less<>>;
  std::map<std::string, MethodMap, std::less<>> routes_;  // path -> method -> handler
};

}  // namespace steward::http::internal
