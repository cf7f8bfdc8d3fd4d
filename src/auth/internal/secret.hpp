// Random tokens and their digests, for sessions, CSRF and API tokens.
//
// A token is 32 random bytes from the system generator (OpenSSL RAND_bytes), written as
// base64url without padding (43 characters). Only TokenDigest(token), the lower-case hex SHA-256,
// is stored, so a copy of the database lets nobody sign in.
// Thread-safety: pure functions. Throws std::runtime_error only if the system generator fails.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace steward::auth::internal {

// `bytes` random bytes as base64url without padding.
std::string RandomToken(size_t bytes = 32);
// A random integer in [0, bound), without modulo bias.
uint32_t RandomBelow(uint32_t bound);
// Lower-case hex SHA-256 of `token`.
std::string TokenDigest(std::string_view token);

}  // namespace steward::auth::internal
