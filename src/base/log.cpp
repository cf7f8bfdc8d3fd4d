#include "base/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace steward {

void InitLogging(const std::string& level, LogFormat format) {
  auto logger = spdlog::stderr_color_mt("steward");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  if (format == LogFormat::kJson) {
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","message":"%v"})");
  } else {
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
}

}  // namespace steward
