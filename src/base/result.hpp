// Result<T>: how every domain and storage function reports an expected failure.
//
// Expected failures (bad input, not found, conflict, a database refusing a statement) are values,
// never exceptions. Only http/ maps an ErrorCode to an HTTP status, in one place. Exceptions are
// for bugs and fatal start-up errors. Thread-safety: plain values, no shared state.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace steward {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong; details say which field
  kNotFound,            // the thing named does not exist (or is outside the caller's scope)
  kAlreadyExists,       // a unique key is taken
  kConflict,            // a stale version, or a state that forbids the change
  kFailedPrecondition,  // the system is not in a state where this can run (e.g. not migrated)
  kUnauthenticated,     // no valid session or token: log in first
  kPermissionDenied,    // the caller may not do this
  kUnavailable,         // a dependency (database, peer) did not answer; retrying may help
  kResourceExhausted,   // the caller sent too many requests (e.g. failed sign-ins); wait and retry
  kDataLoss,            // stored data is corrupt or cannot be decrypted
  kInternal,            // a bug or an unexpected engine error
};

const char* ErrorCodeName(ErrorCode code);

// One detail of an error: which field (or row/column) and what is wrong with it.
struct ErrorDetail {
  std::string field;
  std::string code;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<ErrorDetail> details;

  // "invalid_argument: message" (never contains personal data by convention of the callers).
  std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message,
                                  std::vector<ErrorDetail> details = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(details)});
}

inline Status Ok() { return {}; }

}  // namespace steward

// Propagates an error from an expression returning Result/Status, e.g.
//   STEWARD_TRY(db.Exec("..."));
#define STEWARD_TRY(expr)                                            \
  do {                                                               \
    auto steward_try_result_ = (expr);                               \
    if (!steward_try_result_) {                                      \
      return tl::unexpected(std::move(steward_try_result_).error()); \
    }                                                                \
  } while (false)

#define STEWARD_CONCAT_INNER_(a, b) a##b
#define STEWARD_CONCAT_(a, b) STEWARD_CONCAT_INNER_(a, b)

// Assigns the value of a Result to `lhs` or returns its error, e.g.
//   STEWARD_ASSIGN_OR_RETURN(auto rows, conn.Query(...));
#define STEWARD_ASSIGN_OR_RETURN(lhs, expr) \
  STEWARD_ASSIGN_OR_RETURN_IMPL_(STEWARD_CONCAT_(steward_result_, __LINE__), lhs, expr)
#define STEWARD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)     \
  auto tmp = (expr);                                       \
  if (!tmp) return tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
