// Logging: spdlog behind two calls, so the sink and format are chosen in one place (app/).
//
// Personal data (ID numbers, phones, names with addresses) is never passed to a log call; log ids
// and counts instead. Thread-safety: spdlog's default logger is thread-safe.
#pragma once

#include <spdlog/spdlog.h>

namespace steward {

enum class LogFormat { kText, kJson };

// Sends logs to stderr; `level` is one of trace, debug, info, warn, error.
void InitLogging(const std::string& level, LogFormat format);

}  // namespace steward
