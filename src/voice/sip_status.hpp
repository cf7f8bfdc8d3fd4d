// How a dialled call that was never answered ended, from the SIP final response (RFC 3261 §21)
// or the lack of one. The phone line reports it; app/ maps it one to one onto campaign's
// FailureCause (docs/channel.md), which decides the outcome and whether to retry.
// The table is tests/cases/sip_status.tsv. Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace steward::voice {

enum class CallEnd {
  kNoAnswer,       // ring timeout (our CANCEL, 487), 408, 480
  kBusy,           // 486, 600
  kDeclined,       // 603
  kInvalidNumber,  // 404, 410, 484, 604
  kNetwork,        // 5xx, redirects we do not follow, other refusals, transport errors, no response
};

// The end of a call whose INVITE got final response `status` (300..699).
CallEnd CallEndForStatus(int status);

// Stable names for logs and tests: no_answer, busy, declined, invalid_number, network.
std::string_view CallEndName(CallEnd end);

}  // namespace steward::voice
