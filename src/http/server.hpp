// The HTTP server: accepts HTTP/1.1 connections and answers them from a table of routes.
//
// What for: the only door into Steward from the network. This first version knows a route table
// (method + exact path -> Handler); a router with path parameters, the JSON API and middleware come
// later and plug in here. Boost.Beast/Asio live only in server.cpp (pimpl), so including this
// header costs nothing.
//
// Ownership: the caller owns the Server; the Server owns its io_context, its io threads, every
// connection and a copy of every Handler. Handlers must not outlive what they capture by reference.
//
// Threads: Route() and Start() are called by one thread before serving. Stop() and WaitForStop()
// may be called from any thread except an io thread (a Handler must never call them). Handlers run
// on the io threads, possibly on several at once when options.threads > 1, so they must be
// thread-safe. They must stay short: DATABASE WORK (or anything else that blocks) MUST NEVER RUN ON
// THESE THREADS: one slow handler stalls every connection that shares its thread. A later issue
// adds a worker pool for blocking work.
//
// Invariants: every response carries `Server: steward` and an `X-Request-Id` unique within the
// process; a Handler that throws produces a 500 JSON error and the connection stays usable; request
// bodies over 1 MiB are answered 413 without reaching a Handler; a connection idle for 30 s is
// closed; Stop() waits at most ~5 s for requests in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace steward::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (tests); Start() returns the real one
  std::string version;   // the build version, for logs
  int threads = 1;       // io threads; values below 1 mean 1
};

struct Request {
  std::string method;  // "GET", "POST", ... as sent (HEAD is answered by the GET route)
  std::string target;  // as sent: path and query, e.g. "/api/v1/x?page=2"
  std::string path;    // target without the query
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. Allow, Location). Server, X-Request-Id, Content-Type, Content-Length and
  // Connection are set by the server and must not appear here.
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops if running

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds the route `method` `path` (exact match; a GET route also answers HEAD). Only before
  // Start(): calling it later is a bug and throws std::logic_error. A second Route() with the same
  // method and path replaces the first.
  void Route(std::string method, std::string path, Handler handler);

  // Binds host:port and serves on `threads` background threads. Returns the base URL
  // "http://HOST:PORT" with the real port. A failure to resolve or bind is kUnavailable naming
  // host:port; calling Start() twice is kFailedPrecondition.
  Result<std::string> Start();

  // Stops accepting, closes idle connections, lets requests in flight finish (at most ~5 s, then
  // cuts them), and joins the io threads. Idempotent; returns at once if never started.
  void Stop();

  // Blocks until Stop() is called (from another thread) or SIGINT/SIGTERM arrives, then stops
  // gracefully. Returns at once if the server is not running. Signals are caught only while it
  // waits.
  void WaitForStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// GET /healthz, GET /api/v1/version (reports `version`) and GET / (a placeholder page for the
// console).
void AddDefaultRoutes(Server& server, std::string version);

}  // namespace steward::http
