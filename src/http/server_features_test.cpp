// The server's request features over real sockets: path parameters, query, cookies and language;
// handlers that block on the worker pool; uploads streamed to a file; the console's static files;
// GET /metrics; and streamed (Server-Sent Events) responses.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/internal/raw_http_client.hpp"
#include "http/server.hpp"

namespace steward::http {
namespace {

using internal::testing::Connection;
using internal::testing::Get;
using internal::testing::Lower;
using internal::testing::PortOf;
using internal::testing::RawResponse;

std::filesystem::path MakeTempDir() {
  char pattern[] = "/tmp/steward-http-XXXXXX";
  return mkdtemp(pattern);
}

class ServerFeaturesTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Server& Make(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(std::move(options));
    return *server_;
  }

  void Start() {
    auto url = server_->Start();
    ASSERT_TRUE(url) << url.error().ToString();
    port_ = PortOf(*url);
  }

  RawResponse Exchange(const std::string& request) {
    Connection connection(port_);
    EXPECT_TRUE(connection.Send(request));
    auto response = connection.Read(request.starts_with("HEAD"));
    if (!response) throw std::runtime_error("no response to: " + request);
    return *response;
  }

  std::filesystem::path dir_ = MakeTempDir();
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ServerFeaturesTest, PathParametersQueryCookiesAndLanguageReachTheHandler) {
  Make().Route("GET", "/api/v1/units/{id}/children", [](const Request& request) {
    nlohmann::json body = {{"route", request.route},
                           {"id", request.params.at("id")},
                           {"q", request.Query("q").value_or("<none>")},
                           {"flag", request.Query("flag").has_value()},
                           {"missing", request.Query("missing").has_value()},
                           {"session", request.Cookie("sid").value_or("<none>")},
                           {"english", request.language() == Language::kEnglish},
                           {"client", request.client},
                           {"request_id", request.request_id}};
    return Response{.body = body.dump()};
  });
  server_->Route("GET", "/api/v1/units/search",
                 [](const Request&) { return Response{.body = "\"literal\""}; });
  Start();
  RawResponse response = Exchange(
      "GET /api/v1/units/%E5%9F%8E%E4%B8%9C/children?q=%E5%8F%B6+%E5%BB%BA&flag HTTP/1.1\r\n"
      "Host: t\r\nCookie: theme=dark; sid=abc123\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n");
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["route"], "/api/v1/units/{id}/children");
  EXPECT_EQ(body["id"], "城东");
  EXPECT_EQ(body["q"], "叶 建");
  EXPECT_EQ(body["flag"], true);
  EXPECT_EQ(body["missing"], false);
  EXPECT_EQ(body["session"], "abc123");
  EXPECT_EQ(body["english"], true);
  EXPECT_EQ(body["client"], "127.0.0.1");
  EXPECT_EQ(body["request_id"], response.Header("x-request-id"));
  // A literal segment wins over a parameter; a missing segment is 404.
  EXPECT_EQ(Exchange(Get("/api/v1/units/search")).body, "\"literal\"");
  EXPECT_EQ(Exchange(Get("/api/v1/units//children")).status, 404);
}

TEST_F(ServerFeaturesTest, ABlockingHandlerDoesNotStallOtherConnections) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Make(ServerOptions{.workers = 2}).Route("GET", "/slow", [released](const Request&) {
    released.wait_for(std::chrono::seconds(5));  // a long database query
    return Response{.body = "\"slow\""};
  });
  server_->Route("GET", "/fast", [](const Request&) { return Response{.body = "\"fast\""}; });
  Start();
  Connection slow(port_);
  ASSERT_TRUE(slow.Send(Get("/slow")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(Exchange(Get("/fast")).body, "\"fast\"");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  release.set_value();
  auto answer = slow.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "\"slow\"");
}

TEST_F(ServerFeaturesTest, AnUploadIsStreamedToAFileWithItsOwnLimit) {
  ServerOptions options;
  options.body_limit = 1024;
  options.upload_limit = 200 * 1024;
  options.upload_dir = dir_;
  std::filesystem::path seen_file;
  Make(options).Route(
      "POST", "/upload",
      [&seen_file](const Request& request) {
        seen_file = request.upload_file;
        std::ifstream in(request.upload_file, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), {});
        nlohmann::json body = {{"bytes", content.size()},
                               {"body_in_memory", request.body.size()},
                               {"last", content.empty() ? "" : content.substr(content.size() - 3)}};
        return Response{.body = body.dump()};
      },
      RouteOptions{.upload = true});
  server_->Route("POST", "/small", [](const Request& request) {
    return Response{.body = std::to_string(request.body.size())};
  });
  Start();
  const std::string payload = std::string(100 * 1024, 'x') + "end";
  RawResponse response = Exchange("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                                  std::to_string(payload.size()) + "\r\n\r\n" + payload);
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["bytes"], payload.size());
  EXPECT_EQ(body["body_in_memory"], 0);
  EXPECT_EQ(body["last"], "end");
  EXPECT_EQ(seen_file.parent_path(), dir_);
  EXPECT_FALSE(std::filesystem::exists(seen_file));  // removed after the handler
  // The ordinary limit applies elsewhere, the upload limit to uploads.
  EXPECT_EQ(Exchange("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n" +
                     std::string(2000, 'y'))
                .status,
            413);
  EXPECT_EQ(Exchange("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n").status,
            413);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));  // nothing left behind
}

TEST_F(ServerFeaturesTest, StaticFilesServeTheConsoleAndNeverLeaveTheirFolder) {
  const auto web = dir_ / "web";
  std::filesystem::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html><title>城市管家</title>";
  std::ofstream(web / "assets" / "app-1234.js") << "console.log(1)";
  std::ofstream(dir_ / "secret.txt") << "secret";
  ServerOptions options;
  options.static_dir = web;
  Make(options).Route("GET", "/api/v1/version",
                      [](const Request&) { return Response{.body = "{}"}; });
  Start();
  RawResponse index = Exchange(Get("/"));
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.Header("cache-control"), "no-cache");
  EXPECT_NE(index.body.find("城市管家"), std::string::npos);
  RawResponse script = Exchange(Get("/assets/app-1234.js"));
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script.Header("cache-control").find("immutable"), std::string::npos);
  EXPECT_EQ(script.body, "console.log(1)");
  // A console page is index.html; a missing asset is 404; the API keeps its JSON 404.
  EXPECT_EQ(Exchange(Get("/registry/residents")).body, index.body);
  EXPECT_EQ(Exchange(Get("/assets/missing.js")).status, 404);
  EXPECT_EQ(Exchange(Get("/api/v1/missing")).status, 404);
  EXPECT_EQ(Exchange(Get("/api/v1/version")).body, "{}");
  // Traversal in every spelling stays inside.
  for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2F..%2Fsecret.txt",
                           "/.%2e/secret.txt", "/a\\..\\secret.txt"}) {
    RawResponse response = Exchange(Get(path));
    EXPECT_NE(response.body, "secret") << path;
  }
  RawResponse head = Exchange(Get("/assets/app-1234.js", "HEAD"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "14");
}

TEST_F(ServerFeaturesTest, AGzipCopyGoesToClientsThatTakeGzip) {
  const auto web = dir_ / "web";
  std::filesystem::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html>";
  std::ofstream(web / "assets" / "app-1234.js") << "console.log(1)";
  std::ofstream(web / "assets" / "app-1234.js.gz", std::ios::binary) << "GZIP-BYTES";
  ServerOptions options;
  options.static_dir = web;
  Make(options);
  Start();
  auto get = [&](const std::string& accept) {
    return Exchange("GET /assets/app-1234.js HTTP/1.1\r\nHost: test\r\n" +
                    (accept.empty() ? "" : "Accept-Encoding: " + accept + "\r\n") + "\r\n");
  };
  for (const char* accept : {"gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"}) {
    RawResponse zipped = get(accept);
    EXPECT_EQ(zipped.body, "GZIP-BYTES") << accept;
    EXPECT_EQ(zipped.Header("content-encoding"), "gzip") << accept;
    EXPECT_EQ(zipped.Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(zipped.Header("vary"), "Accept-Encoding");
  }
  for (const char* accept : {"", "identity", "gzip;q=0", "br"}) {
    RawResponse plain = get(accept);
    EXPECT_EQ(plain.body, "console.log(1)") << accept;
    EXPECT_EQ(plain.Header("content-encoding"), "") << accept;
  }
  EXPECT_EQ(Exchange(Get("/index.html")).Header("vary"), "");  // no copy, nothing varies
}

TEST_F(ServerFeaturesTest, MetricsCountRequestsByRoutePatternNotByPath) {
  Make().Route("GET", "/api/v1/residents/{id}",
               [](const Request&) { return Response{.body = "{}"}; });
  Start();
  Exchange(Get("/api/v1/residents/1"));
  Exchange(Get("/api/v1/residents/2"));
  Exchange(Get("/nowhere"));
  RawResponse metrics = Exchange(Get("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("steward_http_requests_total{method=\"GET\",route=\"/api/v1/"
                              "residents/{id}\",status=\"200\"} 2"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_EQ(metrics.body.find("residents/1"), std::string::npos);
  EXPECT_NE(metrics.body.find("steward_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("steward_http_open_connections 1"), std::string::npos);
  // The routes a server answers include /metrics.
  auto routes = server_->Routes();
  EXPECT_NE(std::find(routes.begin(), routes.end(),
                      std::pair<std::string, std::string>("GET", "/metrics")),
            routes.end());
}

// A streamed response as read off a raw socket: the header block and the chunks' payloads.
struct RawStream {
  std::string header;
  std::vector<std::string> chunks;
  bool ended = false;  // the last (empty) chunk arrived
};

// Reads a chunked response until its last chunk, `max_chunks` chunks, a timeout (5 s) or close.
RawStream ReadStream(uint16_t port, const std::string& request, size_t max_chunks = 100) {
  RawStream result;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return result;
  }
  std::string buffer;
  auto fill = [&] {
    char bytes[4096];
    const ssize_t received = ::recv(fd, bytes, sizeof bytes, 0);
    if (received <= 0) return false;
    buffer.append(bytes, static_cast<size_t>(received));
    return true;
  };
  size_t at = 0;
  while ((at = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) break;
  }
  if (at != std::string::npos) {
    result.header = Lower(buffer.substr(0, at));
    buffer.erase(0, at + 4);
    while (result.chunks.size() < max_chunks) {
      size_t line_end;
      while ((line_end = buffer.find("\r\n")) == std::string::npos && fill()) {
      }
      if (line_end == std::string::npos) break;
      const size_t size = std::stoul(buffer.substr(0, line_end), nullptr, 16);
      while (buffer.size() < line_end + 2 + size + 2 && fill()) {
      }
      if (buffer.size() < line_end + 2 + size + 2) break;
      if (size == 0) {
        result.ended = true;
        break;
      }
      result.chunks.push_back(buffer.substr(line_end + 2, size));
      buffer.erase(0, line_end + 2 + size + 2);
    }
  }
  ::close(fd);
  return result;
}

TEST_F(ServerFeaturesTest, AnEventStreamArrivesInOrderAsChunks) {
  Make(ServerOptions{.workers = 1}).Route("GET", "/events", [](const Request&) {
    Response response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("Cache-Control", "no-cache");
    auto sent = std::make_shared<int>(0);
    response.stream = [sent](const std::atomic<bool>&) -> std::optional<std::string> {
      if (*sent == 3) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting for news
      ++*sent;
      if (*sent == 2) return "";  // nothing new this time: nothing is sent
      return "event: tick\ndata: " + std::to_string(*sent) + "\n\n";
    };
    return response;
  });
  server_->Route("GET", "/fast", [](const Request&) { return Response{.body = "\"fast\""}; });
  Start();
  RawStream stream = ReadStream(port_, Get("/events"));
  EXPECT_NE(stream.header.find("transfer-encoding: chunked"), std::string::npos) << stream.header;
  EXPECT_NE(stream.header.find("content-type: text/event-stream"), std::string::npos);
  EXPECT_EQ(stream.header.find("content-length"), std::string::npos);
  EXPECT_EQ(stream.chunks,
            (std::vector<std::string>{"event: tick\ndata: 1\n\n", "event: tick\ndata: 3\n\n"}));
  EXPECT_TRUE(stream.ended);
  // The one worker is free again: a stream holds it only while its producer runs.
  EXPECT_EQ(Exchange(Get("/fast")).body, "\"fast\"");
}

TEST_F(ServerFeaturesTest, StopEndsAnOpenStreamWithinTheGracePeriod) {
  auto calls_after_stop = std::make_shared<std::atomic<int>>(0);
  Make().Route("GET", "/events", [calls_after_stop](const Request&) {
    Response response;
    response.content_type = "text/event-stream";
    auto first = std::make_shared<bool>(true);
    response.stream =
        [first, calls_after_stop](const std::atomic<bool>& stopping) -> std::optional<std::string> {
      if (*first) {
        *first = false;
        return "data: hello\n\n";
      }
      if (stopping) ++*calls_after_stop;
      // Waits for news (none come) in short steps, watching the stop flag.
      for (int i = 0; i < 40 && !stopping; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stopping) return std::nullopt;
      return "";
    };
    return response;
  });
  Start();
  auto reader =
      std::async(std::launch::async, [port = port_] { return ReadStream(port, Get("/events")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the stream is open
  const auto before = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  RawStream stream = reader.get();
  EXPECT_EQ(stream.chunks, std::vector<std::string>{"data: hello\n\n"});
  EXPECT_TRUE(stream.ended);  // ended cleanly, not cut
  EXPECT_LE(calls_after_stop->load(), 1);
}

}  // namespace
}  // namespace steward::http

namespace steward::http {
namespace {

// A route's quick path answers on the io thread what it can; the rest, and anything it throws
// on, goes to the handler. A shared body is sent whole (and not at all for HEAD).
TEST_F(ServerFeaturesTest, QuickPathAnswersWhatItCanAndTheHandlerTheRest) {
  auto shared = std::make_shared<const std::string>(std::string(300000, 'x') + "end");
  std::atomic<int> handled{0};
  RouteOptions options;
  options.quick = [shared](const Request& request) -> std::optional<Response> {
    if (request.Query("throw")) throw std::runtime_error("quick path bug");
    if (!request.Query("quick")) return std::nullopt;
    Response response;
    response.shared_body = shared;
    response.content_type = "text/plain";
    response.headers.emplace_back("X-Answered-By", "quick");
    return response;
  };
  Make().Route(
      "GET", "/thing",
      [&handled](const Request&) {
        ++handled;
        Response response;
        response.body = "from the handler";
        response.headers.emplace_back("X-Answered-By", "handler");
        return response;
      },
      std::move(options));
  Start();

  RawResponse quick = Exchange(Get("/thing?quick=1"));
  EXPECT_EQ(quick.status, 200);
  EXPECT_EQ(quick.Header("x-answered-by"), "quick");
  EXPECT_EQ(quick.body, *shared);
  EXPECT_FALSE(quick.Header("x-request-id").empty());
  EXPECT_EQ(handled.load(), 0);

  RawResponse head = Exchange(Get("/thing?quick=1", "HEAD"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(shared->size()));
  EXPECT_TRUE(head.body.empty());

  RawResponse declined = Exchange(Get("/thing"));
  EXPECT_EQ(declined.Header("x-answered-by"), "handler");
  EXPECT_EQ(declined.body, "from the handler");
  RawResponse threw = Exchange(Get("/thing?throw=1&quick=1"));
  EXPECT_EQ(threw.status, 200);
  EXPECT_EQ(threw.Header("x-answered-by"), "handler");
  EXPECT_EQ(handled.load(), 2);

  // Several requests on one kept-alive connection, quick and not, in order.
  Connection connection(port_);
  for (int i = 0; i < 4; ++i) {
    const bool fast = i % 2 == 0;
    ASSERT_TRUE(connection.Send(Get(fast ? "/thing?quick=1" : "/thing")));
    auto response = connection.Read(false);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->Header("x-answered-by"), fast ? "quick" : "handler");
  }
}

}  // namespace
}  // namespace steward::http
