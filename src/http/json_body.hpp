// Request bodies: a JSON object checked against the fields an endpoint takes, before any handler
// logic sees it.
//
// Refused with kInvalidArgument and one detail per problem (field, code, "中文 / English"):
// malformed JSON (`json`), not an object (`json`), an unknown field (`unknown_field`), a missing
// required field (`required`), a wrong type (`type`), a string over its length in characters or
// with control characters (`too_long`, `control_characters`), nesting deeper than 8 (or a field's
// own max_depth), more than 200 elements in an array (`too_many`), a number outside its range
// (`range`). Strings must be
// valid UTF-8. Text is otherwise accepted as written: SQL is always parameterised and JSON
// responses are escaped, so quotes, `<script>` and the like are stored and returned verbatim, never
// interpreted. Fuzzed by tests/fuzz/json_body_fuzzer.cpp. Threads: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.hpp"

namespace steward::http {

// kId: a record id, as a string of digits (how responses carry ids: JavaScript numbers lose
// digits past 2^53) or as an integer; either way positive and within 64 bits.
enum class FieldType {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kStringArray,
  kIntegerArray,
  kObject,
  kId
};

// The id of a kId field that ParseJsonBody accepted.
int64_t IdValue(const nlohmann::json& value);

struct FieldSpec {
  std::string_view name;
  FieldType type = FieldType::kString;
  bool required = false;
  bool nullable = false;    // null is accepted (and means "clear" where the endpoint says so)
  size_t max_length = 200;  // characters, for strings and each string of an array
  double min = -1e308;      // kNumber: the allowed range (`range` when outside)
  double max = 1e308;
  int max_depth = 0;  // kObject: how deep its value may nest (0: the body's default of 8)
};

Result<nlohmann::json> ParseJsonBody(std::string_view body, std::span<const FieldSpec> fields);

}  // namespace steward::http
