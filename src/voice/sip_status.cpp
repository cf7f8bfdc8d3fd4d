#include "voice/sip_status.hpp"

namespace steward::voice {

CallEnd CallEndForStatus(int status) {
  switch (status) {
    case 408:  // Request Timeout: nobody picked up in the far end's time
    case 480:  // Temporarily Unavailable: switched off, out of coverage
    case 487:  // Request Terminated: our CANCEL at the ring timeout
      return CallEnd::kNoAnswer;
    case 486:  // Busy Here
    case 600:  // Busy Everywhere
      return CallEnd::kBusy;
    case 603:  // Decline
      return CallEnd::kDeclined;
    case 404:  // Not Found
    case 410:  // Gone
    case 484:  // Address Incomplete
    case 604:  // Does Not Exist Anywhere
      return CallEnd::kInvalidNumber;
    default:
      // 5xx are the trunk's trouble; other 4xx/6xx (403, 488 …) and 3xx refuse this attempt
      // without saying anything about the resident: try again later.
      return CallEnd::kNetwork;
  }
}

std::string_view CallEndName(CallEnd end) {
  switch (end) {
    case CallEnd::kNoAnswer:
      return "no_answer";
    case CallEnd::kBusy:
      return "busy";
    case CallEnd::kDeclined:
      return "declined";
    case CallEnd::kInvalidNumber:
      return "invalid_number";
    case CallEnd::kNetwork:
      return "network";
  }
  return "network";
}

}  // namespace steward::voice
