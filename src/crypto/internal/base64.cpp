#include "crypto/internal/base64.hpp"

#include <array>
#include <cstdint>

namespace steward::crypto::internal {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr int kInvalid = -1;

constexpr std::array<int, 256> MakeReverse(std::string_view chars) {
  std::array<int, 256> table{};
  for (int& entry : table) entry = kInvalid;
  for (size_t i = 0; i < chars.size(); ++i) table[static_cast<unsigned char>(chars[i])] = int(i);
  return table;
}

constexpr std::array<int, 256> kStandardReverse = MakeReverse(kStandardChars);
constexpr std::array<int, 256> kUrlReverse = MakeReverse(kUrlChars);

}  // namespace

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet) {
  const std::string_view chars =
      alphabet == Base64Alphabet::kStandardPadded ? kStandardChars : kUrlChars;
  const bool pad = alphabet == Base64Alphabet::kStandardPadded;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = uint32_t(uint8_t(bytes[i])) << 16 |
                           uint32_t(uint8_t(bytes[i + 1])) << 8 | uint32_t(uint8_t(bytes[i + 2]));
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    out += chars[(group >> 6) & 63];
    out += chars[group & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t group = uint32_t(uint8_t(bytes[i])) << 16;
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const uint32_t group = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    out += chars[(group >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text, Base64Alphabet alphabet) {
  const bool padded = alphabet == Base64Alphabet::kStandardPadded;
  const std::array<int, 256>& reverse = padded ? kStandardReverse : kUrlReverse;
  if (padded) {
    if (text.size() % 4 != 0) return std::nullopt;
    // At most two '=' and only at the end; strip them and decode the rest as unpadded.
    size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
      ++padding;
    }
    text.remove_suffix(padding);
  }
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = reverse[static_cast<unsigned char>(c)];
    if (value == kInvalid) return std::nullopt;
    buffer = (buffer << 6) | uint32_t(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xFF);
    }
  }
  // Leftover bits are what the encoder padded with zeros; anything else is a second spelling.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace steward::crypto::internal
