// SHA-256 digests as lower-case hex: of bytes in memory (token digests, the audit chain) and of a
// file's bytes, streamed (imports recognise a file they already began).
// Thread-safety: pure functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace steward::crypto {

// Lower-case hex SHA-256 of `bytes`. SHA-256 is always in OpenSSL: a failure throws.
std::string Sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of the file's contents.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace steward::crypto
