// What the benchmark programs share: stop with a message naming the program, and unwrap a Result
// (or a Status) or stop.
#pragma once

#include <cerrno>  // program_invocation_short_name (GNU)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "base/result.hpp"

namespace steward::bench {

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> result, const char* what) {
  if (!result) Die(std::string(what) + ": " + result.error().ToString());
  return std::move(*result);
}

inline void Must(Status status, const char* what) {
  if (!status) Die(std::string(what) + ": " + status.error().ToString());
}

}  // namespace steward::bench
