#include "voice/dial_guard.hpp"

#include <algorithm>

namespace steward::voice {
namespace {

// 127.a.b.c written as four decimal numbers of at most three digits (not a name like 127.example).
bool IsLoopbackIpv4(std::string_view host) {
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  size_t digits = 0;
  for (const char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++parts;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      ++digits;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

}  // namespace

bool IsLoopbackUri(std::string_view uri) {
  // sip:user@host:port;params or sip:host — the host is after '@' (or the scheme) up to ':' ';'
  // '>'.
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view rest = uri.substr(colon + 1);
  if (const size_t at = rest.find('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string_view host;
  if (rest.starts_with('[')) {
    host = rest.substr(1, rest.find(']') - 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":;>?"));
  }
  return host == "localhost" || host == "::1" || IsLoopbackIpv4(host);
}

std::string DialUri(std::string_view number, std::string_view trunk_uri) {
  if (number.starts_with("sip:")) return std::string(number);
  std::string uri(trunk_uri);
  if (const size_t at = uri.find("{number}"); at != std::string::npos) uri.replace(at, 8, number);
  return uri;
}

std::string RefuseDial(std::string_view number, bool demo_number, std::string_view uri,
                       const std::vector<std::string>& allowed_prefixes) {
  if (demo_number && !IsLoopbackUri(uri)) {
    return "演示数据的号码只拨给本机的测试对端 / a demo number is dialled only to a loopback test "
           "peer";
  }
  if (!allowed_prefixes.empty() &&
      std::none_of(allowed_prefixes.begin(), allowed_prefixes.end(),
                   [&](const std::string& prefix) { return number.starts_with(prefix); })) {
    return "号码不在允许的号段内 / the number is outside the allowed prefixes";
  }
  return "";
}

}  // namespace steward::voice
