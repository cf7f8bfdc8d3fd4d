#include "auth/permission.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace steward::auth {
namespace {

bool WellFormed(std::string_view code) {
  // domain:resource:action, or domain:action for the few two-part ones (place:view, stats:view).
  int colons = 0;
  bool part_empty = true;
  for (const char c : code) {
    if (c == ':') {
      if (part_empty) return false;
      ++colons;
      part_empty = true;
    } else if ((c >= 'a' && c <= 'z') || c == '_') {
      part_empty = false;
    } else {
      return false;
    }
  }
  return !part_empty && (colons == 1 || colons == 2);
}

TEST(PermissionCatalogueTest, CodesAreUniqueWellFormedAndNamed) {
  std::set<std::string_view> codes;
  for (const auto& permission : PermissionCatalogue()) {
    EXPECT_TRUE(WellFormed(permission.code)) << permission.code;
    EXPECT_TRUE(codes.insert(permission.code).second) << "duplicate " << permission.code;
    EXPECT_FALSE(permission.name_zh.empty()) << permission.code;
    EXPECT_FALSE(permission.name_en.empty()) << permission.code;
    EXPECT_TRUE(IsKnownPermission(permission.code));
  }
  EXPECT_EQ(codes.size(), 25u);
  EXPECT_FALSE(IsKnownPermission("registry:resident:fly"));
}

TEST(PermissionCatalogueTest, BuiltinRolesUseOnlyCataloguedPermissions) {
  std::set<std::string_view> roles;
  for (const auto& role : BuiltinRoles()) {
    EXPECT_TRUE(roles.insert(role.code).second) << role.code;
    std::set<std::string_view> permissions;
    for (const auto permission : role.permissions) {
      EXPECT_TRUE(IsKnownPermission(permission)) << role.code << " " << permission;
      EXPECT_TRUE(permissions.insert(permission).second) << role.code << " " << permission;
    }
    EXPECT_FALSE(permissions.empty()) << role.code;
    EXPECT_EQ(FindBuiltinRole(role.code), &role);
  }
  EXPECT_EQ(roles, (std::set<std::string_view>{"city_admin", "street_admin", "community_admin",
                                               "social_worker", "grid_worker", "building_leader",
                                               "auditor"}));
  EXPECT_EQ(FindBuiltinRole("nobody"), nullptr);
}

TEST(PermissionCatalogueTest, CityAdminHoldsEverythingAndLowerRolesLess) {
  const BuiltinRole* city = FindBuiltinRole(role::kCityAdmin);
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->permissions.size(), PermissionCatalogue().size());
  const auto has = [](std::string_view role_code, std::string_view permission) {
    const BuiltinRole* role = FindBuiltinRole(role_code);
    for (const auto held : role->permissions) {
      if (held == permission) return true;
    }
    return false;
  };
  // Only the city admin exports unmasked data or edits roles.
  for (const auto& role : BuiltinRoles()) {
    if (role.code == role::kCityAdmin) continue;
    EXPECT_FALSE(has(role.code, permission::kExportUnmasked)) << role.code;
    EXPECT_FALSE(has(role.code, permission::kRoleEdit)) << role.code;
  }
  EXPECT_FALSE(has(role::kGridWorker, permission::kSensitiveView));
  EXPECT_FALSE(has(role::kGridWorker, permission::kPiiUnmask));
  EXPECT_TRUE(has(role::kGridWorker, permission::kResidentEdit));
  EXPECT_FALSE(has(role::kBuildingLeader, permission::kResidentEdit));
  EXPECT_TRUE(has(role::kAuditor, permission::kAuditView));
  EXPECT_FALSE(has(role::kAuditor, permission::kResidentView));
}

}  // namespace
}  // namespace steward::auth
