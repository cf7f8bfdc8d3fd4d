#include "registry/phone.hpp"

namespace steward::registry {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool IsSeparator(char c) { return IsAsciiSpace(c) || c == '-' || c == '.' || c == '(' || c == ')'; }

// Maps the full-width forms U+FF01..U+FF5E to ASCII, the ideographic and no-break spaces to ' ' and
// the Unicode dashes U+2010..U+2015 to '-'; other bytes are copied (and later rejected).
std::string FoldWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto b1 = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    const auto b2 = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
    if (b0 == 0xEF && b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {  // U+FF01..U+FF3F
      out += static_cast<char>(b2 - 0x81 + 0x21);
      i += 2;
    } else if (b0 == 0xEF && b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {  // U+FF40..U+FF5E
      out += static_cast<char>(b2 - 0x80 + 0x60);
      i += 2;
    } else if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) {  // U+3000 ideographic space
      out += ' ';
      i += 2;
    } else if (b0 == 0xE2 && b1 == 0x80 && b2 >= 0x90 && b2 <= 0x95) {  // U+2010..U+2015 dashes
      out += '-';
      i += 2;
    } else if (b0 == 0xC2 && b1 == 0xA0) {  // U+00A0 no-break space
      out += ' ';
      i += 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

tl::unexpected<Error> PhoneFail(std::string_view code, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, message,
              {ErrorDetail{"phone", std::string(code), message}});
}

tl::unexpected<Error> FormatFail(std::string message) {
  return PhoneFail("phone.format", std::move(message));
}

Result<PhoneInfo> Mobile(const std::string& digits) {
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3') {
    return FormatFail("手机号码格式不正确，应为以13-19开头的11位数字");
  }
  return PhoneInfo{digits, PhoneKind::kMobile};
}

// `digits` starts with the trunk prefix '0'.
Result<PhoneInfo> Landline(const std::string& digits) {
  if (digits.size() < 2) return FormatFail("固定电话格式不正确");
  size_t area_length = 0;
  if (digits[1] == '1') {
    area_length = digits.size() >= 3 && digits[2] == '0' ? 3 : 0;  // 010 is the only 01x
  } else if (digits[1] == '2') {
    area_length = 3;
  } else if (digits[1] >= '3') {
    area_length = 4;
  }
  if (area_length == 0 || digits.size() <= area_length) {
    return FormatFail("固定电话区号不正确");
  }
  const std::string subscriber = digits.substr(area_length);
  if (subscriber.size() < 7 || subscriber.size() > 8 || subscriber[0] == '0') {
    return FormatFail("固定电话号码格式不正确，区号后应为7-8位号码");
  }
  return PhoneInfo{digits.substr(0, area_length) + "-" + subscriber, PhoneKind::kLandline};
}

}  // namespace

Result<PhoneInfo> NormalizePhone(std::string_view text) {
  const std::string folded = FoldWidth(text);
  std::string digits;
  bool has_plus = false;
  bool has_content = false;
  for (char c : folded) {
    if (IsDigit(c)) {
      digits += c;
    } else if (c == '+' && !has_plus && digits.empty()) {
      has_plus = true;
    } else if (!IsSeparator(c)) {
      return PhoneFail("phone.characters", "电话号码含有非法字符，只能包含数字、空格、-、+和括号");
    }
    has_content = has_content || !IsAsciiSpace(c);
  }
  if (!has_content) return PhoneFail("phone.empty", "电话号码为空");
  if (digits.empty()) return FormatFail("电话号码格式不正确");

  // International forms drop the trunk '0' of a landline: "+86 578 7123456". A bare "86" prefix
  // is only recognised before a mobile; "86..." could otherwise be part of a local number.
  std::string national;
  bool international = false;
  if (has_plus) {
    if (digits.rfind("86", 0) != 0) return FormatFail("仅支持中国大陆的电话号码");
    national = digits.substr(2);
    international = true;
  } else if (digits.rfind("0086", 0) == 0) {
    national = digits.substr(4);
    international = true;
  } else if (digits.size() == 13 && digits.rfind("861", 0) == 0) {
    national = digits.substr(2);
  } else {
    national = digits;
  }
  if (national.empty()) return FormatFail("电话号码格式不正确");

  if (national[0] == '0') return Landline(national);  // also tolerates "+86 (0)578 ..."
  // Beijing's area code 10 is the one that starts like a mobile: "+86 10 12345678".
  const bool beijing = national.size() >= 2 && national[0] == '1' && national[1] == '0';
  if (international && (national[0] != '1' || beijing)) return Landline("0" + national);
  if (national[0] == '1') return Mobile(national);
  if (national.size() == 7 || national.size() == 8) {
    return FormatFail("固定电话缺少区号，请按“区号-号码”填写，如0578-7123456");
  }
  return FormatFail("电话号码格式不正确");
}

std::string MaskPhone(const PhoneInfo& phone) {
  const std::string& number = phone.normalized;
  if (phone.kind == PhoneKind::kMobile) {
    if (number.size() != 11) return std::string(number.size(), '*');
    return number.substr(0, 3) + "****" + number.substr(7);
  }
  const size_t dash = number.find('-');
  const size_t subscriber_start = dash == std::string::npos ? 0 : dash + 1;
  const size_t subscriber_length = number.size() - subscriber_start;
  const size_t starred = subscriber_length > 4 ? subscriber_length - 4 : subscriber_length;
  std::string masked = number;
  masked.replace(subscriber_start, starred, starred, '*');
  return masked;
}

}  // namespace steward::registry
