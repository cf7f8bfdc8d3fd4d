// The console's files: a request path mapped to a file under the static folder, safely.
//
// Paths with "..", backslashes, NUL or malformed escapes never leave the folder; a path whose last
// segment has no extension (a console page such as /registry/residents) gets index.html, so the
// single-page console can route it. Hashed assets (/assets/...) are cached for a year;
// index.html is never cached.
// Threads: a pure function of the file system.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "http/server.hpp"

namespace steward::http::internal {

// The response for `path` under `folder`, or nullopt when there is no such file.
std::optional<Response> StaticFile(const std::filesystem::path& folder, std::string_view path);

// The Content-Type for a file name's extension.
std::string_view ContentTypeFor(const std::filesystem::path& file);

}  // namespace steward::http::internal
