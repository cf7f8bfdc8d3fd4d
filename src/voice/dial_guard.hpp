// Which numbers the phone line may dial where. Demo data must never ring a real phone: a number
// flagged as demo data (the caller says which; voice knows nothing of the registry) is dialled
// only to a loopback peer (a test SIPp or baresip). A test deployment can also restrict dialling
// to a list of number prefixes. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace steward::voice {

// Whether the SIP URI's host is this machine (127.0.0.0/8, ::1, localhost).
bool IsLoopbackUri(std::string_view uri);

// The URI a number is dialled at: `number` itself when it is a SIP URI, else `trunk_uri` with
// "{number}" replaced by it.
std::string DialUri(std::string_view number, std::string_view trunk_uri);

// Why `number` may not be dialled at `uri` (Chinese / English, without the number), or empty when
// it may.
std::string RefuseDial(std::string_view number, bool demo_number, std::string_view uri,
                       const std::vector<std::string>& allowed_prefixes);

}  // namespace steward::voice
