// Citizen ID numbers (身份证号, GB 11643-1999): normalising, checking and masking.
//
// Pure functions over values; no state, so any thread may call them. The input is what people type
// or what a spreadsheet import hands over: full-width digits, stray spaces, a lowercase x, a legacy
// 15-digit number, or a number Excel has already mangled into "3.31181E+17". CheckIdNumber either
// returns an IdNumberInfo whose `normalized` is always 18 ASCII characters with a valid check
// character (uppercase 'X'), or an kInvalidArgument error with exactly one detail on field
// "id_number". The detail's `code` ("id_number.checksum", ...) is the stable contract; the messages
// are Chinese because they reach import reports read by office staff. Birth dates are judged
// against the `today` the caller passes, never the wall clock.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace steward::registry {

enum class Gender { kMale, kFemale };

// "male" / "female".
const char* GenderCode(Gender gender);

// Accepts male/female, 男/女, m/f (ASCII case-insensitive, surrounding ASCII spaces ignored), and
// the national standard codes 1 (male) / 2 (female). Returns false and leaves *out alone otherwise.
bool ParseGender(std::string_view text, Gender* out);

// The GB 11643-1999 MOD 11-2 check character ('0'-'9' or 'X') of the first 17 digits.
// Precondition: `first17` is exactly 17 ASCII digits (asserted).
char IdNumberCheckChar(std::string_view first17);

struct IdNumberInfo {
  std::string normalized;   // 18 characters, digits and a possible trailing uppercase 'X'
  std::string region_code;  // the first 6 digits (division code of the place of first issue)
  Date birth_date;
  Gender gender = Gender::kMale;      // from the parity of the 17th digit
  bool upgraded_from_15 = false;      // the input was a legacy 15-digit number
  std::vector<std::string> warnings;  // stable codes, e.g. "id_number.unknown_region"
};

// Checks and normalises `text`. Error detail codes: id_number.empty, id_number.scientific_notation,
// id_number.characters, id_number.length, id_number.birth_date (impossible, after `today`, or
// before 1880-01-01), id_number.checksum. A region code for which `region_known` returns false is
// only a warning ("id_number.unknown_region"): retired division codes still appear on real cards.
// Without a callback no region warning is produced.
Result<IdNumberInfo> CheckIdNumber(
    std::string_view text, Date today,
    const std::function<bool(std::string_view region6)>& region_known = {});

// Compares what a form or spreadsheet states against the ID number. An absent statement is not
// checked. The error (kInvalidArgument) carries one detail per mismatch, field "id_number", codes
// id_number.birth_date_mismatch / id_number.gender_mismatch.
Status CrossCheckIdNumber(const IdNumberInfo& info, std::optional<Date> stated_birth_date,
                          std::optional<Gender> stated_gender);

// For display and logs: "3311**********123X" for an 18-character number; for any other length all
// but the first 2 and last 2 characters are starred (everything, when that would reveal it all).
std::string MaskIdNumber(std::string_view normalized18);

}  // namespace steward::registry
