#include "audit/internal/chain.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "base/utf8.hpp"
#include "crypto/digest.hpp"

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

std::string Sha256Hex(std::string_view bytes) { return crypto::Sha256Hex(bytes); }

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
