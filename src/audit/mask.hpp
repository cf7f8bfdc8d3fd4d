// MaskForAudit: free text (a list request's query string, a search box) made safe to keep in the
// audit log, which never holds an ID number or a phone number in plain form.
//
// Digits may be ASCII or full-width (０-９). A "run" is a maximal sequence of digits; masking
// replaces each hidden digit by one '*' and keeps everything else byte for byte:
//   ID number   a run of 18 digits whose digits 7-14 are a    3311**********123X
//               date in 1880-2099, or 17 digits and X/x
//               a run of 15 digits (first-generation card)   3311*******1234
//   mobile      a run of 11 digits starting with 1           138****5678
//               the same after 86 / 0086 in one run          86138****5678
//               3-4-4 groups joined by ' ', '-' or '.'       138 **** 5678
//               3 digits, ')' or one of those, 8 digits      (138)****5678
//   landline    a run of 10-12 digits starting with 0        057****3456
//               0 + 2-3 digits, '-', 7-8 digits              0578-***3456
// Other digits (counts, dates) stay as they are. Record ids (base/id.hpp) are 18 digits until
// about 2031 and 19 after; the date test lets all but about 1 in 1,400 of them through, while every
// real ID number is masked (its checksum is not tested, so a mistyped one is masked too). Callers
// still put record ids in AuditEntry::target or structured detail fields, not through this
// function. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace steward::audit {

std::string MaskForAudit(std::string_view text);

}  // namespace steward::audit
