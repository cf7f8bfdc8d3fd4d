#include "registry/id_number.hpp"

#include <algorithm>
#include <cassert>

namespace steward::registry {
namespace {

constexpr Date kEarliestBirthDate{1880, 1, 1};
constexpr std::string_view kField = "id_number";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Maps the full-width forms U+FF01..U+FF5E to their ASCII twins and the ideographic space U+3000
// and no-break space U+00A0 to ' '; other bytes are copied. Spreadsheets typed with a Chinese input
// method are full of these.
std::string FoldWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 == 0xEF && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {  // U+FF01..U+FF3F
        out += static_cast<char>(b2 - 0x81 + 0x21);
        i += 2;
        continue;
      }
      if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {  // U+FF40..U+FF5E
        out += static_cast<char>(b2 - 0x80 + 0x60);
        i += 2;
        continue;
      }
    }
    if (b0 == 0xE3 && i + 2 < text.size() && text[i + 1] == '\x80' && text[i + 2] == '\x80') {
      out += ' ';
      i += 2;
      continue;
    }
    if (b0 == 0xC2 && i + 1 < text.size() && text[i + 1] == '\xA0') {
      out += ' ';
      i += 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string_view TrimAscii(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

// True for what a spreadsheet shows after it has taken an ID number for a number:
// "3.31181E+17", "3.31181199001011E+17", "3.31181e17", "331181199001011000.0". The digits lost
// cannot be recovered, so the message tells the user how to export the column as text.
bool LooksLikeSpreadsheetNumber(std::string_view text) {
  size_t i = 0;
  size_t mantissa_digits = 0;
  bool has_point = false;
  bool has_exponent = false;
  while (i < text.size() && IsDigit(text[i])) ++i, ++mantissa_digits;
  if (i < text.size() && text[i] == '.') {
    has_point = true;
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && IsDigit(text[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
    has_exponent = true;
  }
  return i == text.size() && (has_point || has_exponent);
}

tl::unexpected<Error> IdFail(std::string_view code, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, message,
              {ErrorDetail{std::string(kField), std::string(code), message}});
}

int Digits(std::string_view text, size_t from, size_t count) {
  int value = 0;
  for (size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// Splits UTF-8 into code points (a malformed byte counts as one), so masking never cuts a
// character in half.
std::vector<std::string_view> CodePoints(std::string_view text) {
  std::vector<std::string_view> points;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    length = std::min(length, text.size() - i);
    points.push_back(text.substr(i, length));
    i += length;
  }
  return points;
}

std::string KeepEnds(const std::vector<std::string_view>& points, size_t head, size_t tail) {
  std::string out;
  for (size_t i = 0; i < points.size(); ++i) {
    if (i < head || i + tail >= points.size()) {
      out += points[i];
    } else {
      out += '*';
    }
  }
  return out;
}

}  // namespace

const char* GenderCode(Gender gender) {
  switch (gender) {
    case Gender::kMale:
      return "male";
    case Gender::kFemale:
      return "female";
  }
  return "male";
}

bool ParseGender(std::string_view text, Gender* out) {
  text = TrimAscii(text);
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "male" || lower == "m" || lower == "1" || lower == "男") {
    *out = Gender::kMale;
    return true;
  }
  if (lower == "female" || lower == "f" || lower == "2" || lower == "女") {
    *out = Gender::kFemale;
    return true;
  }
  return false;
}

char IdNumberCheckChar(std::string_view first17) {
  assert(first17.size() == 17);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheckChars[] = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    assert(IsDigit(first17[i]));
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[sum % 11];
}

Result<IdNumberInfo> CheckIdNumber(std::string_view text, Date today,
                                   const std::function<bool(std::string_view)>& region_known) {
  const std::string folded = FoldWidth(text);
  std::string number(TrimAscii(folded));
  if (number.empty()) return IdFail("id_number.empty", "身份证号为空");
  if (LooksLikeSpreadsheetNumber(number)) {
    return IdFail("id_number.scientific_notation",
                  "身份证号已被表格软件转换为数字（科学计数法），末尾数字已丢失；"
                  "请将该列设置为文本格式后重新填写");
  }
  if (number.back() == 'x') number.back() = 'X';
  for (size_t i = 0; i < number.size(); ++i) {
    const bool check_position = i + 1 == number.size() && number.size() == 18;
    if (!IsDigit(number[i]) && !(check_position && number[i] == 'X')) {
      return IdFail("id_number.characters", "身份证号含有非法字符，只能是数字，末位可以是X");
    }
  }
  if (number.size() != 18 && number.size() != 15) {
    return IdFail("id_number.length", "身份证号位数不对，应为18位（旧证15位）");
  }

  IdNumberInfo info;
  if (number.size() == 15) {
    number = number.substr(0, 6) + "19" + number.substr(6);
    number += IdNumberCheckChar(number);
    info.upgraded_from_15 = true;
  }

  const int year = Digits(number, 6, 4);
  const int month = Digits(number, 10, 2);
  const int day = Digits(number, 12, 2);
  if (!Date::IsValid(year, month, day)) {
    return IdFail("id_number.birth_date", "身份证号中的出生日期不存在");
  }
  info.birth_date = Date{year, month, day};
  if (info.birth_date > today) {
    return IdFail("id_number.birth_date", "身份证号中的出生日期晚于今天");
  }
  if (info.birth_date < kEarliestBirthDate) {
    return IdFail("id_number.birth_date", "身份证号中的出生日期早于1880年");
  }
  if (!info.upgraded_from_15 &&
      IdNumberCheckChar(std::string_view(number).substr(0, 17)) != number[17]) {
    return IdFail("id_number.checksum", "身份证号校验位错误，请核对号码是否抄错");
  }

  info.region_code = number.substr(0, 6);
  info.gender = (number[16] - '0') % 2 == 1 ? Gender::kMale : Gender::kFemale;
  if (region_known && !region_known(info.region_code)) {
    info.warnings.push_back("id_number.unknown_region");
  }
  info.normalized = std::move(number);
  return info;
}

Status CrossCheckIdNumber(const IdNumberInfo& info, std::optional<Date> stated_birth_date,
                          std::optional<Gender> stated_gender) {
  std::vector<ErrorDetail> details;
  if (stated_birth_date && *stated_birth_date != info.birth_date) {
    details.push_back(ErrorDetail{std::string(kField), "id_number.birth_date_mismatch",
                                  "填写的出生日期与身份证号不一致"});
  }
  if (stated_gender && *stated_gender != info.gender) {
    details.push_back(ErrorDetail{std::string(kField), "id_number.gender_mismatch",
                                  "填写的性别与身份证号不一致"});
  }
  if (details.empty()) return Ok();
  std::string message = details.size() == 1 ? details.front().message
                                            : std::string("填写的出生日期和性别均与身份证号不一致");
  return Fail(ErrorCode::kInvalidArgument, std::move(message), std::move(details));
}

std::string MaskIdNumber(std::string_view normalized18) {
  const std::vector<std::string_view> points = CodePoints(normalized18);
  if (points.size() == 18) return KeepEnds(points, 4, 4);
  if (points.size() > 4) return KeepEnds(points, 2, 2);
  return std::string(points.size(), '*');
}

}  // namespace steward::registry
