// Base64 for the crypto module only: standard alphabet with padding for secrets in the key file,
// URL-safe alphabet without padding for sealed values (they travel in TEXT columns and URLs).
//
// Decoding is strict (no whitespace, no stray padding, unused trailing bits must be zero) so a
// sealed value has exactly one spelling. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace steward::crypto::internal {

enum class Base64Alphabet { kStandardPadded, kUrlUnpadded };

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet);

// Returns nullopt for anything that is not the canonical encoding in `alphabet`.
std::optional<std::string> Base64Decode(std::string_view text, Base64Alphabet alphabet);

}  // namespace steward::crypto::internal
