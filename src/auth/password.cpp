#include "auth/password.hpp"

#include <argon2.h>

#include <algorithm>
#include <string>
#include <vector>

#include "auth/internal/secret.hpp"

namespace steward::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Status CheckPasswordPolicy(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Fail(ErrorCode::kInvalidArgument,
                "密码至少 8 位 / the password needs at least 8 characters",
                {{"password", "password.too_short",
                  "密码至少 8 位 / the password needs at least 8 characters"}});
  }
  if (password.size() > kMaxPasswordLength) {
    return Fail(ErrorCode::kInvalidArgument,
                "密码最多 128 位 / the password may have at most 128 characters",
                {{"password", "password.too_long",
                  "密码最多 128 位 / the password may have at most 128 characters"}});
  }
  bool letter = false, digit = false;
  for (const char c : password) {
    letter = letter || IsAsciiLetter(c);
    digit = digit || IsAsciiDigit(c);
  }
  if (!letter || !digit) {
    return Fail(ErrorCode::kInvalidArgument,
                "密码须同时包含字母和数字 / the password needs both letters and digits",
                {{"password", "password.weak",
                  "密码须同时包含字母和数字 / the password needs both letters and digits"}});
  }
  return Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options) {
  const std::string salt = internal::RandomToken(kSaltBytes);  // text salt: 22 random characters
  std::string encoded(
      argon2_encodedlen(options.time_cost, options.memory_cost_kib, options.parallelism,
                        static_cast<uint32_t>(salt.size()), kHashBytes, Argon2_id),
      '\0');
  const int status = argon2id_hash_encoded(
      options.time_cost, options.memory_cost_kib, options.parallelism, password.data(),
      password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (status != ARGON2_OK) {
    return Fail(ErrorCode::kInternal,
                std::string("argon2id hashing failed: ") + argon2_error_message(status));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  const std::string terminated(encoded);  // argon2 reads a C string
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string GeneratePassword(size_t length) {
  static constexpr std::string_view kLetters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  static constexpr std::string_view kDigits = "23456789";
  const std::string alphabet = std::string(kLetters) + std::string(kDigits);
  length = std::max(length, kMinPasswordLength);
  while (true) {
    std::string password;
    password.reserve(length);
    for (size_t i = 0; i < length; ++i) {
      password += alphabet[internal::RandomBelow(static_cast<uint32_t>(alphabet.size()))];
    }
    if (CheckPasswordPolicy(password)) return password;  // redraw the rare one without a digit
  }
}

}  // namespace steward::auth
