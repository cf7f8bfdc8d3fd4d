// The HTTP server: accepts HTTP/1.1 connections and answers them from a table of routes.
//
// What for: the only door into Steward from the network. Routes are method + path pattern
// (`/api/v1/residents/{id}`); handlers are plain functions Request -> Response that run on a
// worker pool, so they MAY block (database work); a route may also have a quick path that answers
// from memory on the io thread (RouteOptions::quick). Upload routes get their body streamed to a
// file under options.upload_dir, never held in memory. A response may name a file to send instead
// of a body. Requests that match no route may be answered from a static folder (the console), with
// index.html for paths that look like console pages. A response may also be a stream of chunks
// (Server-Sent Events), produced on the worker pool, or the messages of a WebSocket (RFC 6455) the
// request asked to become. GET /metrics (Prometheus text) is built in.
// Boost.Beast/Asio live only in server.cpp (pimpl), so including this header costs nothing.
//
// Ownership: the caller owns the Server; the Server owns its io_context, its io threads, its
// worker pool, every connection and a copy of every Handler. Handlers must not outlive what they
// capture by reference.
//
// Threads: Route() and Start() are called by one thread before serving. Stop() and WaitForStop()
// may be called from any thread except an io or worker thread (a Handler must never call them).
// Handlers run on the worker threads, several at once, so they must be thread-safe.
//
// Invariants: every response carries `Server: steward` and an `X-Request-Id` unique within the
// process; a Handler that throws produces a 500 JSON error and the connection stays usable; request
// bodies over options.body_limit (upload routes: options.upload_limit) are answered 413 without
// reaching a Handler; a WebSocket upgrade whose Origin is not the Host it was sent to is answered
// 403 without reaching a Handler (cookies would otherwise let any page read the stream); a
// connection idle for 30 s is closed (a WebSocket: pinged, closed when silent for 5 min); Stop()
// waits at most ~5 s for requests in flight. The access log (spdlog, info) names the route pattern,
// never the raw path or query (they may carry personal data), nor any header or body.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace steward::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (tests); Start() returns the real one
  std::string version;   // the build version, for logs
  int threads = 1;       // io threads; values below 1 mean 1
  int workers = 4;       // threads running handlers; values below 1 mean 1
  uint64_t body_limit = uint64_t{1} << 20;    // bytes of an ordinary request body
  uint64_t upload_limit = uint64_t{1} << 30;  // bytes of an upload route's body
  std::filesystem::path upload_dir;           // where uploads go; default: the temp folder
  std::filesystem::path static_dir;           // the console's files; empty: none
  bool access_log = true;
};

enum class Language { kChinese, kEnglish };

struct Request {
  std::string method;  // "GET", "POST", ... as sent (HEAD is answered by the GET route)
  std::string target;  // as sent: path and query, e.g. "/api/v1/x?page=2"
  std::string path;    // target without the query
  std::string body;
  std::string route;  // the matched pattern, e.g. "/api/v1/residents/{id}"
  std::map<std::string, std::string, std::less<>> params;    // from the pattern's {name}s
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string client;                                        // the peer's address
  std::string request_id;             // as in the X-Request-Id response header
  std::filesystem::path upload_file;  // upload routes: the body, streamed here (the server
                                      // removes it after the handler returns unless moved)
  bool websocket = false;  // a GET asking to become a WebSocket (Upgrade: websocket); the server
                           // has already refused one whose Origin is not this host (403)

  // The first header of that (lower-case) name, or "".
  std::string_view Header(std::string_view name) const;
  // A query parameter, percent-decoded; nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  // From Accept-Language: English when it prefers en, else Chinese.
  Language language() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, sent instead of `body`: a cached answer shared by many responses without a copy.
  std::shared_ptr<const std::string> shared_body;
  // Extra headers (e.g. Allow, Location, Set-Cookie). Server, X-Request-Id, Content-Type,
  // Content-Length and Connection are set by the server and must not appear here.
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the file's contents are sent instead of `body`.
  std::filesystem::path file;
  // With `file`: a temporary answer, removed as soon as it is opened for sending (its bytes live
  // on until sent), or when it cannot be opened.
  bool remove_file = false;
  // When set, the response is streamed (Server-Sent Events, long downloads) instead of `body` and
  // `file`: the server sends the header, then calls `stream` again and again on a worker thread
  // and sends each string it returns as one chunk (chunked transfer encoding; "" sends nothing),
  // until it returns nullopt. A call may block for a few seconds while there is nothing to send,
  // never longer: `stopping` turns true when Stop() begins, and the producer should then return
  // nullopt at once (the server calls it no more either way). The function is called by one
  // thread at a time and is destroyed once the stream ends; it must not capture the Request.
  std::function<std::optional<std::string>(const std::atomic<bool>& stopping)> stream;
  // With `stream`, for a request with Request::websocket only: the connection becomes a WebSocket
  // and each string `stream` returns is sent as one text message ("" sends nothing); when it
  // returns nullopt (or Stop() begins) the server closes the WebSocket (close code 1000, 1001 on
  // Stop) and the connection. Messages from the client are read and dropped; the server answers
  // pings and closes. `status` and `content_type` are ignored (the handshake answers 101).
  bool websocket = false;
};

using Handler = std::function<Response(const Request&)>;

// A route's fast path: tried on the io thread before the handler, it answers what it can without
// blocking (no database, no file, no waiting on a lock held for long; a cache lookup), and
// returns nullopt for everything else, which then goes to the handler on the worker pool as
// usual. It must never do what the handler would not (it is the same route). Same threads rules
// as a Handler.
using QuickHandler = std::function<std::optional<Response>(const Request&)>;

struct RouteOptions {
  bool upload = false;  // stream the body to a file (Request::upload_file)
  QuickHandler quick;   // optional; not for upload routes
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops if running

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds the route `method` `path` (exact match; a GET route also answers HEAD). Only before
  // Start(): calling it later is a bug and throws std::logic_error. A second Route() with the same
  // method and path replaces the first.
  void Route(std::string method, std::string path, Handler handler, RouteOptions options = {});

  // Every (method, pattern) routed, sorted (GET /metrics included).
  std::vector<std::pair<std::string, std::string>> Routes() const;

  // Binds host:port and serves on `threads` background threads. Returns the base URL
  // "http://HOST:PORT" with the real port. A failure to resolve or bind is kUnavailable naming
  // host:port; calling Start() twice is kFailedPrecondition.
  Result<std::string> Start();

  // Stops accepting, closes idle connections, lets requests in flight finish (at most ~5 s, then
  // cuts them), ends open streams (see Response::stream), and joins the io threads. Idempotent;
  // returns at once if never started.
  void Stop();

  // Blocks until Stop() is called (from another thread) or SIGINT/SIGTERM arrives, then stops
  // gracefully. Returns at once if the server is not running. Signals are caught only while it
  // waits.
  void WaitForStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// GET /healthz, GET /api/v1/version (reports `version`) and, unless the console's files are
// served (ServerOptions::static_dir), GET / with a placeholder page.
void AddDefaultRoutes(Server& server, std::string version, bool placeholder_page = true);

}  // namespace steward::http
