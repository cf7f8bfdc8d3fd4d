// The outcome of one call attempt and what a campaign does next because of it.
//
// Every targeted resident of a campaign ends with exactly one final outcome; the attempts before it
// carry outcomes too. The phone line (voice/) reports how a call ended as a ChannelEvent; the
// dialogue engine (CallSession) turns that and what was said into one Outcome. The names
// (`OutcomeName`) are stored in the database and shown in ledgers: they never change.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace steward::campaign {

enum class Outcome {
  // The far end answered.
  kAnsweredCompleted,    // the script reached a hang-up or transfer node
  kAnsweredPartial,      // answered, then hung up (or gave no usable input) before the end
  kHungUpDuringOpening,  // hung up while the opening (who calls, that it is recorded) played
  kOptedOut,             // pressed the opt-out key: never called again by any campaign
  // The far end did not answer.
  kNoAnswer,         // rang until the ring timeout
  kBusy,             // 486 Busy Here, or the network said busy
  kDeclined,         // 603 Decline: the person rejected the call
  kInvalidNumber,    // 404/484/604: the number does not exist
  kFailedRetryable,  // the network or trunk failed (5xx, timeout): try again later
  // Never dialled (decided by the campaign before a call is placed).
  kNoPhone,          // the resident has no callable phone
  kOnDoNotCallList,  // on the do-not-call list (opted out earlier)
  kCapped,           // the per-resident cap across campaigns was reached for the whole campaign
  kDuplicatePhone,   // the phone belongs to an earlier targeted resident, called once for both
  kCancelled,        // the campaign was cancelled before this resident's call ended
  kExpired,          // the round or the campaign ended before the resident was reached
};

// The stable snake_case name, e.g. "answered_completed".
std::string_view OutcomeName(Outcome outcome);
// How ledgers and the console say it: 已完成, 无人接听, 占线 …
std::string_view OutcomeLabel(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view name);

enum class RetryRule {
  kFinal,               // no further attempt
  kRetryAfterInterval,  // another attempt after the policy's interval, while attempts remain
};

// How the retry policy treats an attempt that ended so: no answer, busy, a network failure and a
// hang-up during the opening are tried again after an interval (never at once: a busy or declining
// person is not redialled immediately); everything else is final.
RetryRule RetryFor(Outcome outcome);

// True for outcomes decided without placing a call.
bool IsNeverDialled(Outcome outcome);

// True when the far end picked up.
bool IsAnswered(Outcome outcome);

}  // namespace steward::campaign
