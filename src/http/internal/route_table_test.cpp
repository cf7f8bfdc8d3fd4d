#include "http/internal/route_table.hpp"

#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace steward::http::internal {
namespace {

Request MakeRequest(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.target = path;
  request.path = std::move(path);
  return request;
}

Handler Answer(std::string body) {
  return [body](const Request&) { return Response{.body = body}; };
}

TEST(RouteTableTest, ExactMethodAndPathPickTheHandler) {
  RouteTable table;
  table.Add("GET", "/a", Answer("get a"));
  table.Add("POST", "/a", Answer("post a"));
  table.Add("GET", "/b", Answer("get b"));
  EXPECT_EQ(table.Dispatch(MakeRequest("GET", "/a")).body, "get a");
  EXPECT_EQ(table.Dispatch(MakeRequest("POST", "/a")).body, "post a");
  EXPECT_EQ(table.Dispatch(MakeRequest("GET", "/b")).body, "get b");
  EXPECT_EQ(table.Dispatch(MakeRequest("GET", "/a/")).status, 404);
}

TEST(RouteTableTest, HeadFallsBackToGetUnlessItHasItsOwnRoute) {
  RouteTable table;
  table.Add("GET", "/a", Answer("get a"));
  EXPECT_EQ(table.Dispatch(MakeRequest("HEAD", "/a")).body, "get a");
  table.Add("HEAD", "/a", Answer("head a"));
  EXPECT_EQ(table.Dispatch(MakeRequest("HEAD", "/a")).body, "head a");
}

TEST(RouteTableTest, WrongMethodIs405ListingTheAllowedOnes) {
  RouteTable table;
  table.Add("POST", "/a", Answer(""));
  table.Add("GET", "/a", Answer(""));
  Response response = table.Dispatch(MakeRequest("DELETE", "/a"));
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, POST, HEAD");
}

TEST(RouteTableTest, ThrowingOrNonsenseHandlersGive500) {
  RouteTable table;
  table.Add("GET", "/throws", [](const Request&) -> Response { throw std::runtime_error("x"); });
  table.Add("GET", "/int", [](const Request&) -> Response { throw 42; });
  table.Add("GET", "/status", [](const Request&) { return Response{.status = 1000}; });
  for (const char* path : {"/throws", "/int", "/status"}) {
    Response response = table.Dispatch(MakeRequest("GET", path));
    EXPECT_EQ(response.status, 500) << path;
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "internal");
  }
}

TEST(RouteTableTest, NotFoundEchoesThePathEvenWhenItIsNotUtf8) {
  RouteTable table;
  Response response = table.Dispatch(MakeRequest("GET", "/bad\xff"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "未找到 / not found: /bad\xEF\xBF\xBD");
}

}  // namespace
}  // namespace steward::http::internal
