#include "http/internal/static_files.hpp"

#include <map>
#include <string>

#include "http/internal/route_table.hpp"

namespace steward::http::internal {

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

std::optional<Response> StaticFile(const std::filesystem::path& folder, std::string_view path) {
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
  const bool hashed_asset = clean.starts_with("/assets/");
  response.headers.emplace_back("Cache-Control",
                                hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace steward::http::internal
