// WebSocket responses over real sockets, with Beast's own WebSocket client as the far end: each
// chunk of the stream arrives as one text message and the server closes with 1000 at the end; a
// handshake from another site's page is refused before the handler runs; Stop() closes an open
// WebSocket with 1001 within the grace period; a client leaving early does not stop the server
// serving others (that its own stream then ends is not observed here).
#include <utility>  // before Asio: Boost 1.74's Asio misses it under GCC 12

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "http/internal/raw_http_client.hpp"  // PortOf
#include "http/server.hpp"

namespace steward::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

// What a client saw of one WebSocket: the handshake's answer, the text messages in order, and
// how it ended.
struct Seen {
  bool opened = false;
  unsigned handshake_status = 0;
  std::string server_header;
  std::vector<std::string> messages;
  bool closed_by_server = false;
  int close_code = 0;
};

// Opens ws://127.0.0.1:PORT/PATH with `origin` (none when empty) and reads until the end, or
// until `keep` messages were read (then the client closes itself).
Seen Watch(uint16_t port, const std::string& path, const std::string& origin, size_t keep = 100) {
  Seen seen;
  asio::io_context io;
  tcp::resolver resolver(io);
  websocket::stream<tcp::socket> ws(io);
  asio::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
  ws.set_option(websocket::stream_base::decorator([&origin](websocket::request_type& request) {
    if (!origin.empty()) request.set(beast::http::field::origin, origin);
  }));
  websocket::response_type answer;
  beast::error_code ec;
  ws.handshake(answer, "127.0.0.1:" + std::to_string(port), path, ec);
  seen.handshake_status = answer.result_int();
  seen.server_header = std::string(answer[beast::http::field::server]);
  if (ec) return seen;
  seen.opened = true;
  beast::flat_buffer buffer;
  while (seen.messages.size() < keep) {
    ws.read(buffer, ec);
    if (ec == websocket::error::closed) {
      seen.closed_by_server = true;
      seen.close_code = ws.reason().code;
      return seen;
    }
    if (ec) return seen;
    EXPECT_TRUE(ws.got_text());
    seen.messages.push_back(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  ws.close(websocket::close_code::normal, ec);
  return seen;
}

class WebSocketTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // GET /live: three numbered messages (one empty call between them sends nothing) as a
  // WebSocket when asked for one, else as one SSE stream; counts the handler's calls.
  void ServeCounting() {
    server_ = std::make_unique<Server>(ServerOptions{.host = "127.0.0.1", .port = 0});
    server_->Route("GET", "/live", [this](const Request& request) {
      ++handled_;
      Response response;
      response.websocket = request.websocket;
      response.status = request.websocket ? 101 : 200;
      response.content_type = "text/event-stream";
      auto sent = std::make_shared<int>(0);
      response.stream = [sent](const std::atomic<bool>&) -> std::optional<std::string> {
        if (*sent == 4) return std::nullopt;
        ++*sent;
        if (*sent == 2) return "";
        return "message " + std::to_string(*sent);
      };
      return response;
    });
    Start();
  }

  void Start() {
    auto url = server_->Start();
    ASSERT_TRUE(url) << url.error().ToString();
    port_ = internal::testing::PortOf(*url);
  }

  std::string Origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::atomic<int> handled_{0};
};

TEST_F(WebSocketTest, EachChunkIsOneTextMessageAndTheServerClosesAtTheEnd) {
  ServeCounting();
  Seen seen = Watch(port_, "/live", Origin());
  ASSERT_TRUE(seen.opened) << seen.handshake_status;
  EXPECT_EQ(seen.handshake_status, 101u);
  EXPECT_EQ(seen.server_header, "steward");
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"message 1", "message 3", "message 4"}));
  EXPECT_TRUE(seen.closed_by_server);
  EXPECT_EQ(seen.close_code, websocket::close_code::normal);
  // A client that is not a browser sends no Origin: allowed.
  Seen plain = Watch(port_, "/live", "");
  EXPECT_EQ(plain.messages.size(), 3u);
  EXPECT_EQ(handled_, 2);
}

TEST_F(WebSocketTest, AClientThatLeavesEarlyLeavesTheServerServingOthers) {
  ServeCounting();
  Seen seen = Watch(port_, "/live", Origin(), 1);
  EXPECT_EQ(seen.messages, std::vector<std::string>{"message 1"});
  EXPECT_FALSE(seen.closed_by_server);
  // The server is still serving others.
  EXPECT_EQ(Watch(port_, "/live", Origin()).messages.size(), 3u);
}

// The handshake by hand, so the refusal's status and body can be read as plain HTTP.
internal::testing::RawResponse Handshake(uint16_t port, const std::string& origin) {
  internal::testing::Connection connection(port);
  EXPECT_TRUE(connection.Send("GET /live HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\nOrigin: " +
                              origin + "\r\nConnection: close\r\n\r\n"));
  auto response = connection.Read(false);
  if (!response) throw std::runtime_error("no answer to the handshake");
  return *response;
}

TEST_F(WebSocketTest, AHandshakeFromAnotherSitesPageIsRefusedBeforeTheHandler) {
  ServeCounting();
  EXPECT_FALSE(Watch(port_, "/live", "http://evil.example").opened);
  auto refused = Handshake(port_, "http://evil.example");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("WebSocket"), std::string::npos) << refused.body;
  EXPECT_EQ(Handshake(port_, "http://127.0.0.1:1").status, 403);  // same host, other port
  EXPECT_EQ(handled_, 0);
}

TEST_F(WebSocketTest, StopClosesAnOpenWebSocketAsGoingAway) {
  server_ = std::make_unique<Server>(ServerOptions{.host = "127.0.0.1", .port = 0});
  server_->Route("GET", "/live", [](const Request& request) {
    Response response;
    response.websocket = request.websocket;
    auto first = std::make_shared<bool>(true);
    response.stream = [first](const std::atomic<bool>& stopping) -> std::optional<std::string> {
      if (*first) {
        *first = false;
        return "hello";
      }
      for (int i = 0; i < 40 && !stopping; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stopping) return std::nullopt;
      return "";
    };
    return response;
  });
  Start();
  auto watcher = std::async(std::launch::async, [this] { return Watch(port_, "/live", Origin()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the WebSocket is open
  const auto before = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
  Seen seen = watcher.get();
  EXPECT_EQ(seen.messages, std::vector<std::string>{"hello"});
  EXPECT_TRUE(seen.closed_by_server);
  EXPECT_EQ(seen.close_code, websocket::close_code::going_away);
}

}  // namespace
}  // namespace steward::http
