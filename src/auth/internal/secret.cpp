#include "auth/internal/secret.hpp"

#include "crypto/digest.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace steward::auth::internal {
namespace {

void FillRandom(unsigned char* data, size_t size) {
  if (RAND_bytes(data, static_cast<int>(size)) != 1) {
    throw std::runtime_error("RAND_bytes failed: the system random generator is unavailable");
  }
}

}  // namespace

std::string RandomToken(size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<unsigned char> random(bytes);
  FillRandom(random.data(), random.size());
  std::string text;
  text.reserve((bytes * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes; i += 3) {
    const uint32_t n = (uint32_t{random[i]} << 16) | (uint32_t{random[i + 1]} << 8) | random[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) text += kAlphabet[(n >> shift) & 63];
  }
  if (const size_t rest = bytes - i; rest > 0) {
    uint32_t n = uint32_t{random[i]} << 16;
    if (rest == 2) n |= uint32_t{random[i + 1]} << 8;
    text += kAlphabet[(n >> 18) & 63];
    text += kAlphabet[(n >> 12) & 63];
    if (rest == 2) text += kAlphabet[(n >> 6) & 63];
  }
  return text;
}

uint32_t RandomBelow(uint32_t bound) {
  // Reject the top values that would make some results more likely than others.
  const uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
  while (true) {
    uint32_t value = 0;
    FillRandom(reinterpret_cast<unsigned char*>(&value), sizeof value);
    if (value < limit) return value % bound;
  }
}

std::string TokenDigest(std::string_view token) { return crypto::Sha256Hex(token); }

}  // namespace steward::auth::internal
