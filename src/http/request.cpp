// Request's accessors: headers, query parameters, cookies and the preferred language.
#include <algorithm>

#include "http/internal/route_table.hpp"
#include "http/server.hpp"

namespace steward::http {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  const size_t question = target.find('?');
  if (question == std::string::npos) return std::nullopt;
  std::string_view query = std::string_view(target).substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t equals = pair.find('=');
    auto key = internal::PercentDecode(pair.substr(0, equals), true);
    if (key && *key == name) {
      if (equals == std::string_view::npos) return std::string();
      auto value = internal::PercentDecode(pair.substr(equals + 1), true);
      if (value) return value;
      return std::nullopt;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semicolon = rest.find(';');
      std::string_view pair = rest.substr(0, semicolon);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return std::string(pair.substr(equals + 1));
      }
      if (semicolon == std::string_view::npos) break;
      rest.remove_prefix(semicolon + 1);
    }
  }
  return std::nullopt;
}

Language Request::language() const {
  std::string_view accept = Header("accept-language");
  while (!accept.empty() && accept.front() == ' ') accept.remove_prefix(1);
  if (accept.size() >= 2 && (accept[0] == 'e' || accept[0] == 'E') &&
      (accept[1] == 'n' || accept[1] == 'N')) {
    return Language::kEnglish;
  }
  return Language::kChinese;
}

}  // namespace steward::http
