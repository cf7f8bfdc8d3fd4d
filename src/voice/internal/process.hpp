// Runs a helper program (espeak-ng) as a separate process: the text goes in on stdin, never on
// the command line (other users can read command lines, and prompts carry names), and its stdout
// comes back. Thread-safe: each call spawns and reaps its own child.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace steward::voice::internal {

// Runs `argv` (argv[0] looked up on PATH) with `input` on stdin and returns its stdout. Fails
// with kUnavailable when the program cannot be started, exits non-zero (its stderr's first line
// in the message) or takes longer than `timeout` (then it is killed).
Result<std::string> RunProcess(const std::vector<std::string>& argv, const std::string& input,
                               std::chrono::milliseconds timeout);

}  // namespace steward::voice::internal
