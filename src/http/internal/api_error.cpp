#include "http/internal/api_error.hpp"

#include <nlohmann/json.hpp>

namespace steward::http::internal {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string LocalizedMessage(std::string_view message, Language language) {
  const size_t split = message.find(" / ");
  if (split == std::string_view::npos) return std::string(message);
  return std::string(language == Language::kEnglish ? message.substr(split + 3)
                                                    : message.substr(0, split));
}

Response ErrorResponse(const Error& error, Language language) {
  const int status = HttpStatusFor(error.code);
  // Internal failures say nothing of their cause to the client (it may name tables or values).
  const std::string message = status == 500
                                  ? LocalizedMessage("内部错误 / internal error", language)
                                  : LocalizedMessage(error.message, language);
  nlohmann::json details = nlohmann::json::array();
  if (status != 500) {
    for (const auto& detail : error.details) {
      details.push_back({{"field", detail.field},
                         {"code", detail.code},
                         {"message", LocalizedMessage(detail.message, language)}});
    }
  }
  nlohmann::json body = {
      {"error", {{"code", ErrorCodeName(error.code)}, {"message", message}, {"details", details}}}};
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (status == 429) {
    for (const auto& detail : error.details) {
      if (detail.field == "retry_after_seconds") {
        response.headers.emplace_back("Retry-After", detail.message);
      }
    }
  }
  return response;
}

}  // namespace steward::http::internal
