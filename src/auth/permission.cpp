#include "auth/permission.hpp"

#include <array>

namespace steward::auth {
namespace {

namespace p = permission;

constexpr std::array kCatalogue = {
    PermissionInfo{p::kResidentView, "查看居民", "view residents"},
    PermissionInfo{p::kResidentEdit, "修改居民", "edit residents"},
    PermissionInfo{p::kResidentCreate, "新增居民", "add residents"},
    PermissionInfo{p::kResidentDelete, "删除居民", "delete residents"},
    PermissionInfo{p::kSensitiveView, "查看敏感标签", "see sensitive tags"},
    PermissionInfo{p::kPiiUnmask, "查看完整身份证号和电话", "unmask ID numbers and phones"},
    PermissionInfo{p::kExportUnmasked, "导出不脱敏数据", "export unmasked data"},
    PermissionInfo{p::kImportRun, "导入居民", "import residents"},
    PermissionInfo{p::kExportRun, "导出居民", "export residents"},
    PermissionInfo{p::kUnitView, "查看组织", "view org units"},
    PermissionInfo{p::kUnitEdit, "修改组织", "edit org units"},
    PermissionInfo{p::kStaffEdit, "管理网格人员", "edit staff assignments"},
    PermissionInfo{p::kPlaceView, "查看小区楼栋", "view places"},
    PermissionInfo{p::kPlaceEdit, "修改小区楼栋", "edit places"},
    PermissionInfo{p::kUserView, "查看账号", "view users"},
    PermissionInfo{p::kUserEdit, "管理账号", "edit users"},
    PermissionInfo{p::kRoleEdit, "管理角色", "edit roles"},
    PermissionInfo{p::kDictEdit, "管理字典", "edit dictionaries"},
    PermissionInfo{p::kAuditView, "查看审计日志", "view the audit log"},
    PermissionInfo{p::kStatsView, "查看统计", "view figures"},
    PermissionInfo{p::kSegmentRun, "人群圈选", "run segment queries"},
    PermissionInfo{p::kSegmentEdit, "保存和修改人群", "save and edit segments"},
    PermissionInfo{p::kCampaignView, "查看外呼任务和台账", "view campaigns and ledgers"},
    PermissionInfo{p::kCampaignRun, "发起和管理外呼任务", "start and control campaigns"},
    PermissionInfo{p::kCampaignReview, "审核通话变更和上门任务",
                   "review call changes and door-visit tasks"},
};

constexpr std::array kCityAdmin = {
    p::kResidentView,   p::kResidentEdit, p::kResidentCreate, p::kResidentDelete,
    p::kSensitiveView,  p::kPiiUnmask,    p::kExportUnmasked, p::kImportRun,
    p::kExportRun,      p::kUnitView,     p::kUnitEdit,       p::kStaffEdit,
    p::kPlaceView,      p::kPlaceEdit,    p::kUserView,       p::kUserEdit,
    p::kRoleEdit,       p::kDictEdit,     p::kAuditView,      p::kStatsView,
    p::kSegmentRun,     p::kSegmentEdit,  p::kCampaignView,   p::kCampaignRun,
    p::kCampaignReview,
};
constexpr std::array kStreetAdmin = {
    p::kResidentView,   p::kResidentEdit, p::kResidentCreate, p::kResidentDelete, p::kSensitiveView,
    p::kPiiUnmask,      p::kImportRun,    p::kExportRun,      p::kUnitView,       p::kUnitEdit,
    p::kStaffEdit,      p::kPlaceView,    p::kPlaceEdit,      p::kUserView,       p::kUserEdit,
    p::kStatsView,      p::kSegmentRun,   p::kSegmentEdit,    p::kCampaignView,   p::kCampaignRun,
    p::kCampaignReview,
};
constexpr std::array kCommunityAdmin = {
    p::kResidentView, p::kResidentEdit, p::kResidentCreate, p::kResidentDelete, p::kSensitiveView,
    p::kPiiUnmask,    p::kImportRun,    p::kExportRun,      p::kUnitView,       p::kStaffEdit,
    p::kPlaceView,    p::kPlaceEdit,    p::kUserView,       p::kUserEdit,       p::kStatsView,
    p::kSegmentRun,   p::kSegmentEdit,  p::kCampaignView,   p::kCampaignRun,    p::kCampaignReview,
};
constexpr std::array kSocialWorker = {
    p::kResidentView, p::kResidentEdit, p::kResidentCreate, p::kSensitiveView, p::kPiiUnmask,
    p::kExportRun,    p::kUnitView,     p::kPlaceView,      p::kPlaceEdit,     p::kStatsView,
    p::kSegmentRun,   p::kSegmentEdit,  p::kCampaignView,   p::kCampaignRun,   p::kCampaignReview,
};
constexpr std::array kGridWorker = {
    p::kResidentView, p::kResidentEdit, p::kResidentCreate, p::kUnitView,     p::kPlaceView,
    p::kPlaceEdit,    p::kStatsView,    p::kSegmentRun,     p::kCampaignView, p::kCampaignReview,
};
constexpr std::array kBuildingLeader = {p::kResidentView, p::kUnitView, p::kPlaceView};
constexpr std::array kAuditor = {p::kAuditView, p::kUserView, p::kUnitView, p::kStatsView};

constexpr std::array kRoles = {
    BuiltinRole{role::kCityAdmin, "市级管理员", "city administrator", kCityAdmin},
    BuiltinRole{role::kStreetAdmin, "街道管理员", "street administrator", kStreetAdmin},
    BuiltinRole{role::kCommunityAdmin, "社区管理员", "community administrator", kCommunityAdmin},
    BuiltinRole{role::kSocialWorker, "社工", "social worker", kSocialWorker},
    BuiltinRole{role::kGridWorker, "网格员", "grid worker", kGridWorker},
    BuiltinRole{role::kBuildingLeader, "楼栋长", "building leader", kBuildingLeader},
    BuiltinRole{role::kAuditor, "审计员", "auditor", kAuditor},
};

}  // namespace

std::span<const PermissionInfo> PermissionCatalogue() { return kCatalogue; }

bool IsKnownPermission(std::string_view code) {
  for (const auto& info : kCatalogue) {
    if (info.code == code) return true;
  }
  return false;
}

std::span<const BuiltinRole> BuiltinRoles() { return kRoles; }

const BuiltinRole* FindBuiltinRole(std::string_view code) {
  for (const auto& role : kRoles) {
    if (role.code == code) return &role;
  }
  return nullptr;
}

}  // namespace steward::auth
