// Server on Boost.Beast + Asio with C++20 coroutines. This is the one translation unit of http/
// that includes Beast (it takes tens of seconds to compile); keep route logic and JSON elsewhere.
//
// Shape: one accept loop on the `control` strand; one coroutine per connection on its own strand.
// Coroutines are member functions taking their state as parameters: lambda coroutines with captures
// dangle under GCC 12. Stop() closes the acceptor, cancels connections that are waiting for a
// request, lets busy ones finish their response with `Connection: close`, and waits for the io
// threads to run out of work (bounded by kStopGrace).
#include "http/server.hpp"

#include <utility>  // before Asio: Boost 1.74's Asio misses it under GCC 12

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "base/log.hpp"
#include "http/internal/metrics.hpp"
#include "http/internal/route_table.hpp"
#include "http/internal/static_files.hpp"

namespace steward::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kIdleTimeout = 30s;         // waiting for (the rest of) a request
constexpr auto kWriteTimeout = 30s;        // writing one response
constexpr auto kLingerTimeout = 1s;        // draining an unread body after an error response
constexpr auto kStopGrace = 5s;            // Stop() waits this long for requests in flight
constexpr size_t kLingerLimit = 8u << 20;  // bytes drained at most before closing anyway
constexpr auto kAcceptRetryDelay = 100ms;  // after an accept error such as EMFILE
constexpr auto kCloseGrace = 3s;           // a WebSocket's closing handshake, at most

// One connection. Everything but `stream`'s construction happens on the connection's strand.
struct Session {
  explicit Session(asio::any_io_executor executor) : stream(std::move(executor)) {}

  beast::tcp_stream stream;
  bool awaiting_request = false;  // reading the next request: Stop() may cut it
  bool closing = false;           // Stop() was called: answer what is in flight, then close
};

// Logs an exception that escaped a coroutine (a bug: handlers' exceptions are caught earlier).
struct LogIfThrew {
  const char* what;
  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("http: {} failed: {}", what, e.what());
    } catch (...) {
      spdlog::error("http: {} failed", what);
    }
  }
};

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// The answer to a request that could not be read, or nothing when the connection just ends.
std::optional<Response> ResponseForReadError(const error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return internal::JsonError(413, "payload_too_large", "请求体过大 / request body too large");
  }
  if (ec == bhttp::error::header_limit) {
    return internal::JsonError(431, "header_too_large", "请求头过大 / request header too large");
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (IsHttpParseError(ec)) {
    return internal::JsonError(400, "bad_request", "请求格式错误 / malformed HTTP request");
  }
  return std::nullopt;  // timeout, reset, cancelled by Stop()
}

std::string RandomPrefix() {
  std::random_device device;
  char prefix[9];
  std::snprintf(prefix, sizeof prefix, "%08x", static_cast<unsigned>(device()));
  return prefix;
}

std::string BaseUrl(const std::string& host, uint16_t port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Whether a WebSocket upgrade comes from a page of this host: no Origin (not a browser), or an
// Origin whose host[:port] is the Host header. Browsers send cookies with cross-site WebSocket
// handshakes, so without this check any web page could open a signed-in user's stream.
bool SameOrigin(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;
  const size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view authority = origin.substr(scheme + 3);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.size() != host.size()) return false;
  return std::equal(authority.begin(), authority.end(), host.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// The status line and the headers every response carries.
template <typename Message>
void SetHead(Message& message, const Response& response, unsigned version,
             const std::string& request_id) {
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(bhttp::field::server, "steward");
  message.set("X-Request-Id", request_id);
  message.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.insert(name, value);
}

}  // namespace

using StreamProducer = std::function<std::optional<std::string>(const std::atomic<bool>&)>;

struct Server::Impl {
  explicit Impl(ServerOptions server_options)
      : options(std::move(server_options)),
        workers(static_cast<size_t>(std::max(1, options.workers))),
        io(std::max(1, options.threads)) {}

  ServerOptions options;
  internal::RouteTable routes;  // written before Start(), read-only afterwards
  internal::Metrics metrics;
  asio::thread_pool workers;  // runs handlers; joined by Stop()
  const std::string request_id_prefix = RandomPrefix();
  std::atomic<uint64_t> next_request_id{1};
  std::atomic<bool> stopping{false};

  // Live connections, so Stop() can reach idle ones. Guarded by sessions_mutex.
  std::mutex sessions_mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  // Life cycle. Guarded by state_mutex; state_changed is notified whenever one of them changes.
  std::mutex state_mutex;
  std::condition_variable state_changed;
  bool started = false;
  bool running = false;
  bool stop_requested = false;
  bool signal_received = false;
  int io_threads_running = 0;

  std::mutex stop_mutex;  // serialises Stop() calls; held for a whole Stop()

  // Declared after all the state above, so pending coroutine frames (destroyed with the
  // io_context) can still unregister their sessions.
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> control{io.get_executor()};
  tcp::acceptor acceptor{control};          // used on `control` only, once serving
  std::optional<asio::signal_set> signals;  // on `control`; only while WaitForStop() waits
  std::vector<std::thread> threads;

  Result<uint16_t> Listen();
  void RunIoThread();
  void BeginShutdown();
  void WaitForSignal();
  std::string NextRequestId();

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(std::shared_ptr<Session> session);
  asio::awaitable<bool> Send(Session& session, Response response, unsigned version, bool keep_alive,
                             bool head, std::string request_id);
  asio::awaitable<bool> SendStream(Session& session, Response response, unsigned version,
                                   bool keep_alive, bool head, std::string request_id);
  asio::awaitable<void> SendWebSocket(Session& session, Response response,
                                      const bhttp::request<bhttp::empty_body>* upgrade,
                                      std::string request_id);
  asio::awaitable<Response> RunOnWorker(const internal::RouteTable::Route* route, Request* request);
  asio::awaitable<std::optional<std::string>> NextChunk(
      const std::shared_ptr<StreamProducer>* holder);
  Response Unrouted(Request& request, Response not_found);
  asio::awaitable<void> Linger(Session& session);
};

namespace {

// Keeps a connection in Server::Impl::sessions while its coroutine frame lives.
class SessionRegistration {
 public:
  SessionRegistration(std::mutex& mutex,
                      std::unordered_map<Session*, std::weak_ptr<Session>>& sessions,
                      const std::shared_ptr<Session>& session)
      : mutex_(mutex), sessions_(sessions), session_(session.get()) {
    std::lock_guard lock(mutex_);
    sessions_.emplace(session_, session);
  }
  ~SessionRegistration() {
    std::lock_guard lock(mutex_);
    sessions_.erase(session_);
  }
  SessionRegistration(const SessionRegistration&) = delete;
  SessionRegistration& operator=(const SessionRegistration&) = delete;

 private:
  std::mutex& mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>>& sessions_;
  Session* session_;
};

}  // namespace

std::string Server::Impl::NextRequestId() {
  return request_id_prefix + "-" + std::to_string(next_request_id.fetch_add(1));
}

Result<uint16_t> Server::Impl::Listen() {
  const std::string where = options.host + ":" + std::to_string(options.port);
  error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Fail(ErrorCode::kUnavailable, "cannot resolve " + where + ": " + ec.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Fail(ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  uint16_t port = acceptor.local_endpoint(ec).port();
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  return port;
}

void Server::Impl::RunIoThread() {
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("http: io thread caught: {}", e.what());
    }
  }
  {
    std::lock_guard lock(state_mutex);
    --io_threads_running;
  }
  state_changed.notify_all();
}

void Server::Impl::BeginShutdown() {
  stopping = true;
  asio::post(control, [this] {
    error_code ignored;
    acceptor.close(ignored);
    signals.reset();  // cancels a pending wait
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto& [pointer, weak] : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) {
    asio::post(session->stream.get_executor(), [session] {
      session->closing = true;
      if (session->awaiting_request) session->stream.cancel();
    });
  }
}

void Server::Impl::WaitForSignal() {
  asio::post(control, [this] {
    if (stopping || signals) return;
    signals.emplace(io, SIGINT, SIGTERM);
    signals->async_wait([this](const error_code& ec, int signal_number) {
      if (ec) return;
      spdlog::info("http: signal {} received, stopping", signal_number);
      {
        std::lock_guard lock(state_mutex);
        signal_received = true;
      }
      state_changed.notify_all();
    });
  });
}

asio::awaitable<void> Server::Impl::AcceptLoop() {
  for (;;) {
    auto session = std::make_shared<Session>(asio::make_strand(io));
    error_code ec;
    co_await acceptor.async_accept(session->stream.socket(),
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(control, kAcceptRetryDelay);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::co_spawn(session->stream.get_executor(), Serve(session), LogIfThrew{"connection"});
  }
}

namespace {

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// The request as handlers see it, from Beast's header.
template <typename Fields>
Request RequestFromHeader(const bhttp::request_header<Fields>& header, std::string client,
                          std::string request_id) {
  Request request;
  request.method = std::string(header.method_string());
  request.target = std::string(header.target());
  request.path = request.target.substr(0, request.target.find('?'));
  for (const auto& field : header) {
    const auto name = field.name_string();
    request.headers.emplace_back(ToLower(std::string_view(name.data(), name.size())),
                                 std::string(field.value()));
  }
  request.client = std::move(client);
  request.request_id = std::move(request_id);
  return request;
}

std::string PeerAddress(beast::tcp_stream& stream) {
  error_code ec;
  auto endpoint = stream.socket().remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

}  // namespace

// Runs the handler on the worker pool and resumes on the connection's strand with its response.
asio::awaitable<Response> Server::Impl::RunOnWorker(const internal::RouteTable::Route* route,
                                                    Request* request) {
  auto& pool = workers;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [&pool, route, request](auto handler) {
        asio::post(pool, [route, request, handler = std::move(handler)]() mutable {
          Response response = internal::RouteTable::Invoke(*route, *request);
          auto executor = asio::get_associated_executor(handler);
          asio::dispatch(executor,
                         [handler = std::move(handler), response = std::move(response)]() mutable {
                           handler(std::move(response));
                         });
        });
      },
      asio::use_awaitable);
}

// Calls a stream's producer once on the worker pool (it may block) and resumes on the
// connection's strand with the chunk. The worker holds its own reference to the producer, so it
// outlives a connection cut by Stop() while a worker still runs it. A producer that throws ends
// the stream. Like RunOnWorker, the initiating lambda captures only pointers (GCC 12 mishandles
// class-type captures in a co_await expression); `holder` lives in the caller's frame.
asio::awaitable<std::optional<std::string>> Server::Impl::NextChunk(
    const std::shared_ptr<StreamProducer>* holder) {
  auto& pool = workers;
  const std::atomic<bool>* stopping_flag = &stopping;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::optional<std::string>)>(
      [&pool, holder, stopping_flag](auto handler) {
        asio::post(
            pool, [producer = *holder, stopping_flag, handler = std::move(handler)]() mutable {
              std::optional<std::string> chunk;
              try {
                chunk = (*producer)(*stopping_flag);
              } catch (const std::exception& e) {
                spdlog::error("http: a response stream threw: {}", e.what());
              }
              auto executor = asio::get_associated_executor(handler);
              asio::dispatch(executor,
                             [handler = std::move(handler), chunk = std::move(chunk)]() mutable {
                               handler(std::move(chunk));
                             });
            });
      },
      asio::use_awaitable);
}

// A request no route matched: a console file for GET/HEAD outside /api/, else `not_found`.
Response Server::Impl::Unrouted(Request& request, Response not_found) {
  if (options.static_dir.empty() || (request.method != "GET" && request.method != "HEAD") ||
      request.path.starts_with("/api/") || not_found.status != 404) {
    return not_found;
  }
  if (auto file = internal::StaticFile(options.static_dir, request.path,
                                       internal::AcceptsGzip(request.Header("accept-encoding")))) {
    request.route = "static";
    return std::move(*file);
  }
  return not_found;
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Session> session) {
  SessionRegistration registration(sessions_mutex, sessions, session);
  metrics.ConnectionOpened();
  struct Closed {
    internal::Metrics& metrics;
    ~Closed() { metrics.ConnectionClosed(); }
  } closed{metrics};
  const std::string client = PeerAddress(session->stream);
  beast::flat_buffer buffer;
  for (;;) {
    if (session->closing || stopping) break;
    bhttp::request_parser<bhttp::empty_body> header_parser;
    // The route decides the limit once the header is read (uploads may be larger).
    header_parser.body_limit(std::max(options.body_limit, options.upload_limit));
    error_code ec;
    session->awaiting_request = true;
    session->stream.expires_after(kIdleTimeout);
    co_await bhttp::async_read_header(session->stream, buffer, header_parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    std::string request_id = NextRequestId();
    const auto started = std::chrono::steady_clock::now();
    if (ec) {
      session->awaiting_request = false;
      std::optional<Response> error_response = ResponseForReadError(ec);
      if (!error_response) break;
      spdlog::debug("http: {} unreadable request: {}", request_id, ec.message());
      bool sent = co_await Send(*session, std::move(*error_response), 11, /*keep_alive=*/false,
                                /*head=*/false, request_id);
      if (sent) co_await Linger(*session);
      break;
    }
    const auto& header = header_parser.get();
    Request request = RequestFromHeader(header, client, request_id);
    // A WebSocket handshake is answered from its header, kept here (the body parser takes it).
    std::optional<bhttp::request<bhttp::empty_body>> upgrade;
    if (websocket::is_upgrade(header)) {
      upgrade.emplace(header);
      request.websocket = true;
    }
    internal::RouteTable::Match match = routes.Find(request.method, request.path);
    const bool upload = match.route && match.route->options.upload;
    const unsigned version = header.version();
    const bool wants_keep_alive = header.keep_alive();
    const uint64_t limit = upload ? options.upload_limit : options.body_limit;
    if (header_parser.content_length().value_or(0) > limit) {
      session->awaiting_request = false;
      bool sent = co_await Send(*session, *ResponseForReadError(bhttp::error::body_limit), version,
                                false, false, request_id);
      if (sent) co_await Linger(*session);
      break;
    }

    if (!header_parser.is_done() && header[bhttp::field::expect] == "100-continue") {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(session->stream, asio::buffer(kContinue),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    // The body: into memory, or for an upload route into a file of its own.
    if (upload) {
      request.upload_file = (options.upload_dir.empty() ? std::filesystem::temp_directory_path()
                                                        : options.upload_dir) /
                            ("upload-" + request_id);
      bhttp::request_parser<bhttp::file_body> file_parser(std::move(header_parser));
      file_parser.body_limit(options.upload_limit);
      file_parser.get().body().open(request.upload_file.c_str(), beast::file_mode::write, ec);
      if (ec) {
        spdlog::error("http: {} cannot create upload file: {}", request_id, ec.message());
        co_await Send(
            *session,
            internal::JsonError(500, "internal", "无法保存上传文件 / cannot store upload"), version,
            false, false, request_id);
        break;
      }
      if (!ec && !file_parser.is_done()) {
        session->stream.expires_after(kIdleTimeout);
        co_await bhttp::async_read(session->stream, buffer, file_parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      file_parser.get().body().close();
    } else {
      bhttp::request_parser<bhttp::string_body> body_parser(std::move(header_parser));
      body_parser.body_limit(options.body_limit);
      if (!ec && !body_parser.is_done()) {
        session->stream.expires_after(kIdleTimeout);
        co_await bhttp::async_read(session->stream, buffer, body_parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec) request.body = std::move(body_parser.get().body());
    }
    session->awaiting_request = false;
    if (ec) {
      std::error_code ignored;
      if (upload) std::filesystem::remove(request.upload_file, ignored);
      std::optional<Response> error_response = ResponseForReadError(ec);
      if (!error_response) break;
      spdlog::debug("http: {} unreadable request: {}", request_id, ec.message());
      bool sent =
          co_await Send(*session, std::move(*error_response), version, false, false, request_id);
      if (sent) co_await Linger(*session);
      break;
    }

    Response response;
    if (match.error) {
      request.route = "unmatched";
      response = Unrouted(request, std::move(*match.error));
    } else if (upgrade && !SameOrigin(request.Header("origin"), request.Header("host"))) {
      request.route = match.route->pattern;
      response = internal::JsonError(403, "forbidden",
                                     "不允许跨站建立 WebSocket / cross-origin WebSocket refused");
    } else {
      request.params = std::move(match.params);
      request.route = match.route->pattern;
      if (auto quick = internal::RouteTable::InvokeQuick(*match.route, request)) {
        response = std::move(*quick);
      } else {
        response = co_await RunOnWorker(match.route, &request);
      }
    }
    if (upload) {
      std::error_code ignored;
      std::filesystem::remove(request.upload_file, ignored);  // unless the handler moved it
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.Record(request.method, request.route, response.status, seconds);
    if (options.access_log) {
      spdlog::info("http: {} {} {} {} -> {} {:.1f} ms", request_id, client, request.method,
                   request.route, response.status, seconds * 1000);
    }
    if (response.websocket && response.stream) {
      co_await SendWebSocket(*session, std::move(response), upgrade ? &*upgrade : nullptr,
                             request_id);
      break;
    }
    bool keep_alive = wants_keep_alive && !session->closing && !stopping;
    bool sent = co_await Send(*session, std::move(response), version, keep_alive,
                              request.method == "HEAD", request_id);
    if (!sent || !keep_alive) break;
  }
  error_code ignored;
  session->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<bool> Server::Impl::Send(Session& session, Response response, unsigned version,
                                         bool keep_alive, bool head, std::string request_id) {
  if (response.stream) {
    co_return co_await SendStream(session, std::move(response), version, keep_alive, head,
                                  std::move(request_id));
  }
  error_code ec;
  if (!response.file.empty()) {
    bhttp::response<bhttp::file_body> message;
    message.body().open(response.file.c_str(), beast::file_mode::scan, ec);
    if (response.remove_file) {
      std::error_code ignored;
      std::filesystem::remove(response.file, ignored);
    }
    if (ec) {
      spdlog::error("http: {} cannot open a response file: {}", request_id, ec.message());
      response = internal::JsonError(500, "internal", "内部错误 / internal error");
    } else {
      SetHead(message, response, version, request_id);
      message.keep_alive(keep_alive);
      message.prepare_payload();
      session.stream.expires_after(kWriteTimeout);
      if (head) {
        bhttp::response_serializer<bhttp::file_body> serializer(message);
        co_await bhttp::async_write_header(session.stream, serializer,
                                           asio::redirect_error(asio::use_awaitable, ec));
      } else {
        co_await bhttp::async_write(session.stream, message,
                                    asio::redirect_error(asio::use_awaitable, ec));
      }
      co_return !ec;
    }
  }
  if (response.shared_body) {
    // A cached answer: sent from the shared string, no copy.
    const std::shared_ptr<const std::string> body = std::move(response.shared_body);
    bhttp::response<bhttp::span_body<const char>> message;
    SetHead(message, response, version, request_id);
    message.keep_alive(keep_alive);
    message.body() = boost::beast::span<const char>(body->data(), head ? 0 : body->size());
    message.content_length(body->size());
    session.stream.expires_after(kWriteTimeout);
    co_await bhttp::async_write(session.stream, message,
                                asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  bhttp::response<bhttp::string_body> message;
  SetHead(message, response, version, request_id);
  message.keep_alive(keep_alive);
  message.body() = std::move(response.body);
  message.prepare_payload();
  if (head) message.body().clear();  // Content-Length still tells the GET body's size

  session.stream.expires_after(kWriteTimeout);
  co_await bhttp::async_write(session.stream, message,
                              asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

// A streamed response: the header, then one chunk per producer call, fetched on the worker pool
// so no io thread waits; Stop() ends it after the current call. HTTP/1.0 has no chunks: the
// bytes are sent as they come and the connection closes at the end.
asio::awaitable<bool> Server::Impl::SendStream(Session& session, Response response,
                                               unsigned version, bool keep_alive, bool head,
                                               std::string request_id) {
  const bool chunked = version >= 11;
  bhttp::response<bhttp::empty_body> message;
  SetHead(message, response, version, request_id);
  message.keep_alive(keep_alive && chunked);
  if (chunked) message.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer(message);
  error_code ec;
  session.stream.expires_after(kWriteTimeout);
  co_await bhttp::async_write_header(session.stream, serializer,
                                     asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  if (head) co_return chunked;
  auto producer = std::make_shared<StreamProducer>(std::move(response.stream));
  while (!stopping && !session.closing) {
    std::optional<std::string> chunk = co_await NextChunk(&producer);
    if (!chunk) break;
    if (chunk->empty()) continue;
    session.stream.expires_after(kWriteTimeout);
    if (chunked) {
      co_await asio::async_write(session.stream, bhttp::make_chunk(asio::buffer(*chunk)),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(session.stream, asio::buffer(*chunk),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) co_return false;
  }
  if (!chunked) co_return false;
  session.stream.expires_after(kWriteTimeout);
  co_await asio::async_write(session.stream, bhttp::make_chunk_last(),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

// Reads and drops a WebSocket's incoming messages (Beast answers pings and the close handshake
// while a read is pending) until it closes or fails, then sets `*gone` and wakes `*done`.
// Pointers, not references: see NextChunk.
asio::awaitable<void> ReadUntilClosed(websocket::stream<beast::tcp_stream&>* ws, bool* gone,
                                      asio::steady_timer* done) {
  beast::flat_buffer buffer;
  error_code ec;
  while (!ec) {
    co_await ws->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    buffer.clear();
  }
  *gone = true;
  done->cancel();
}

// A WebSocket: the handshake (101), then one text message per producer call, fetched on the
// worker pool like a stream's chunks, while ReadUntilClosed keeps reading; ends with the close
// handshake (at most kCloseGrace, then the socket is cut) and never returns before the reader
// has finished, since it uses `ws` in this frame. A response marked websocket for a request that
// did not ask for one is a handler's bug: 500 and no stream.
asio::awaitable<void> Server::Impl::SendWebSocket(Session& session, Response response,
                                                  const bhttp::request<bhttp::empty_body>* upgrade,
                                                  std::string request_id) {
  if (upgrade == nullptr) {
    spdlog::error("http: {} a WebSocket answer to a request that asked for none", request_id);
    co_await Send(session, internal::JsonError(500, "internal", "内部错误 / internal error"), 11,
                  false, false, std::move(request_id));
    co_return;
  }
  websocket::stream<beast::tcp_stream&> ws(session.stream);
  session.stream.expires_never();  // the WebSocket's own timeouts apply from here
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([&request_id](websocket::response_type& head) {
    head.set(bhttp::field::server, "steward");
    head.set("X-Request-Id", request_id);
    head.set(bhttp::field::cache_control, "no-store");
  }));
  error_code ec;
  co_await ws.async_accept(*upgrade, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  ws.text(true);
  ws.auto_fragment(false);  // one frame per message

  bool gone = false;
  asio::steady_timer reader_done(session.stream.get_executor(),
                                 asio::steady_timer::time_point::max());
  asio::co_spawn(session.stream.get_executor(), ReadUntilClosed(&ws, &gone, &reader_done),
                 asio::detached);
  auto producer = std::make_shared<StreamProducer>(std::move(response.stream));
  while (!stopping && !session.closing && !gone) {
    std::optional<std::string> message = co_await NextChunk(&producer);
    if (!message || gone) break;
    if (message->empty()) continue;
    co_await ws.async_write(asio::buffer(*message), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  if (!gone && !ec) {
    const auto code = stopping ? websocket::close_code::going_away : websocket::close_code::normal;
    co_await ws.async_close(code, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!gone) {
    reader_done.expires_after(kCloseGrace);
    co_await reader_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!gone) {
    // The peer did not finish the closing handshake: cut the socket, which ends the read.
    session.stream.socket().close(ec);
    reader_done.expires_at(asio::steady_timer::time_point::max());
    while (!gone) {
      co_await reader_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

// After answering a request whose body was not read (413, 400), reads and drops what the client
// still sends for a moment, so closing does not reset the connection before it reads the answer.
asio::awaitable<void> Server::Impl::Linger(Session& session) {
  error_code ec;
  session.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  session.stream.expires_after(kLingerTimeout);
  std::array<char, 16384> scratch;
  size_t drained = 0;
  while (!ec && drained < kLingerLimit) {
    drained += co_await session.stream.async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
  }
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

void Server::Route(std::string method, std::string path, Handler handler, RouteOptions options) {
  {
    std::lock_guard lock(impl_->state_mutex);
    if (impl_->started) throw std::logic_error("http::Server::Route() called after Start()");
  }
  impl_->routes.Add(std::move(method), std::move(path), std::move(handler), options);
}

std::vector<std::pair<std::string, std::string>> Server::Routes() const {
  return impl_->routes.List();
}

Result<std::string> Server::Start() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.state_mutex);
    if (impl.started) {
      return Fail(ErrorCode::kFailedPrecondition, "http server already started");
    }
  }
  impl.routes.Add("GET", "/metrics", [&impl](const Request&) {
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = impl.metrics.Render();
    return response;
  });
  STEWARD_ASSIGN_OR_RETURN(uint16_t port, impl.Listen());
  const int thread_count = std::max(1, impl.options.threads);
  {
    std::lock_guard lock(impl.state_mutex);
    impl.started = true;
    impl.running = true;
    impl.io_threads_running = thread_count;
  }
  asio::co_spawn(impl.control, impl.AcceptLoop(), LogIfThrew{"accept loop"});
  for (int i = 0; i < thread_count; ++i) {
    impl.threads.emplace_back([&impl] { impl.RunIoThread(); });
  }
  std::string url = BaseUrl(impl.options.host, port);
  spdlog::info("http: steward {} listening on {} ({} io threads)", impl.options.version, url,
               thread_count);
  return url;
}

void Server::Stop() {
  Impl& impl = *impl_;
  std::lock_guard stop_lock(impl.stop_mutex);
  {
    std::lock_guard lock(impl.state_mutex);
    if (!impl.running) return;
    impl.stop_requested = true;
  }
  impl.state_changed.notify_all();
  impl.BeginShutdown();
  {
    std::unique_lock lock(impl.state_mutex);
    bool drained =
        impl.state_changed.wait_for(lock, kStopGrace, [&] { return impl.io_threads_running == 0; });
    if (!drained) {
      spdlog::warn("http: requests still running after {} s; cutting them",
                   std::chrono::seconds(kStopGrace).count());
      impl.io.stop();
    }
  }
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.workers.join();  // handlers still running (cut connections) finish here
  {
    std::lock_guard lock(impl.state_mutex);
    impl.running = false;
  }
  impl.state_changed.notify_all();
  spdlog::info("http: stopped");
}

void Server::WaitForStop() {
  Impl& impl = *impl_;
  {
    std::unique_lock lock(impl.state_mutex);
    if (!impl.running) return;
  }
  impl.WaitForSignal();
  {
    std::unique_lock lock(impl.state_mutex);
    impl.state_changed.wait(
        lock, [&] { return !impl.running || impl.stop_requested || impl.signal_received; });
  }
  Stop();
}

}  // namespace steward::http
