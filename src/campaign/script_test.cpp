// Scripts: the built-in templates, JSON round trips, and what CheckScript finds
// (tests/cases/script_check.tsv).
#include "campaign/script.hpp"

#include <gtest/gtest.h>

#include <set>

#include "campaign/script_check.hpp"
#include "campaign/templates.hpp"
#include "tests/cases/table.hpp"

namespace steward::campaign {
namespace {

TEST(ScriptTest, EveryTemplateParsesAndPassesTheCheckerWithoutWarnings) {
  const auto& scripts = BuiltInScripts();
  std::set<std::string> names;
  for (const auto& script : scripts) names.insert(script.name);
  EXPECT_EQ(names,
            (std::set<std::string>{"committee_election", "health_check_invite", "health_checkin",
                                   "policy_notice", "residence_check", "contact_update"}));
  for (const auto& script : scripts) {
    SCOPED_TRACE(script.name);
    for (const auto& finding : CheckScript(script)) {
      ADD_FAILURE() << finding.node_id << " " << finding.code << ": " << finding.message;
    }
    EXPECT_FALSE(script.title.empty());
    EXPECT_EQ(script.opt_out_key, '*');
  }
}

TEST(ScriptTest, JsonRoundTripKeepsEveryNode) {
  for (const auto& script : BuiltInScripts()) {
    SCOPED_TRACE(script.name);
    const nlohmann::json once = ScriptToJson(script);
    auto again = ParseScript(once);
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_EQ(ScriptToJson(*again), once);
    EXPECT_EQ(again->nodes.size(), script.nodes.size());
  }
}

TEST(ScriptTest, BuiltInScriptByName) {
  auto found = BuiltInScript("residence_check");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "人户状态核实");
  auto missing = BuiltInScript("no_such_script");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ScriptTest, NotJsonIsOneClearError) {
  auto parsed = ParseScriptText("{\"name\": ");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(parsed.error().details.size(), 1u);
  EXPECT_EQ(parsed.error().details[0].code, "json");
}

TEST(ScriptCheckTest, Table) {
  const auto rows =
      testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/script_check.tsv", {"expect", "script"});
  ASSERT_GT(rows.size(), 20u);
  for (const auto& row : rows) {
    SCOPED_TRACE("script_check.tsv line " + std::to_string(row.line));
    const std::string& expect = row.cells[0];
    auto script = ParseScriptText(row.cells[1]);
    if (expect.rfind("parse:", 0) == 0) {
      ASSERT_FALSE(script) << "parsed, but expected " << expect;
      std::set<std::string> fields;
      for (const auto& detail : script.error().details) fields.insert(detail.field);
      EXPECT_EQ(fields.count(expect.substr(6)), 1u) << "fields: " << nlohmann::json(fields).dump();
      continue;
    }
    ASSERT_TRUE(script) << script.error().ToString() << " "
                        << (script.error().details.empty() ? "" : script.error().details[0].field);
    std::set<std::string> codes;
    for (const auto& finding : CheckScript(*script)) {
      codes.insert((finding.severity == Severity::kError ? "error:" : "warning:") + finding.code);
    }
    std::string joined;
    for (const auto& code : codes) joined += (joined.empty() ? "" : ",") + code;
    EXPECT_EQ(joined.empty() ? "-" : joined, expect);
  }
}

}  // namespace
}  // namespace steward::campaign
