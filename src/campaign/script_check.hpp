// CheckScript: what would go wrong in a call, found before any call is made. A script with an
// error is not saved; warnings are shown to its author.
//
// Errors: a missing start or node, duplicate ids, nodes no call can reach, an opening that can be
// interrupted or does not say the call is recorded, a question without keypad choices or with a
// spoken answer no key gives (scripts must work by keypad alone), the opt-out key used as a choice,
// a branch on a slot nothing sets or without a case for an answer its question can give, variables
// no call knows, bad patterns, loops with no way out, set/branch cycles that never speak.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "campaign/script.hpp"

namespace steward::campaign {

enum class Severity { kError, kWarning };

struct Finding {
  Severity severity = Severity::kError;
  std::string node_id;  // empty for the script as a whole
  std::string code;     // stable: "unreachable", "missing_branch", "undefined_variable", …
  std::string message;  // "中文 / English"
};

std::vector<Finding> CheckScript(const Script& script);

bool HasErrors(const std::vector<Finding>& findings);

}  // namespace steward::campaign
