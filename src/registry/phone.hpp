// Phone numbers of residents: normalising mainland mobile and landline numbers, and masking them.
//
// Pure functions over values; no state, so any thread may call them. Input is what people type or
// what a spreadsheet import hands over: full-width digits and plus sign, spaces, dashes, dots,
// parentheses, a +86 / 0086 / 86 country prefix. A successful NormalizePhone returns one canonical
// form per number, so two spellings of the same number compare equal:
//   mobile   = 11 ASCII digits, "1[3-9]xxxxxxxxx"            e.g. "13812345678"
//   landline = "AREA-SUBSCRIBER", area "010"/"02x"/"0xxx", subscriber 7-8 digits not starting
//              with 0                                          e.g. "0578-7123456", "010-12345678"
// Failures are kInvalidArgument with one detail on field "phone" whose code (phone.empty,
// phone.characters, phone.format) is the stable contract; messages are Chinese for import reports.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace steward::registry {

enum class PhoneKind { kMobile, kLandline };

struct PhoneInfo {
  std::string normalized;  // the canonical form above
  PhoneKind kind = PhoneKind::kMobile;
};

// Only mainland numbers are accepted: a foreign country code, a landline without its area code
// (we cannot know the area) and an extension are all phone.format.
Result<PhoneInfo> NormalizePhone(std::string_view text);

// For display and logs: mobile "138****5678"; landline "0578-***3456" (area code kept, all but the
// last 4 subscriber digits starred). Expects the output of NormalizePhone.
std::string MaskPhone(const PhoneInfo& phone);

}  // namespace steward::registry
