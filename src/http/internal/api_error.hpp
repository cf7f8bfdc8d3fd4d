// The API's errors: domain ErrorCodes mapped to HTTP statuses (the one place that does it), and
// messages in the caller's language.
//
// Domain messages are written "中文 / English" by convention; the response carries the half the
// request's Accept-Language asks for (Chinese by default). Details keep their field and code and
// get the same treatment. Body:
// {"error":{"code","message","details":[{"field","code","message"}]}}. A 429 whose detail has the
// field "retry_after_seconds" also carries it as a Retry-After header. Threads: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "http/server.hpp"

namespace steward::http::internal {

int HttpStatusFor(ErrorCode code);

// The Chinese or English half of "中文 / English" (the whole text when it has no " / ").
std::string LocalizedMessage(std::string_view message, Language language);

Response ErrorResponse(const Error& error, Language language);

}  // namespace steward::http::internal
