// The permission catalogue and the built-in roles: one table each, read by code, tests and the
// console (GET of the catalogue).
//
// A permission is a string "domain:resource:action" (STYLE.md: the same strings on server and
// console). A role is a set of them; built-in roles are created with their defaults by
// AccountStore::EnsureBuiltinRoles and admins may edit them afterwards. Permissions say what a
// user may do; the data scope (auth/policy.hpp) says on which records.
// Invariants (checked by permission_test): codes are unique, well-formed, and every built-in
// role's permission is in the catalogue. Thread-safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace steward::auth {

namespace permission {
inline constexpr std::string_view kResidentView = "registry:resident:view";
inline constexpr std::string_view kResidentEdit = "registry:resident:edit";
inline constexpr std::string_view kResidentCreate = "registry:resident:create";
inline constexpr std::string_view kResidentDelete = "registry:resident:delete";
inline constexpr std::string_view kSensitiveView = "registry:sensitive:view";
inline constexpr std::string_view kPiiUnmask = "registry:pii:unmask";
inline constexpr std::string_view kExportUnmasked = "registry:export:unmasked";
inline constexpr std::string_view kImportRun = "registry:import:run";
inline constexpr std::string_view kExportRun = "registry:export:run";
inline constexpr std::string_view kUnitView = "org:unit:view";
inline constexpr std::string_view kUnitEdit = "org:unit:edit";
inline constexpr std::string_view kStaffEdit = "org:staff:edit";
inline constexpr std::string_view kPlaceView = "place:view";
inline constexpr std::string_view kPlaceEdit = "place:edit";
inline constexpr std::string_view kUserView = "system:user:view";
inline constexpr std::string_view kUserEdit = "system:user:edit";
inline constexpr std::string_view kRoleEdit = "system:role:edit";
inline constexpr std::string_view kDictEdit = "system:dict:edit";
inline constexpr std::string_view kAuditView = "audit:log:view";
inline constexpr std::string_view kStatsView = "stats:view";
inline constexpr std::string_view kSegmentRun = "segment:query:run";
inline constexpr std::string_view kSegmentEdit = "segment:saved:edit";
inline constexpr std::string_view kCampaignView = "campaign:call:view";
inline constexpr std::string_view kCampaignRun = "campaign:call:run";
inline constexpr std::string_view kCampaignReview = "campaign:change:review";
}  // namespace permission

struct PermissionInfo {
  std::string_view code;
  std::string_view name_zh;
  std::string_view name_en;
};

struct BuiltinRole {
  std::string_view code;
  std::string_view name_zh;
  std::string_view name_en;
  std::span<const std::string_view> permissions;  // defaults, given once (see EnsureBuiltinRoles)
};

// Every permission the server knows, in display order.
std::span<const PermissionInfo> PermissionCatalogue();
bool IsKnownPermission(std::string_view code);

// city_admin, street_admin, community_admin, social_worker, grid_worker, building_leader, auditor.
std::span<const BuiltinRole> BuiltinRoles();
const BuiltinRole* FindBuiltinRole(std::string_view code);

namespace role {
inline constexpr std::string_view kCityAdmin = "city_admin";
inline constexpr std::string_view kStreetAdmin = "street_admin";
inline constexpr std::string_view kCommunityAdmin = "community_admin";
inline constexpr std::string_view kSocialWorker = "social_worker";
inline constexpr std::string_view kGridWorker = "grid_worker";
inline constexpr std::string_view kBuildingLeader = "building_leader";
inline constexpr std::string_view kAuditor = "auditor";
}  // namespace role

}  // namespace steward::auth
