#include "http/json_body.hpp"

#include <charconv>
#include <string>

namespace steward::http {
namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxArray = 200;

const char* TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "字符串 / a string";
    case FieldType::kInteger:
      return "整数 / an integer";
    case FieldType::kNumber:
      return "数字 / a number";
    case FieldType::kBoolean:
      return "true 或 false / true or false";
    case FieldType::kStringArray:
      return "字符串数组 / an array of strings";
    case FieldType::kIntegerArray:
      return "整数数组 / an array of integers";
    case FieldType::kObject:
      return "对象 / an object";
    case FieldType::kId:
      return "编号（数字字符串） / an id (a string of digits)";
  }
  return "";
}

// Characters in valid UTF-8 (the parser has already refused invalid UTF-8).
size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

bool HasControlCharacters(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
    if (c == 0x7F) return true;
  }
  return false;
}

// Splits "中文 / English" halves: details carry both, like every domain message.
ErrorDetail Detail(std::string_view field, std::string code, std::string zh, std::string en) {
  return ErrorDetail{std::string(field), std::move(code), zh + " / " + en};
}

void CheckString(std::string_view field, const std::string& text, size_t max_length,
                 std::vector<ErrorDetail>& problems) {
  if (Utf8Length(text) > max_length) {
    problems.push_back(Detail(field, "too_long", "最多 " + std::to_string(max_length) + " 个字",
                              "at most " + std::to_string(max_length) + " characters"));
  } else if (HasControlCharacters(text)) {
    problems.push_back(
        Detail(field, "control_characters", "含有控制字符", "contains control characters"));
  }
}

bool TooDeep(const nlohmann::json& value, int depth, int limit) {
  if (depth > limit) return true;
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value) {
      if (TooDeep(item, depth + 1, limit)) return true;
    }
  }
  return false;
}

// How deep a top-level field may nest: its own max_depth where it has one.
int DepthLimit(std::span<const FieldSpec> fields, std::string_view name) {
  for (const auto& spec : fields) {
    if (spec.name == name && spec.max_depth > 0) return spec.max_depth;
  }
  return kMaxDepth;
}

void CheckField(const FieldSpec& spec, const nlohmann::json& value,
                std::vector<ErrorDetail>& problems) {
  if (value.is_null()) {
    if (!spec.nullable) {
      problems.push_back(
          Detail(spec.name, "type", std::string("应为") + TypeName(spec.type), "must not be null"));
    }
    return;
  }
  auto wrong_type = [&] {
    const std::string expected = TypeName(spec.type);
    const size_t split = expected.find(" / ");
    problems.push_back(Detail(spec.name, "type", "应为" + expected.substr(0, split),
                              "must be " + expected.substr(split + 3)));
  };
  switch (spec.type) {
    case FieldType::kString:
      if (!value.is_string()) return wrong_type();
      CheckString(spec.name, value.get_ref<const std::string&>(), spec.max_length, problems);
      return;
    case FieldType::kInteger:
      if (!value.is_number_integer()) return wrong_type();
      return;
    case FieldType::kNumber:
      if (!value.is_number()) return wrong_type();
      if (value.get<double>() < spec.min || value.get<double>() > spec.max) {
        problems.push_back(Detail(spec.name, "range", "超出范围", "out of range"));
      }
      return;
    case FieldType::kBoolean:
      if (!value.is_boolean()) return wrong_type();
      return;
    case FieldType::kObject:
      if (!value.is_object()) return wrong_type();
      return;
    case FieldType::kId:
      if (value.is_number_integer() && value.get<int64_t>() > 0) return;
      if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        int64_t id = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec == std::errc() && end == text.data() + text.size() && id > 0) return;
      }
      return wrong_type();
    case FieldType::kStringArray:
    case FieldType::kIntegerArray: {
      if (!value.is_array()) return wrong_type();
      if (value.size() > kMaxArray) {
        problems.push_back(Detail(spec.name, "too_many", "最多 200 项", "at most 200 items"));
        return;
      }
      for (const auto& item : value) {
        if (spec.type == FieldType::kStringArray) {
          if (!item.is_string()) return wrong_type();
          CheckString(spec.name, item.get_ref<const std::string&>(), spec.max_length, problems);
        } else if (!item.is_number_integer()) {
          return wrong_type();
        }
      }
      return;
    }
  }
}

}  // namespace

int64_t IdValue(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  const auto& text = value.get_ref<const std::string&>();
  int64_t id = 0;
  std::from_chars(text.data(), text.data() + text.size(), id);
  return id;
}

Result<nlohmann::json> ParseJsonBody(std::string_view body, std::span<const FieldSpec> fields) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "请求体应为 JSON 对象 / the request body must be a JSON object",
                {Detail("", "json", "JSON 格式错误", "malformed JSON")});
  }
  for (const auto& [name, value] : parsed.items()) {
    if (TooDeep(value, 1, DepthLimit(fields, name))) {
      return Fail(ErrorCode::kInvalidArgument, "请求体嵌套过深 / the request body nests too deeply",
                  {Detail(name, "json", "嵌套过深", "nested too deeply")});
    }
  }
  std::vector<ErrorDetail> problems;
  for (const auto& [name, value] : parsed.items()) {
    bool known = false;
    for (const auto& spec : fields) known = known || spec.name == name;
    if (!known) problems.push_back(Detail(name, "unknown_field", "未知字段", "unknown field"));
  }
  for (const auto& spec : fields) {
    auto found = parsed.find(spec.name);
    if (found == parsed.end()) {
      if (spec.required) problems.push_back(Detail(spec.name, "required", "必填", "required"));
      continue;
    }
    CheckField(spec, *found, problems);
  }
  if (!problems.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                std::move(problems));
  }
  return parsed;
}

}  // namespace steward::http
