// Black-box tests of http::Server over plain POSIX sockets (no Beast here: it compiles slowly).
// Every server listens on 127.0.0.1 port 0; every socket read has a 5 s timeout so a bug fails a
// test instead of hanging it.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/internal/raw_http_client.hpp"

namespace steward::http {
namespace {

using internal::testing::Connection;
using internal::testing::Get;
using internal::testing::Lower;
using internal::testing::PortOf;
using internal::testing::RawResponse;

class ServerTest : public ::testing::Test {
 protected:
  // Starts `server` (with the default routes and whatever the test added) on a free port.
  void Start() {
    AddDefaultRoutes(server_, "1.2.3-test");
    auto url = server_.Start();
    ASSERT_TRUE(url.has_value()) << url.error().ToString();
    url_ = *url;
    port_ = PortOf(url_);
  }

  RawResponse Exchange(const std::string& request, bool head = false) {
    Connection connection(port_);
    EXPECT_TRUE(connection.Send(request));
    auto response = connection.Read(head);
    if (!response) throw std::runtime_error("no response to: " + request);
    return *response;
  }

  Server server_{ServerOptions{.host = "127.0.0.1", .port = 0, .version = "1.2.3-test"}};
  std::string url_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, StartReturnsTheBoundUrl) {
  Start();
  EXPECT_EQ(url_, "http://127.0.0.1:" + std::to_string(port_));
  EXPECT_NE(port_, 0);
}

TEST_F(ServerTest, HealthzAnswersJsonOk) {
  Start();
  RawResponse response = Exchange(Get("/healthz"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("server"), "steward");
  EXPECT_FALSE(response.Header("x-request-id").empty());
  EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"status", "ok"}}));
}

TEST_F(ServerTest, VersionCarriesTheVersion) {
  Start();
  RawResponse response = Exchange(Get("/api/v1/version"));
  EXPECT_EQ(response.status, 200);
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["name"], "steward");
  EXPECT_EQ(body["version"], "1.2.3-test");
}

TEST_F(ServerTest, RootIsTheChinesePlaceholderPage) {
  Start();
  RawResponse response = Exchange(Get("/"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(response.body.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(response.body.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(response.body.find("<title>城市管家 Steward</title>"), std::string::npos);
  EXPECT_NE(response.body.find("href=\"/healthz\""), std::string::npos);
  EXPECT_NE(response.body.find("href=\"/api/v1/version\""), std::string::npos);
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  Start();
  RawResponse response = Exchange(Get("/no/such/thing?x=1"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("server"), "steward");
  EXPECT_FALSE(response.Header("x-request-id").empty());
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "未找到 / not found: /no/such/thing");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  Start();
  RawResponse response =
      Exchange("POST /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "method_not_allowed");
}

TEST_F(ServerTest, HeadIsAnsweredLikeGetWithoutBody) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/healthz", "HEAD")));
  auto head = connection.Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"),
            std::to_string(std::string(R"({"status":"ok"})").size()));
  // Had the server sent a body, it would be read here as the start of the next response.
  ASSERT_TRUE(connection.Send(Get("/healthz")));
  auto get = connection.Read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, R"({"status":"ok"})");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/healthz")));
  auto first = connection.Read();
  ASSERT_TRUE(first);
  ASSERT_TRUE(connection.Send(Get("/api/v1/version")));
  auto second = connection.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_NE(first->Header("x-request-id"), second->Header("x-request-id"));
  EXPECT_NE(second->body.find("1.2.3-test"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/healthz") + Get("/missing") + Get("/api/v1/version")));
  auto first = connection.Read();
  auto second = connection.Read();
  auto third = connection.Read();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 404);
  EXPECT_EQ(third->status, 200);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  auto response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(Lower(response->Header("connection")), "close");
  EXPECT_TRUE(connection.ClosedByServer());
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send("POST /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: " +
                              std::to_string(2 << 20) + "\r\n\r\n"));
  auto response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"], "payload_too_large");
  EXPECT_TRUE(connection.ClosedByServer());
}

TEST_F(ServerTest, BodyOverTheLimitSentInFullStillGets413) {
  Start();
  Connection connection(port_);
  std::string body(2 << 20, 'x');
  ASSERT_TRUE(connection.Send("POST /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body));
  connection.ShutdownWrite();
  auto response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, BodyAtTheLimitReachesTheHandler) {
  server_.Route("POST", "/size", [](const Request& request) {
    return Response{.body = std::to_string(request.body.size())};
  });
  Start();
  std::string body(1 << 20, 'x');
  RawResponse response = Exchange("POST /size HTTP/1.1\r\nHost: test\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::to_string(1 << 20));
}

TEST_F(ServerTest, MalformedRequestIs400) {
  Start();
  RawResponse response = Exchange("this is not http\r\n\r\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "bad_request");
}

TEST_F(ServerTest, CustomRouteSeesMethodTargetPathAndBody) {
  server_.Route("POST", "/echo", [](const Request& request) {
    Response response;
    response.status = 201;
    response.content_type = "text/plain; charset=utf-8";
    response.body = request.method + "|" + request.target + "|" + request.path + "|" + request.body;
    response.headers.emplace_back("Location", "/echo/1");
    return response;
  });
  Start();
  RawResponse response =
      Exchange("POST /echo?a=1&b=2 HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n\r\n你好");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.Header("location"), "/echo/1");
  EXPECT_EQ(response.body, "POST|/echo?a=1&b=2|/echo|你好");
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  server_.Route("PUT", "/upload", [](const Request& request) {
    return Response{.body = std::to_string(request.body.size())};
  });
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(
      "PUT /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = connection.Read(/*head=*/true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection.Send("hello"));
  auto response = connection.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "5");
}

TEST_F(ServerTest, ThrowingHandlerIs500AndTheConnectionStaysUsable) {
  server_.Route("GET", "/boom",
                [](const Request&) -> Response { throw std::runtime_error("boom"); });
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/boom")));
  auto failed = connection.Read();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(nlohmann::json::parse(failed->body)["error"]["code"], "internal");
  ASSERT_TRUE(connection.Send(Get("/healthz")));
  auto next = connection.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, StopWithAnIdleClientConnectedReturnsPromptly) {
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/healthz")));
  ASSERT_TRUE(connection.Read());
  Connection silent(port_);  // connected (maybe not yet accepted), sends half a request
  ASSERT_TRUE(silent.Send("GET /healthz HTTP/1.1\r\n"));

  auto started = std::chrono::steady_clock::now();
  server_.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(connection.ClosedByServer());
  EXPECT_TRUE(silent.ClosedByServer());
  server_.Stop();  // idempotent
}

TEST_F(ServerTest, StopLetsTheRequestInFlightFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  server_.Route("GET", "/slow", [&entered, released](const Request&) {
    entered.set_value();
    released.wait();
    return Response{.body = R"({"slow":true})"};
  });
  Start();
  Connection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/slow")));
  entered.get_future().wait();
  std::thread stopper([this] { server_.Stop(); });
  release.set_value();
  auto response = connection.Read();
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"slow":true})");
}

TEST_F(ServerTest, WaitForStopReturnsWhenStopIsCalled) {
  Start();
  std::thread waiter([this] { server_.WaitForStop(); });
  server_.Stop();
  waiter.join();
  server_.WaitForStop();  // not running: returns at once
}

bool SignalHandlerInstalled(int signal_number) {
  struct sigaction current {};
  ::sigaction(signal_number, nullptr, &current);
  return current.sa_handler != SIG_DFL;
}

TEST_F(ServerTest, SigtermEndsWaitForStopAndRestoresTheDefaultHandler) {
  Start();
  ASSERT_FALSE(SignalHandlerInstalled(SIGTERM));
  std::thread waiter([this] { server_.WaitForStop(); });
  // Sending the signal before WaitForStop() catches it would kill the test binary.
  for (int i = 0; i < 5000 && !SignalHandlerInstalled(SIGTERM); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!SignalHandlerInstalled(SIGTERM)) {
    server_.Stop();
    waiter.join();
    FAIL() << "WaitForStop() never installed a SIGTERM handler";
  }
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  waiter.join();
  EXPECT_FALSE(SignalHandlerInstalled(SIGTERM));
  EXPECT_THROW(Connection{port_}, std::runtime_error);  // no longer listening
}

TEST_F(ServerTest, ManyConnectionsOnSeveralThreads) {
  Server server(ServerOptions{.host = "127.0.0.1", .port = 0, .threads = 4});
  AddDefaultRoutes(server, "x");
  auto url = server.Start();
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  std::vector<std::thread> clients;
  std::vector<int> ok(8, 0);
  for (size_t i = 0; i < ok.size(); ++i) {
    clients.emplace_back([&ok, i, port = PortOf(*url)] {
      Connection connection(port);
      for (int n = 0; n < 20; ++n) {
        if (!connection.Send(Get(n % 2 ? "/healthz" : "/missing"))) return;
        auto response = connection.Read();
        if (response && response->status == (n % 2 ? 200 : 404)) ++ok[i];
      }
    });
  }
  for (auto& client : clients) client.join();
  for (int count : ok) EXPECT_EQ(count, 20);
  server.Stop();
}

TEST_F(ServerTest, StartOnATakenPortFailsWithUnavailable) {
  Start();
  Server second(ServerOptions{.host = "127.0.0.1", .port = port_});
  auto url = second.Start();
  ASSERT_FALSE(url.has_value());
  EXPECT_EQ(url.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(url.error().message.find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << url.error().message;
  EXPECT_EQ(Exchange(Get("/healthz")).status, 200);  // the first server is unharmed
}

TEST_F(ServerTest, StartTwiceFailsAndRouteAfterStartThrows) {
  Start();
  auto again = server_.Start();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THROW(server_.Route("GET", "/late", [](const Request&) { return Response{}; }),
               std::logic_error);
}

TEST(ServerLifecycleTest, StopBeforeStartAndDestroyWithoutStartAreHarmless) {
  Server server(ServerOptions{.port = 0});
  server.Stop();
  server.WaitForStop();
}

}  // namespace
}  // namespace steward::http
