#include "http/internal/api_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace steward::http::internal {
namespace {

TEST(ApiErrorTest, EveryCodeHasOneStatus) {
  const std::pair<ErrorCode, int> kTable[] = {
      {ErrorCode::kInvalidArgument, 400},    {ErrorCode::kUnauthenticated, 401},
      {ErrorCode::kPermissionDenied, 403},   {ErrorCode::kNotFound, 404},
      {ErrorCode::kAlreadyExists, 409},      {ErrorCode::kConflict, 409},
      {ErrorCode::kFailedPrecondition, 409}, {ErrorCode::kUnavailable, 503},
      {ErrorCode::kResourceExhausted, 429},  {ErrorCode::kDataLoss, 500},
      {ErrorCode::kInternal, 500},
  };
  for (const auto& [code, status] : kTable) EXPECT_EQ(HttpStatusFor(code), status);
}

TEST(ApiErrorTest, TooManyRequestsSayWhenToRetry) {
  Error error{ErrorCode::kResourceExhausted,
              "登录失败次数过多 / too many failed sign-ins",
              {{"retry_after_seconds", "auth.throttled", "120"}}};
  Response response = ErrorResponse(error, Language::kEnglish);
  EXPECT_EQ(response.status, 429);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>("Retry-After", "120")));
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "resource_exhausted");
}

TEST(ApiErrorTest, TheMessageIsInTheAskedLanguage) {
  Error error{ErrorCode::kNotFound,
              "未找到居民 / resident not found",
              {{"id", "not_found", "没有这个编号 / no such id"}, {"x", "y", "只有中文"}}};
  auto zh = nlohmann::json::parse(ErrorResponse(error, Language::kChinese).body);
  EXPECT_EQ(zh["error"]["code"], "not_found");
  EXPECT_EQ(zh["error"]["message"], "未找到居民");
  EXPECT_EQ(zh["error"]["details"][0]["message"], "没有这个编号");
  EXPECT_EQ(zh["error"]["details"][1]["message"], "只有中文");
  auto en = nlohmann::json::parse(ErrorResponse(error, Language::kEnglish).body);
  EXPECT_EQ(en["error"]["message"], "resident not found");
  EXPECT_EQ(en["error"]["details"][0]["field"], "id");
  EXPECT_EQ(en["error"]["details"][0]["message"], "no such id");
}

TEST(ApiErrorTest, InternalErrorsHideTheirCause) {
  Error error{ErrorCode::kInternal, "duplicate key value in resident_phone", {{"a", "b", "c"}}};
  Response response = ErrorResponse(error, Language::kEnglish);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("resident_phone"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["message"], "internal error");
}

}  // namespace
}  // namespace steward::http::internal
