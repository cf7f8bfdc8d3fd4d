// The hash chain of the audit log: an entry's canonical form and its hash, shared by the writer
// (AuditLog) and the checker (Verify) so both compute exactly the same bytes.
//
// Canonical form (version 1): the text "steward-audit-v1\n" followed by eight netstrings
// ("<byte length>:<bytes>,") of seq and at in decimal, then actor, action, target, detail (the JSON
// text exactly as stored), client and request_id. Length prefixes make it unambiguous whatever
// bytes a field holds. hash = lower-case hex SHA-256 of (prev_hash + "\n" + canonical form).
// The first entry's prev_hash is "". Changing any of this breaks every stored chain: add a new
// version instead. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace steward::audit::internal {

// The stored columns that the hash covers (everything but prev_hash and hash).
struct ChainFields {
  int64_t seq = 0;
  int64_t at_millis = 0;
  std::string_view actor;
  std::string_view action;
  std::string_view target;
  std::string_view detail;  // JSON text, as stored
  std::string_view client;
  std::string_view request_id;
};

std::string CanonicalForm(const ChainFields& fields);

// The stored text of an entry's detail: compact JSON, object keys in byte order (nlohmann::json
// keeps them sorted), UTF-8 kept as is and invalid UTF-8 replaced by U+FFFD. Equal JSON values give
// equal text whatever order they were built in.
std::string DetailText(const nlohmann::json& detail);

// Lower-case hex SHA-256 of `prev_hash + "\n" + canonical`.
std::string ChainHash(std::string_view prev_hash, std::string_view canonical);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// `text` with every byte sequence that is not valid UTF-8, and every NUL, replaced by U+FFFD:
// PostgreSQL refuses both in TEXT, and one bad entry must not block the batch it travels in.
std::string ValidUtf8(std::string_view text);

}  // namespace steward::audit::internal
