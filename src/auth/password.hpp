// Passwords: the policy a new password must pass, argon2id hashing and verification, and random
// initial passwords.
//
// Hashes are argon2id in the PHC string format ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"),
// so each hash carries its own parameters and old hashes still verify after the defaults change.
// The defaults follow OWASP (m = 19 MiB, t = 2, p = 1; about 30-60 ms on one core); tests lower
// them through PasswordOptions. Plain passwords are never logged nor kept after the call.
// Thread-safety: pure functions (hashing draws its salt from the system random generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace steward::auth {

struct PasswordOptions {
  uint32_t time_cost = 2;                // passes
  uint32_t memory_cost_kib = 19 * 1024;  // 19 MiB
  uint32_t parallelism = 1;

  // Cheap parameters for tests: never for stored accounts.
  static PasswordOptions ForTesting() { return PasswordOptions{1, 64, 1}; }
};

inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 128;

// At least 8 and at most 128 bytes, with at least one letter and one digit. kInvalidArgument with
// a detail on field "password" (codes password.too_short, password.too_long, password.weak).
Status CheckPasswordPolicy(std::string_view password);

// An argon2id hash of `password` with a fresh 16-byte salt. Does not check the policy.
Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options);

// True when `password` matches `encoded`; false for a mismatch or a malformed hash.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// A random password of `length` characters (at least 8): letters and digits without look-alikes
// such as 0/O and 1/l/I, passing CheckPasswordPolicy.
std::string GeneratePassword(size_t length = 16);

}  // namespace steward::auth
