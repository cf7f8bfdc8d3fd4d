#include "segment/internal/literals.hpp"

#include <array>
#include <utility>

#include "base/utf8.hpp"

namespace steward::segment::internal {
namespace {

constexpr std::array<std::pair<std::string_view, Field>, 9> kFields = {{
    {"age", Field::kAge},
    {"birth_date", Field::kBirthDate},
    {"gender", Field::kGender},
    {"residence_status", Field::kResidenceStatus},
    {"household_size", Field::kHouseholdSize},
    {"assistance", Field::kAssistance},
    {"phone_valid", Field::kPhoneValid},
    {"opted_out", Field::kOptedOut},
    {"unit", Field::kUnit},
}};

constexpr std::array<std::pair<std::string_view, Function>, 8> kFunctions = {{
    {"has", Function::kHas},
    {"has_any", Function::kHasAny},
    {"has_all", Function::kHasAll},
    {"building", Function::kBuilding},
    {"complex", Function::kComplex},
    {"called_within", Function::kCalledWithin},
    {"answered_within", Function::kAnsweredWithin},
    {"visited_within", Function::kVisitedWithin},
}};

constexpr std::array<std::pair<std::string_view, CompareOp>, 6> kOps = {{
    {"=", CompareOp::kEqual},
    {"!=", CompareOp::kNotEqual},
    {"<", CompareOp::kLess},
    {"<=", CompareOp::kLessOrEqual},
    {">", CompareOp::kGreater},
    {">=", CompareOp::kGreaterOrEqual},
}};

// Accepted spellings (after ASCII lower-casing) -> canonical code, per enum field.
struct Spelling {
  std::string_view written;
  std::string_view code;
};

constexpr Spelling kGenders[] = {
    {"male", "male"}, {"男", "male"}, {"female", "female"}, {"女", "female"}};
constexpr Spelling kResidenceStatuses[] = {
    {"both", "both"},
    {"户在人在", "both"},
    {"resident_only", "resident_only"},
    {"人在户不在", "resident_only"},
    {"registered_only", "registered_only"},
    {"户在人不在", "registered_only"},
};
constexpr Spelling kAssistances[] = {
    {"subsistence_allowance", "subsistence_allowance"},
    {"低保", "subsistence_allowance"},
    {"near_poverty", "near_poverty"},
    {"低边", "near_poverty"},
    {"extreme_poverty", "extreme_poverty"},
    {"特困", "extreme_poverty"},
};

template <size_t N>
Checked<Value> Lookup(const Spelling (&table)[N], std::string_view field, const std::string& text) {
  const std::string lowered = AsciiLower(text);
  std::string accepted;
  for (const Spelling& spelling : table) {
    if (spelling.written == lowered) return Value(std::string(spelling.code));
    if (!accepted.empty()) accepted += ", ";
    accepted += spelling.written;
  }
  return Complain("value", std::string(field) + " 的取值应为 " + accepted,
                  std::string(field) + " must be one of " + accepted);
}

std::string_view ValueKind(const Value& value) {
  switch (value.index()) {
    case 0:
      return "a boolean";
    case 1:
      return "an integer";
    case 2:
      return "a string";
    default:
      return "a date";
  }
}

Checked<Value> ExpectInteger(Field field, const Value& raw) {
  const std::string name(FieldName(field));
  if (!std::holds_alternative<int64_t>(raw)) {
    return Complain("type", name + " 应与整数比较",
                    name + " compares with integers, not " + std::string(ValueKind(raw)));
  }
  const int64_t number = std::get<int64_t>(raw);
  if (number < 0 || number > kMaxInteger) {
    return Complain("value", name + " 的取值应在 0 到 " + std::to_string(kMaxInteger) + " 之间",
                    name + " must be between 0 and " + std::to_string(kMaxInteger));
  }
  return raw;
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<Field> FieldFromName(std::string_view name) {
  const std::string lowered = AsciiLower(name);
  for (const auto& [text, value] : kFields) {
    if (text == lowered) return value;
  }
  return std::nullopt;
}

std::optional<Function> FunctionFromName(std::string_view name) {
  const std::string lowered = AsciiLower(name);
  for (const auto& [text, value] : kFunctions) {
    if (text == lowered) return value;
  }
  return std::nullopt;
}

std::optional<CompareOp> CompareOpFromText(std::string_view text) {
  for (const auto& [written, value] : kOps) {
    if (written == text) return value;
  }
  return std::nullopt;
}

std::string KnownFieldsText() {
  std::string out;
  for (const auto& [name, value] : kFields) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string KnownFunctionsText() {
  std::string out;
  for (const auto& [name, value] : kFunctions) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.size() < 2 || text.size() > 8) return std::nullopt;
  Duration duration;
  switch (text.back()) {
    case 'h':
    case 'H':
      duration.unit = DurationUnit::kHours;
      break;
    case 'd':
    case 'D':
      duration.unit = DurationUnit::kDays;
      break;
    case 'w':
    case 'W':
      duration.unit = DurationUnit::kWeeks;
      break;
    default:
      return std::nullopt;
  }
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    duration.amount = duration.amount * 10 + (c - '0');
  }
  if (duration.amount < 1 || duration.amount > kMaxDurationAmount) return std::nullopt;
  return duration;
}

std::optional<Problem> CheckOperator(Field field, CompareOp op) {
  const std::string name(FieldName(field));
  if (field == Field::kUnit) {
    return Problem{"syntax", "unit 只能写作 unit in (...)", "unit takes the form unit in (...)"};
  }
  const bool ordered =
      field == Field::kAge || field == Field::kBirthDate || field == Field::kHouseholdSize;
  if (!ordered && op != CompareOp::kEqual && op != CompareOp::kNotEqual) {
    return Problem{"type", name + " 只能用 = 或 != 比较",
                   name + " compares with = or != only, not " + std::string(CompareOpText(op))};
  }
  return std::nullopt;
}

std::optional<Problem> CheckInField(Field field) {
  if (field == Field::kPhoneValid || field == Field::kOptedOut) {
    const std::string name(FieldName(field));
    return Problem{"type", name + " 只能写作 " + name + " = true 或 " + name + " = false",
                   name + " takes = true or = false, not in (...)"};
  }
  return std::nullopt;
}

Checked<Value> NormaliseValue(Field field, const Value& raw) {
  const std::string name(FieldName(field));
  switch (field) {
    case Field::kAge:
    case Field::kHouseholdSize:
      return ExpectInteger(field, raw);
    case Field::kPhoneValid:
    case Field::kOptedOut:
      if (!std::holds_alternative<bool>(raw)) {
        return Complain("type", name + " 应与 true 或 false 比较",
                        name + " compares with true or false, not " + std::string(ValueKind(raw)));
      }
      return raw;
    case Field::kBirthDate: {
      Date date;
      if (!std::holds_alternative<std::string>(raw) ||
          !Date::Parse(std::get<std::string>(raw), &date)) {
        return Complain("type", "birth_date 应与日期比较，如 \"1960-01-01\"",
                        "birth_date compares with a date such as \"1960-01-01\"");
      }
      return Value(date);
    }
    case Field::kGender:
    case Field::kResidenceStatus:
    case Field::kAssistance:
      if (!std::holds_alternative<std::string>(raw)) {
        return Complain(
            "type", name + " 应与带引号的文字比较",
            name + " compares with a quoted string, not " + std::string(ValueKind(raw)));
      }
      if (field == Field::kGender) return Lookup(kGenders, name, std::get<std::string>(raw));
      if (field == Field::kResidenceStatus) {
        return Lookup(kResidenceStatuses, name, std::get<std::string>(raw));
      }
      return Lookup(kAssistances, name, std::get<std::string>(raw));
    case Field::kUnit:
      break;
  }
  return Complain("syntax", "unit 只能写作 unit in (...)", "unit takes the form unit in (...)");
}

std::optional<Problem> CheckName(std::string_view name) {
  if (name.empty()) return Problem{"value", "名称不能为空", "a name must not be empty"};
  if (FirstInvalidUtf8(name) != std::string_view::npos) {
    return Problem{"value", "名称不是有效的 UTF-8", "a name is not valid UTF-8"};
  }
  return std::nullopt;
}

char32_t DecodeAt(std::string_view text, size_t at, size_t* length) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    *length = 1;
    return lead;
  }
  if (lead < 0xE0) {
    *length = 2;
    return ((lead & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
  }
  if (lead < 0xF0) {
    *length = 3;
    return ((lead & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
  }
  *length = 4;
  return ((lead & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) |
         (byte(3) & 0x3Fu);
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
         c == 0x3000;
}

bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (c <= 0xBF) return false;                   // Latin-1 punctuation and NBSP
  if (c >= 0x2000 && c <= 0x206F) return false;  // general punctuation: “ ” ‘ ’ …
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation: 、 。 《 》 【 】
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // full-width ！ （ ） ， …
  if (c >= 0xFF1A && c <= 0xFF20) return false;  // full-width ： ； ＜ ＝ ＞ ？ ＠
  if (c >= 0xFF3B && c <= 0xFF40) return false;
  if (c >= 0xFF5B && c <= 0xFF65) return false;
  if (c == 0xFEFF) return false;  // byte-order mark
  return true;
}

bool IsKeyword(std::string_view word) {
  const std::string lowered = AsciiLower(word);
  return lowered == "and" || lowered == "or" || lowered == "not" || lowered == "in" ||
         lowered == "true" || lowered == "false";
}

bool IsBareName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9') || IsKeyword(name)) return false;
  if (FirstInvalidUtf8(name) != std::string_view::npos) return false;
  for (size_t at = 0; at < name.size();) {
    size_t length = 0;
    if (!IsWordChar(DecodeAt(name, at, &length))) return false;
    at += length;
  }
  return true;
}

}  // namespace steward::segment::internal

namespace steward::segment {

std::string_view FieldName(Field field) {
  for (const auto& [name, value] : internal::kFields) {
    if (value == field) return name;
  }
  return "?";
}

std::string_view FunctionName(Function function) {
  for (const auto& [name, value] : internal::kFunctions) {
    if (value == function) return name;
  }
  return "?";
}

std::string_view CompareOpText(CompareOp op) {
  for (const auto& [text, value] : internal::kOps) {
    if (value == op) return text;
  }
  return "?";
}

}  // namespace steward::segment
