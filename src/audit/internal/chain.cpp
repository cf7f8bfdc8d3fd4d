#include "audit/internal/chain.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace steward::audit::internal {

namespace {

void AppendNetstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

// The length of the valid UTF-8 sequence starting at `at`, or 0 when there is none.
size_t ValidSequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead >= 0x01 && lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string CanonicalForm(const ChainFields& fields) {
  std::string out = "steward-audit-v1\n";
  out.reserve(out.size() + fields.actor.size() + fields.action.size() + fields.target.size() +
              fields.detail.size() + fields.client.size() + fields.request_id.size() + 64);
  AppendNetstring(out, std::to_string(fields.seq));
  AppendNetstring(out, std::to_string(fields.at_millis));
  AppendNetstring(out, fields.actor);
  AppendNetstring(out, fields.action);
  AppendNetstring(out, fields.target);
  AppendNetstring(out, fields.detail);
  AppendNetstring(out, fields.client);
  AppendNetstring(out, fields.request_id);
  return out;
}

std::string DetailText(const nlohmann::json& detail) {
  return detail.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // One-shot EVP_Digest: SHA-256 is always present in OpenSSL, so a failure is a bug.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 unavailable");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string ChainHash(std::string_view prev_hash, std::string_view canonical) {
  std::string input;
  input.reserve(prev_hash.size() + 1 + canonical.size());
  input += prev_hash;
  input += '\n';
  input += canonical;
  return Sha256Hex(input);
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = ValidSequenceLength(text, at);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++at;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
  }
  return out;
}

}  // namespace steward::audit::internal
