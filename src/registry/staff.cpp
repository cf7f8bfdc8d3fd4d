#include "registry/staff.hpp"

#include "registry/phone.hpp"

namespace steward::registry {
namespace {

struct RoleInfo {
  std::string_view code;
  const char* label;
  const char* unit_kind;  // the unit kind the role belongs to
};
constexpr RoleInfo kRoles[] = {
    {"grid_leader", "网格长", "grid"},
    {"grid_worker", "专职网格员", "grid"},
    {"grid_instructor", "网格指导员", "grid"},
    {"building_leader", "楼栋长", "micro_grid"},
};

const RoleInfo* FindRole(std::string_view code) {
  for (const auto& role : kRoles) {
    if (role.code == code) return &role;
  }
  return nullptr;
}

Error Invalid(std::string field, std::string code, std::string message) {
  return Error{
      ErrorCode::kInvalidArgument, message, {{std::move(field), std::move(code), message}}};
}

}  // namespace

bool IsStaffRole(std::string_view role) { return FindRole(role) != nullptr; }

const char* StaffRoleLabel(std::string_view role) {
  const RoleInfo* info = FindRole(role);
  return info ? info->label : "";
}

Result<Staff> StaffStore::Assign(storage::WriteTransaction& transaction, const NewStaff& spec) {
  storage::Connection& connection = transaction.connection();
  const RoleInfo* role = FindRole(spec.role);
  if (role == nullptr) {
    return tl::unexpected(Invalid("role", "staff.role_unknown",
                                  "岗位应为网格长、专职网格员、网格指导员或楼栋长 / grid_leader, "
                                  "grid_worker, grid_instructor or building_leader"));
  }
  if (spec.name.empty()) {
    return tl::unexpected(Invalid("name", "required", "姓名必填 / a name is required"));
  }
  STEWARD_ASSIGN_OR_RETURN(
      auto unit, connection.Query("SELECT kind, path FROM org_unit WHERE id = ?", {spec.unit_id}));
  if (unit.empty()) return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
  if (unit.Text(0, 0) != role->unit_kind) {
    return tl::unexpected(
        Invalid("role", "staff.wrong_level",
                std::string(role->label) + "应设在" +
                    (std::string_view(role->unit_kind) == "grid" ? "网格" : "微网格") +
                    " / this role belongs to a " + role->unit_kind));
  }
  if (spec.role == "building_leader") {
    if (!spec.building_id) {
      return tl::unexpected(
          Invalid("building_id", "required", "楼栋长须指定楼栋 / which building?"));
    }
    STEWARD_ASSIGN_OR_RETURN(
        auto building,
        connection.QueryInt("SELECT unit_id FROM building WHERE id = ?", {*spec.building_id}));
    if (!building || *building != spec.unit_id) {
      return tl::unexpected(
          Invalid("building_id", "staff.building_elsewhere",
                  "该楼栋不在这个微网格 / the building is not in this micro-grid"));
    }
  }
  std::optional<PhoneInfo> phone;
  if (spec.phone && !spec.phone->empty()) {
    auto normalized = NormalizePhone(*spec.phone);
    if (!normalized) {
      return tl::unexpected(
          Invalid("phone", "phone.invalid", "电话号码格式有误 / not a phone number"));
    }
    phone = *normalized;
  }
  Staff staff;
  staff.id = ids_.Next();
  staff.unit_id = spec.unit_id;
  staff.role = spec.role;
  staff.name = spec.name;
  staff.user_id = spec.user_id;
  staff.building_id = spec.building_id;
  staff.valid_from = clock_.Today().ToString();
  staff.version = 1;
  std::optional<std::string> sealed;
  if (phone) {
    sealed = vault_.Seal("phone", phone->normalized);
    staff.phone_masked = MaskPhone(*phone);
  }
  const int64_t now = clock_.NowMillis();
  STEWARD_TRY(connection.Execute(
      "INSERT INTO unit_staff (id, unit_id, role, name, user_id, building_id, phone_sealed, "
      "phone_masked, valid_from, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
      "?, 1, ?, ?)",
      {staff.id, staff.unit_id, staff.role, staff.name, storage::OrNull(staff.user_id),
       storage::OrNull(staff.building_id), storage::OrNull(sealed),
       storage::OrNull(staff.phone_masked), staff.valid_from, now, now}));
  nlohmann::json fields = {{"unit_id", staff.unit_id}, {"role", staff.role}, {"name", staff.name}};
  if (sealed) fields["phone"] = *sealed;
  transaction.RecordChange({"unit_staff", staff.id, 1, storage::ChangeOp::kCreate, fields});
  return staff;
}

Result<std::vector<Staff>> StaffStore::List(storage::Connection& connection, Id unit_id) {
  std::vector<Staff> staff;
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT id, unit_id, role, name, user_id, building_id, "
                                  "phone_masked, valid_from, version FROM unit_staff WHERE "
                                  "unit_id = ? AND valid_to IS NULL ORDER BY role, name, id",
                                  {unit_id}));
  for (size_t i = 0; i < rows.size(); ++i) {
    staff.push_back(Staff{rows.Int(i, 0), rows.Int(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                          rows.OptInt(i, 4), rows.OptInt(i, 5), rows.OptText(i, 6), rows.Text(i, 7),
                          rows.Int(i, 8)});
  }
  return staff;
}

Status StaffStore::End(storage::WriteTransaction& transaction, Id unit_id, Id staff_id) {
  const std::string today = clock_.Today().ToString();
  STEWARD_ASSIGN_OR_RETURN(auto version,
                           transaction.connection().QueryInt(
                               "SELECT version FROM unit_staff WHERE id = ? AND unit_id = ? AND "
                               "valid_to IS NULL",
                               {staff_id, unit_id}));
  if (!version)
    return Fail(ErrorCode::kNotFound, "没有这个在岗人员 / no such current staff member");
  STEWARD_TRY(transaction.connection().Execute(
      "UPDATE unit_staff SET valid_to = ?, version = version + 1, updated_at = ? WHERE id = ?",
      {today, clock_.NowMillis(), staff_id}));
  transaction.RecordChange({"unit_staff",
                            staff_id,
                            *version + 1,
                            storage::ChangeOp::kUpdate,
                            {{"valid_to", {{"old", nullptr}, {"new", today}}}}});
  return Ok();
}

}  // namespace steward::registry
