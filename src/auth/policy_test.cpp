#include "auth/policy.hpp"

#include <gtest/gtest.h>

#include "auth/permission.hpp"

namespace steward::auth {
namespace {

using Membership = Principal::Membership;

std::string Param(const storage::Value& value) { return std::get<std::string>(value); }

TEST(DataScopeTest, EmptyScopeContainsNothingAndMatchesNoRow) {
  const DataScope scope;
  EXPECT_TRUE(scope.empty());
  EXPECT_FALSE(scope.Contains("/1/"));
  const auto sql = scope.Sql("u.path");
  EXPECT_EQ(sql.sql, "(1 = 0)");
  EXPECT_TRUE(sql.params.empty());
}

TEST(DataScopeTest, SqlIsOneByteRangePerTopMostUnit) {
  // /1/2/ covers /1/2/5/, which is dropped; /1/3/ stays; a duplicate is dropped.
  const DataScope scope({{5, "/1/2/5/"}, {3, "/1/3/"}, {2, "/1/2/"}, {2, "/1/2/"}});
  ASSERT_EQ(scope.roots().size(), 2u);
  EXPECT_EQ(scope.roots()[0].id, 2);
  EXPECT_EQ(scope.roots()[1].id, 3);
  const auto sql = scope.Sql("u.path");
  EXPECT_EQ(sql.sql, "((u.path >= ? AND u.path < ?) OR (u.path >= ? AND u.path < ?))");
  ASSERT_EQ(sql.params.size(), 4u);
  EXPECT_EQ(Param(sql.params[0]), "/1/2/");
  EXPECT_EQ(Param(sql.params[1]), "/1/20");
  EXPECT_EQ(Param(sql.params[2]), "/1/3/");
  EXPECT_EQ(Param(sql.params[3]), "/1/30");
  ASSERT_EQ(scope.ranges().size(), 2u);
  EXPECT_EQ(scope.ranges()[0].low, "/1/2/");
  EXPECT_EQ(scope.ranges()[0].high, "/1/20");
}

TEST(DataScopeTest, ContainsTheUnitsAndEverythingBelowOnly) {
  const DataScope scope({{2, "/1/2/"}, {7, "/1/7/9/"}});
  EXPECT_TRUE(scope.Contains("/1/2/"));
  EXPECT_TRUE(scope.Contains("/1/2/5/"));
  EXPECT_TRUE(scope.Contains("/1/2/5/6/"));
  EXPECT_TRUE(scope.Contains("/1/7/9/"));
  EXPECT_TRUE(scope.Contains("/1/7/9/10/"));
  EXPECT_FALSE(scope.Contains("/1/"));     // the parent
  EXPECT_FALSE(scope.Contains("/1/25/"));  // a sibling whose id starts with the same digits
  EXPECT_FALSE(scope.Contains("/1/7/"));
  EXPECT_FALSE(scope.Contains("/1/7/90/"));
  EXPECT_FALSE(scope.Contains("/1/3/"));
  EXPECT_FALSE(scope.Contains(""));
}

TEST(DataScopeTest, TheCityCoversEverything) {
  const DataScope scope({{1, "/1/"}, {2, "/1/2/"}});
  ASSERT_EQ(scope.roots().size(), 1u);
  EXPECT_TRUE(scope.Contains("/1/2/3/4/5/"));
  EXPECT_FALSE(scope.Contains("/10/"));
}

TEST(PrincipalTest, CaptureImpliesViewImpliesSearch) {
  const Principal principal(
      7, "wang", "王", {std::string(permission::kResidentView), "stats:view", "stats:view"},
      {Membership{ScopeKind::kCapture, {3, "/1/2/3/"}}, Membership{ScopeKind::kView, {2, "/1/2/"}},
       Membership{ScopeKind::kSearch, {1, "/1/"}}});
  EXPECT_TRUE(principal.Can(permission::kResidentView));
  EXPECT_TRUE(principal.Can("stats:view"));
  EXPECT_FALSE(principal.Can(permission::kResidentEdit));
  EXPECT_EQ(principal.permissions().size(), 2u);

  EXPECT_TRUE(principal.Scope(ScopeKind::kCapture).Contains("/1/2/3/4/"));
  EXPECT_FALSE(principal.Scope(ScopeKind::kCapture).Contains("/1/2/8/"));
  EXPECT_TRUE(principal.Scope(ScopeKind::kView).Contains("/1/2/8/"));
  EXPECT_TRUE(principal.Scope(ScopeKind::kView).Contains("/1/2/3/4/"));
  EXPECT_FALSE(principal.Scope(ScopeKind::kView).Contains("/1/5/"));
  EXPECT_TRUE(principal.Scope(ScopeKind::kSearch).Contains("/1/5/"));

  EXPECT_EQ(AccessTo(principal, "/1/2/3/4/"), RecordAccess::kCapture);
  EXPECT_EQ(AccessTo(principal, "/1/2/8/"), RecordAccess::kView);
  EXPECT_EQ(AccessTo(principal, "/1/5/"), RecordAccess::kSearchOnly);
  EXPECT_EQ(AccessTo(principal, "/9/"), RecordAccess::kNone);
  EXPECT_EQ(principal.ScopeSql(ScopeKind::kView, "p").params.size(), 2u);
}

TEST(MaskingTest, FieldsFollowAccessPermissionsAndGrants) {
  const Principal worker(1, "grid", "", {std::string(permission::kResidentView)},
                         {Membership{ScopeKind::kCapture, {3, "/1/3/"}}});
  const Principal social(
      2, "social", "",
      {std::string(permission::kResidentView), std::string(permission::kSensitiveView),
       std::string(permission::kPiiUnmask)},
      {Membership{ScopeKind::kView, {3, "/1/3/"}}});

  const auto none = FieldsFor(social, RecordAccess::kNone, true);
  EXPECT_FALSE(none.details || none.plain_id_number || none.plain_phones || none.sensitive_tags);
  // Search-only: the name, masked fields and the unit; never unmasked, even with a grant.
  const auto search = FieldsFor(social, RecordAccess::kSearchOnly, true);
  EXPECT_FALSE(search.details || search.plain_id_number || search.sensitive_tags);

  const auto worker_view = FieldsFor(worker, RecordAccess::kCapture, true);
  EXPECT_TRUE(worker_view.details);
  EXPECT_FALSE(worker_view.sensitive_tags);
  EXPECT_FALSE(worker_view.plain_id_number);  // a grant without the permission counts for nothing

  const auto masked = FieldsFor(social, RecordAccess::kView, false);
  EXPECT_TRUE(masked.details && masked.sensitive_tags);
  EXPECT_FALSE(masked.plain_id_number || masked.plain_phones);
  const auto unmasked = FieldsFor(social, RecordAccess::kView, true);
  EXPECT_TRUE(unmasked.plain_id_number && unmasked.plain_phones);

  const std::vector<std::string> tags{"lives_alone", "disabled", "veteran", "key_group"};
  const std::vector<std::string> sensitive{"disabled", "key_group", "pregnant"};
  EXPECT_EQ(VisibleTags(tags, sensitive, worker_view),
            (std::vector<std::string>{"lives_alone", "veteran"}));
  EXPECT_EQ(VisibleTags(tags, sensitive, masked), tags);
  EXPECT_TRUE(VisibleTags(tags, sensitive, search).empty());
}

TEST(ScopeKindTest, NamesRoundTrip) {
  for (const ScopeKind kind : {ScopeKind::kCapture, ScopeKind::kView, ScopeKind::kSearch}) {
    ScopeKind parsed = ScopeKind::kCapture;
    ASSERT_TRUE(ParseScopeKind(ScopeKindName(kind), &parsed));
    EXPECT_EQ(parsed, kind);
  }
  ScopeKind parsed;
  EXPECT_FALSE(ParseScopeKind("edit", &parsed));
}

}  // namespace
}  // namespace steward::auth
