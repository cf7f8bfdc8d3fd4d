// File digests: SHA-256 of a file's bytes, streamed (imports recognise a file they already began).
// Thread-safety: pure function.
#pragma once

#include <filesystem>
#include <string>

#include "base/result.hpp"

namespace steward::crypto {

// Lower-case hex SHA-256 of the file's contents.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace steward::crypto
