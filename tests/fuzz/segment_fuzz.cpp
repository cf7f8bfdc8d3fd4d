// Fuzzes the segment language: any bytes as text (ParseQuery) and, when they are JSON, as the
// builder's tree (QueryFromJson). Each must return a tree or an error, never crash or hang, and
// every tree it returns must round-trip: ToText parses back to it, ToJson reads back to it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "segment/query.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckTree(const steward::segment::Query& query) {
  auto reparsed = steward::segment::ParseQuery(steward::segment::ToText(query));
  Check(reparsed.has_value() && *reparsed == query);
  auto reread = steward::segment::QueryFromJson(steward::segment::ToJson(query));
  Check(reread.has_value() && *reread == query);
}

void CheckError(const steward::Error& error) {
  Check(error.code == steward::ErrorCode::kInvalidArgument);
  Check(error.details.size() == 1 && !error.details[0].message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = steward::segment::ParseQuery(text);
  if (parsed) {
    CheckTree(*parsed);
  } else {
    CheckError(parsed.error());
    Check(parsed.error().details[0].message.find("column ") != std::string::npos);
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    auto read = steward::segment::QueryFromJson(json);
    if (read) {
      CheckTree(*read);
    } else {
      CheckError(read.error());
      Check(read.error().details[0].field.starts_with("$"));
    }
  }
  return 0;
}
