// The console's files: a request path mapped to a file under the static folder, safely.
//
// Paths with "..", backslashes, NUL or malformed escapes never leave the folder; a path whose last
// segment has no extension (a console page such as /registry/residents) gets index.html, so the
// single-page console can route it. Hashed assets (/assets/...) are cached for a year;
// index.html is never cached. Precompressed copies (.gz) are served to clients that take gzip.
// Threads: a pure function of the file system.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "http/server.hpp"

namespace steward::http::internal {

// The response for `path` under `folder`, or nullopt when there is no such file. A file with a
// gzip copy beside it (<name>.gz, made when the console is built) is answered with the copy and
// Content-Encoding: gzip when `accepts_gzip`; either way with Vary: Accept-Encoding.
std::optional<Response> StaticFile(const std::filesystem::path& folder, std::string_view path,
                                   bool accepts_gzip = false);

// Whether an Accept-Encoding header takes gzip (gzip or *, without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// The Content-Type for a file name's extension.
std::string_view ContentTypeFor(const std::filesystem::path& file);

}  // namespace steward::http::internal
