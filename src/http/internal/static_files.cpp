#include "http/internal/static_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>

#include "http/internal/route_table.hpp"

namespace steward::http::internal {
namespace {

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view ContentTypeFor(const std::filesystem::path& file) {
  static const std::map<std::string, std::string_view, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".wav", "audio/wav"},
  };
  auto found = kTypes.find(file.extension().string());
  return found == kTypes.end() ? std::string_view("application/octet-stream") : found->second;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  size_t at = 0;
  while (at < accept_encoding.size()) {
    const size_t comma = std::min(accept_encoding.find(',', at), accept_encoding.size());
    const std::string_view item = accept_encoding.substr(at, comma - at);
    at = comma + 1;
    const size_t semicolon = item.find(';');
    const std::string_view coding = Trimmed(item.substr(0, semicolon));
    if (coding != "gzip" && coding != "*") continue;
    // "gzip;q=0" refuses it; any other weight takes it.
    const size_t q =
        semicolon == std::string_view::npos ? std::string_view::npos : item.find("q=", semicolon);
    if (q == std::string_view::npos) return true;
    return std::strtod(std::string(Trimmed(item.substr(q + 2))).c_str(), nullptr) > 0;
  }
  return false;
}

std::optional<Response> StaticFile(const std::filesystem::path& folder, std::string_view path,
                                   bool accepts_gzip) {
  auto decoded = PercentDecode(path, false);
  if (!decoded || decoded->empty() || decoded->front() != '/') return std::nullopt;
  const std::string& clean = *decoded;
  if (clean.find('\0') != std::string::npos || clean.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  // Every segment must be an ordinary name: no "." or "..", no hidden files.
  std::filesystem::path relative;
  size_t start = 1;
  while (start <= clean.size()) {
    const size_t slash = clean.find('/', start);
    const std::string segment =
        clean.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!segment.empty()) {
      if (segment.front() == '.') return std::nullopt;
      relative /= segment;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::error_code ec;
  std::filesystem::path file = folder / relative;
  const bool page = !relative.has_extension();
  if (relative.empty() || (page && !std::filesystem::is_regular_file(file, ec))) {
    file = folder / "index.html";
  }
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  Response response;
  response.file = file;
  response.content_type = std::string(ContentTypeFor(file));
  // A gzip copy made at build time (web/build.sh) goes to clients that take gzip.
  std::filesystem::path compressed = file;
  compressed += ".gz";
  if (std::filesystem::is_regular_file(compressed, ec)) {
    response.headers.emplace_back("Vary", "Accept-Encoding");
    if (accepts_gzip) {
      response.file = compressed;
      response.headers.emplace_back("Content-Encoding", "gzip");
    }
  }
  const bool hashed_asset = clean.starts_with("/assets/");
  response.headers.emplace_back("Cache-Control",
                                hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace steward::http::internal
