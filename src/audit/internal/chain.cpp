#include "audit/internal/chain.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "base/utf8.hpp"

namespace steward::audit::internal {

namespace {

void AppendNetstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
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

std::string ValidUtf8(std::string_view text) { return RepairUtf8(text, NulBytes::kReplace); }

}  // namespace steward::audit::internal
