// The script library on both engines: a save makes the next version of a name and keeps the old
// ones; a script with validator errors or a built-in template's name is refused and nothing is
// stored; FindScript prefers the library's latest version to a built-in template.
#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "campaign/script_library.hpp"
#include "campaign/templates.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using campaign::SavedScript;
using campaign::Script;
using campaign::ScriptLibrary;

class ScriptLibraryTest : public ::testing::TestWithParam<storage::Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
  }

  Result<SavedScript> Save(const Script& script) {
    SavedScript saved;
    STEWARD_TRY(database_->Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
      STEWARD_ASSIGN_OR_RETURN(saved, library_.Save(transaction, script));
      return Ok();
    }));
    return saved;
  }

  template <typename F>
  auto Read(F f) {
    return database_->Read([&](storage::Connection& connection) { return f(connection); });
  }

  // A copy of a built-in template under a name of the community's own.
  static Script Copy(const std::string& name, const std::string& title) {
    Script script = *campaign::BuiltInScript("policy_notice");
    script.name = name;
    script.title = title;
    return script;
  }

  FakeClock clock_{1796601600000};
  std::unique_ptr<storage::Database> database_;
  storage::WriteContext context_{"user:7", storage::Source::kConsole};
  ScriptLibrary library_{clock_};
};

TEST_P(ScriptLibraryTest, EachSaveIsTheNextVersionAndTheOldOnesStay) {
  auto first = Save(Copy("water_notice", "停水通知"));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(first->created_by, "user:7");
  clock_.Advance(60'000);
  auto second = Save(Copy("water_notice", "停水通知（第二版）"));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->version, 2);
  ASSERT_TRUE(Save(Copy("gas_notice", "燃气检查通知")));

  auto latest = Read([](auto& c) { return ScriptLibrary::Get(c, "water_notice"); });
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->script.title, "停水通知（第二版）");
  EXPECT_EQ(latest->script.nodes.size(), Copy("x", "y").nodes.size());  // the whole script kept
  auto old = Read([](auto& c) { return ScriptLibrary::Get(c, "water_notice", 1); });
  ASSERT_TRUE(old);
  EXPECT_EQ(old->script.title, "停水通知");
  EXPECT_EQ(old->created_at, 1796601600000);

  auto versions = Read([](auto& c) { return ScriptLibrary::Versions(c, "water_notice"); });
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 2);
  auto listed = Read([](auto& c) { return ScriptLibrary::List(c); });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "gas_notice");
  EXPECT_EQ((*listed)[1].name, "water_notice");
  EXPECT_EQ((*listed)[1].version, 2);
  auto missing = Read([](auto& c) { return ScriptLibrary::Get(c, "water_notice", 3); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(ScriptLibraryTest, AScriptWithErrorsOrABuiltInNameIsRefusedAndNothingStored) {
  Script broken = Copy("broken_notice", "有错误的话术");
  broken.nodes.front().next = "no_such_node";
  auto refused = Save(broken);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(refused.error().details.empty());
  EXPECT_EQ(refused.error().details.front().field, broken.nodes.front().id);

  auto taken = Save(*campaign::BuiltInScript("health_checkin"));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);

  auto listed = Read([](auto& c) { return ScriptLibrary::List(c); });
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(ScriptLibraryTest, FindScriptPrefersTheLibraryThenTheTemplates) {
  auto built_in = Read([](auto& c) { return campaign::FindScript(c, "health_checkin"); });
  ASSERT_TRUE(built_in);
  EXPECT_TRUE(built_in->built_in());
  ASSERT_TRUE(Save(Copy("water_notice", "停水通知")));
  ASSERT_TRUE(Save(Copy("water_notice", "停水通知 v2")));
  auto saved = Read([](auto& c) { return campaign::FindScript(c, "water_notice"); });
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->version, 2);
  EXPECT_EQ(saved->script.title, "停水通知 v2");
  auto unknown = Read([](auto& c) { return campaign::FindScript(c, "nothing_here"); });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, ScriptLibraryTest,
                         ::testing::ValuesIn(testing::EnginesUnderTest()), testing::EngineTestName);

}  // namespace
}  // namespace steward
