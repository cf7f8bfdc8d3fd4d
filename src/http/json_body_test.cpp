#include "http/json_body.hpp"

#include <gtest/gtest.h>

namespace steward::http {
namespace {

constexpr FieldSpec kFields[] = {
    {"name", FieldType::kString, true, false, 5},
    {"birth_date", FieldType::kString, false, true, 10},
    {"household_id", FieldType::kInteger, false, true},
    {"tags", FieldType::kStringArray, false, false, 5},
    {"active", FieldType::kBoolean},
    {"lat", FieldType::kNumber, false, true, 0, -90, 90},
    {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, 12},  // may nest deeper
};

struct Case {
  const char* body;
  const char* field;  // of the first problem; nullptr: accepted
  const char* code;
};

// Each body against kFields: accepted, or refused naming the field and the problem.
constexpr Case kCases[] = {
    {R"({"name":"叶建国"})", nullptr, nullptr},
    {R"({"name":"五个字名字","birth_date":null,"household_id":null,"tags":[],"active":false})",
     nullptr, nullptr},
    {R"({"name":"O'Br"})", nullptr, nullptr},  // quotes are text, not SQL
    {R"({"name":"<b>"})", nullptr, nullptr},   // markup is text, escaped on the way out
    {R"({"name":"六个字的名字"})", "name", "too_long"},
    {R"({})", "name", "required"},
    {R"({"name":1})", "name", "type"},
    {R"({"name":null})", "name", "type"},
    {R"({"name":"a","household_id":"12"})", "household_id", "type"},
    {R"({"name":"a","household_id":1.5})", "household_id", "type"},
    {R"({"name":"a","tags":["ok",3]})", "tags", "type"},
    {R"({"name":"a","tags":["toolong"]})", "tags", "too_long"},
    {R"({"name":"a","active":"yes"})", "active", "type"},
    {R"({"name":"a","lat":28.07})", nullptr, nullptr},
    {R"({"name":"a","lat":-90})", nullptr, nullptr},
    {R"({"name":"a","lat":95})", "lat", "range"},
    {R"({"name":"a","lat":"north"})", "lat", "type"},
    {R"({"name":"a","admin":true})", "admin", "unknown_field"},
    {R"({"name":"a\u0001"})", "name", "control_characters"},
    {R"({"name":"a")", "", "json"},
    {R"([{"name":"a"}])", "", "json"},
    {"{\"name\":\"\xff\"}", "", "json"},  // not UTF-8
    {R"({"name":"a","tags":[[[[[[[[[["x"]]]]]]]]]]})", "tags", "json"},
    {R"({"name":"a","tree":{"a":[[[[[[[[["x"]]]]]]]]]}})", nullptr, nullptr},
    {R"({"name":"a","tree":{"a":[[[[[[[[[[[[["x"]]]]]]]]]]]]]}})", "tree", "json"},
    {"", "", "json"},
};

TEST(JsonBodyTest, BodiesAreAcceptedOrRefusedWithTheirFieldAndCode) {
  for (const Case& c : kCases) {
    auto parsed = ParseJsonBody(c.body, kFields);
    if (c.field == nullptr) {
      EXPECT_TRUE(parsed) << c.body << ": " << parsed.error().ToString();
      continue;
    }
    ASSERT_FALSE(parsed) << c.body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    ASSERT_FALSE(parsed.error().details.empty()) << c.body;
    EXPECT_EQ(parsed.error().details[0].field, c.field) << c.body;
    EXPECT_EQ(parsed.error().details[0].code, c.code) << c.body;
    EXPECT_NE(parsed.error().details[0].message.find(" / "), std::string::npos);
  }
}

TEST(JsonBodyTest, EveryProblemIsListedNotJustTheFirst) {
  auto parsed = ParseJsonBody(R"({"x":1,"y":2,"active":3})", kFields);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().details.size(), 4u);  // x, y unknown; name required; active type
}

}  // namespace
}  // namespace steward::http
