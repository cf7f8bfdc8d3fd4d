// Fuzzes the API's request-body checker: any bytes, against a field list like the resident
// endpoints'. It must return a value or an error, never crash, hang or accept a body that breaks
// the field list.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/json_body.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

using steward::http::FieldSpec;
using steward::http::FieldType;

constexpr FieldSpec kFields[] = {
    {"name", FieldType::kString, true, false, 50},
    {"gender", FieldType::kString},
    {"birth_date", FieldType::kString, false, true, 10},
    {"household_id", FieldType::kInteger, false, true},
    {"tags", FieldType::kStringArray},
    {"unit_ids", FieldType::kIntegerArray},
    {"active", FieldType::kBoolean},
    {"extra", FieldType::kObject},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = steward::http::ParseJsonBody(body, kFields);
  if (parsed) {
    Check(parsed->is_object());
    Check(parsed->contains("name") && (*parsed)["name"].is_string());
    for (const auto& [key, value] : parsed->items()) {
      bool known = false;
      for (const auto& field : kFields) known = known || field.name == key;
      Check(known);
    }
  } else {
    Check(!parsed.error().details.empty());
  }
  return 0;
}
