// A raw HTTP/1.1 client over POSIX sockets for the server's tests (no Beast: it compiles slowly).
// Test-only; every read has a 5 s timeout so a bug fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace steward::http::internal::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// One client connection speaking raw HTTP/1.1.
class Connection {
 public:
  explicit Connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response. `head`: it answers a HEAD request, so it has no body whatever
  // Content-Length says. Nothing on timeout, error or end of stream before a full response.
  std::optional<RawResponse> Read(bool head = false) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    std::string_view head_text(buffer_.data(), header_end);
    size_t line_end = head_text.find("\r\n");
    std::string_view status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    while (line_end != std::string_view::npos) {
      size_t start = line_end + 2;
      line_end = head_text.find("\r\n", start);
      std::string_view line = head_text.substr(start, line_end - start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers[Lower(std::string(line.substr(0, colon)))] = std::string(value);
    }
    size_t body_length = head ? 0 : std::stoul("0" + response.Header("content-length"));
    size_t body_start = header_end + 4;
    while (buffer_.size() < body_start + body_length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(body_start, body_length);
    buffer_.erase(0, body_start + body_length);
    return response;
  }

  // True when the server closed the connection (and sent nothing more), or reset it (a connection
  // still in the listen backlog when the server stops is reset by the kernel).
  bool ClosedByServer() {
    char byte;
    ssize_t received = ::recv(fd_, &byte, 1, 0);
    return buffer_.empty() && (received == 0 || (received < 0 && errno == ECONNRESET));
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(received));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

inline std::string Get(const std::string& path, const std::string& method = "GET") {
  return method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

inline uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace steward::http::internal::testing
