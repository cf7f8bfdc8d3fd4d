#include "org/unit.hpp"

#include <cstdio>
#include <set>

namespace steward::org {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::RowView;
using storage::Value;
using storage::WriteTransaction;

constexpr std::string_view kUnitColumns =
    "id, parent_id, kind, subtype, division_code, name, official_name, path, depth, boundary, "
    "valid_from, valid_to, version";

// Valid on a date D: valid_from <= D < valid_to.
constexpr std::string_view kValidOn = " valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ";

Unit UnitFromRow(const RowView& row) {
  Unit unit;
  unit.id = row.Int(0);
  unit.parent_id = row.OptInt(1);
  ParseUnitKind(row.Text(2), &unit.kind);
  unit.subtype = row.Text(3);
  unit.division_code = row.Text(4);
  unit.name = row.Text(5);
  unit.official_name = row.Text(6);
  unit.path = row.Text(7);
  unit.depth = static_cast<int>(row.Int(8));
  unit.boundary = row.OptText(9);
  unit.valid_from = row.Text(10);
  unit.valid_to = row.OptText(11);
  unit.version = row.Int(12);
  return unit;
}

Result<std::vector<Unit>> QueryUnits(Connection& connection, const std::string& where,
                                     std::span<const Value> params) {
  std::vector<Unit> units;
  STEWARD_TRY(
      connection.QueryEach("SELECT " + std::string(kUnitColumns) + " FROM org_unit WHERE " + where,
                           params, [&](const RowView& row) { units.push_back(UnitFromRow(row)); }));
  return units;
}

nlohmann::json UnitFields(const Unit& unit) {
  return {{"parent_id", unit.parent_id ? nlohmann::json(*unit.parent_id) : nlohmann::json()},
          {"kind", UnitKindName(unit.kind)},
          {"subtype", unit.subtype},
          {"division_code", unit.division_code},
          {"name", unit.name},
          {"official_name", unit.official_name},
          {"valid_from", unit.valid_from}};
}

}  // namespace

const char* UnitKindName(UnitKind kind) {
  switch (kind) {
    case UnitKind::kCity:
      return "city";
    case UnitKind::kStreet:
      return "street";
    case UnitKind::kCommunity:
      return "community";
    case UnitKind::kGrid:
      return "grid";
    case UnitKind::kMicroGrid:
      return "micro_grid";
  }
  return "city";
}

bool ParseUnitKind(std::string_view text, UnitKind* kind) {
  for (UnitKind candidate : {UnitKind::kCity, UnitKind::kStreet, UnitKind::kCommunity,
                             UnitKind::kGrid, UnitKind::kMicroGrid}) {
    if (text == UnitKindName(candidate)) {
      *kind = candidate;
      return true;
    }
  }
  return false;
}

std::optional<UnitKind> ChildKind(UnitKind kind) {
  switch (kind) {
    case UnitKind::kCity:
      return UnitKind::kStreet;
    case UnitKind::kStreet:
      return UnitKind::kCommunity;
    case UnitKind::kCommunity:
      return UnitKind::kGrid;
    case UnitKind::kGrid:
      return UnitKind::kMicroGrid;
    case UnitKind::kMicroGrid:
      return std::nullopt;
  }
  return std::nullopt;
}

bool Unit::ValidOn(const Date& date) const {
  const std::string day = date.ToString();
  return valid_from <= day && (!valid_to || *valid_to > day);
}

std::string SubtreeUpperBound(std::string_view path) {
  std::string upper(path);
  if (!upper.empty()) upper.back() = '0';  // '0' follows '/' in byte order
  return upper;
}

Result<Unit> OrgStore::Create(WriteTransaction& transaction, const NewUnit& spec) {
  Connection& connection = transaction.connection();
  Unit unit;
  unit.id = ids_.Next();
  unit.parent_id = spec.parent_id;
  unit.kind = spec.kind;
  unit.subtype = spec.subtype;
  unit.name = spec.name;
  unit.official_name = spec.official_name.empty() ? spec.name : spec.official_name;
  unit.boundary = spec.boundary;
  unit.valid_from = spec.valid_from.ToString();
  unit.version = 1;
  if (spec.name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a unit needs a name", {{"name", "required", "必填"}});
  }
  if (spec.parent_id) {
    STEWARD_ASSIGN_OR_RETURN(Unit parent, Get(connection, *spec.parent_id));
    if (ChildKind(parent.kind) != spec.kind) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("a ") + UnitKindName(parent.kind) + " cannot hold a " +
                      UnitKindName(spec.kind),
                  {{"kind", "org.kind_mismatch", "上下级类型不符"}});
    }
    if (!parent.ValidOn(spec.valid_from)) {
      return Fail(ErrorCode::kFailedPrecondition, "the parent unit is not valid on that date",
                  {{"valid_from", "org.parent_not_valid", "上级单位在该日期无效"}});
    }
    unit.path = parent.path + std::to_string(unit.id) + "/";
    unit.depth = parent.depth + 1;
    unit.division_code = spec.division_code;
    if (unit.division_code.empty()) {
      if (spec.kind != UnitKind::kGrid && spec.kind != UnitKind::kMicroGrid) {
        return Fail(ErrorCode::kInvalidArgument, "streets and communities need a division code",
                    {{"division_code", "required", "必填"}});
      }
      STEWARD_ASSIGN_OR_RETURN(unit.division_code, NextChildCode(connection, parent));
    }
  } else {
    if (spec.kind != UnitKind::kCity) {
      return Fail(ErrorCode::kInvalidArgument, "only a city may have no parent");
    }
    unit.path = "/" + std::to_string(unit.id) + "/";
    unit.division_code = spec.division_code;
  }
  const int64_t now = clock_.NowMillis();
  STEWARD_TRY(connection.Execute(
      "INSERT INTO org_unit (id, parent_id, kind, subtype, division_code, name, official_name, "
      "path, depth, boundary, valid_from, valid_to, version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, ?)",
      {unit.id, storage::OrNull(unit.parent_id), UnitKindName(unit.kind), unit.subtype,
       unit.division_code, unit.name, unit.official_name, unit.path, int64_t{unit.depth},
       storage::OrNull(unit.boundary), unit.valid_from, now, now}));
  transaction.RecordChange(
      ChangeRecord{"org_unit", unit.id, unit.version, ChangeOp::kCreate, UnitFields(unit)});
  return unit;
}

Result<Unit> OrgStore::Get(Connection& connection, Id id) {
  const Value params[] = {id};
  STEWARD_ASSIGN_OR_RETURN(auto units, QueryUnits(connection, "id = ?", params));
  if (units.empty()) return Fail(ErrorCode::kNotFound, "no unit with id " + std::to_string(id));
  return units.front();
}

Result<Unit> OrgStore::FindByCode(Connection& connection, std::string_view code, const Date& on) {
  const std::string day = on.ToString();
  const Value params[] = {code, day, day};
  STEWARD_ASSIGN_OR_RETURN(
      auto units, QueryUnits(connection, "division_code = ? AND" + std::string(kValidOn), params));
  if (units.empty()) {
    return Fail(ErrorCode::kNotFound, "no unit with division code " + std::string(code));
  }
  return units.front();
}

Result<std::vector<Unit>> OrgStore::FindByName(Connection& connection, std::string_view name,
                                               const Date& on) {
  const std::string day = on.ToString();
  const Value params[] = {name, name, day, day};
  return QueryUnits(connection,
                    "(name = ? OR official_name = ?) AND" + std::string(kValidOn) + "ORDER BY path",
                    params);
}

Result<std::vector<Unit>> OrgStore::Subtree(Connection& connection, const Unit& root,
                                            const Date& on) {
  const std::string day = on.ToString();
  const std::string upper = SubtreeUpperBound(root.path);
  const Value params[] = {root.path, upper, day, day};
  return QueryUnits(connection,
                    "path >= ? AND path < ? AND" + std::string(kValidOn) + "ORDER BY path", params);
}

Result<std::vector<Unit>> OrgStore::Children(Connection& connection, Id parent, const Date& on) {
  const std::string day = on.ToString();
  const Value params[] = {parent, day, day};
  return QueryUnits(connection,
                    "parent_id = ? AND" + std::string(kValidOn) + "ORDER BY division_code, path",
                    params);
}

Result<UnitCounts> OrgStore::Count(Connection& connection, const Date& on,
                                   const std::optional<Unit>& root) {
  const std::string day = on.ToString();
  std::string sql = "SELECT kind, count(*) FROM org_unit WHERE" + std::string(kValidOn);
  std::vector<Value> params = {day, day};
  if (root) {
    sql += "AND path >= ? AND path < ? ";
    params.push_back(root->path);
    params.push_back(SubtreeUpperBound(root->path));
  }
  sql += "GROUP BY kind";
  UnitCounts counts;
  STEWARD_TRY(connection.QueryEach(sql, params, [&](const RowView& row) {
    UnitKind kind;
    if (!ParseUnitKind(row.Text(0), &kind)) return;
    const int64_t n = row.Int(1);
    switch (kind) {
      case UnitKind::kStreet:
        counts.streets = n;
        break;
      case UnitKind::kCommunity:
        counts.communities = n;
        break;
      case UnitKind::kGrid:
        counts.grids = n;
        break;
      case UnitKind::kMicroGrid:
        counts.micro_grids = n;
        break;
      case UnitKind::kCity:
        break;
    }
  }));
  return counts;
}

Result<std::vector<Id>> OrgStore::Predecessors(Connection& connection, Id unit) {
  std::vector<Id> ids;
  const Value params[] = {unit};
  STEWARD_TRY(connection.QueryEach(
      "SELECT predecessor_id FROM org_unit_link WHERE unit_id = ? ORDER BY predecessor_id", params,
      [&](const RowView& row) { ids.push_back(row.Int(0)); }));
  return ids;
}

Result<std::string> OrgStore::NextChildCode(Connection& connection, const Unit& parent) {
  // Derived codes are the parent's code plus three digits; retired children keep theirs, so
  // codes are never reused.
  const Value params[] = {parent.id};
  STEWARD_ASSIGN_OR_RETURN(
      auto rows,
      connection.Query("SELECT division_code FROM org_unit WHERE parent_id = ?", params));
  int highest = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& code = rows.Text(i, 0);
    if (code.size() == parent.division_code.size() + 3 && code.starts_with(parent.division_code)) {
      highest = std::max(highest, std::atoi(code.c_str() + parent.division_code.size()));
    }
  }
  if (highest >= 999) {
    return Fail(ErrorCode::kFailedPrecondition, "no free derived code below " + parent.name);
  }
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%03d", highest + 1);
  return parent.division_code + suffix;
}

Status OrgStore::Retire(WriteTransaction& transaction, const Unit& unit, const Date& effective) {
  const std::string day = effective.ToString();
  if (!unit.ValidOn(effective) || unit.valid_from >= day) {
    return Fail(ErrorCode::kFailedPrecondition,
                "unit " + unit.name + " is not valid before " + day + ", so it cannot end then",
                {{"effective", "org.bad_effective_date", "生效日期须晚于单位的起始日期"}});
  }
  STEWARD_TRY(transaction.connection().Execute(
      "UPDATE org_unit SET valid_to = ?, version = version + 1, updated_at = ? WHERE id = ?",
      {day, clock_.NowMillis(), unit.id}));
  transaction.RecordChange(ChangeRecord{"org_unit",
                                        unit.id,
                                        unit.version + 1,
                                        ChangeOp::kUpdate,
                                        {{"valid_to", {{"old", nullptr}, {"new", day}}}}});
  return Ok();
}

Result<Unit> OrgStore::CreateSuccessor(WriteTransaction& transaction, const Unit& old_unit,
                                       const Unit& new_parent, const Date& effective,
                                       std::string_view link_kind) {
  NewUnit spec;
  spec.parent_id = new_parent.id;
  spec.kind = old_unit.kind;
  spec.subtype = old_unit.subtype;
  spec.name = old_unit.name;
  spec.official_name = old_unit.official_name;
  spec.boundary = old_unit.boundary;
  spec.valid_from = effective;
  // Derived codes follow the new parent; national codes stay with the place.
  if (old_unit.kind != UnitKind::kGrid && old_unit.kind != UnitKind::kMicroGrid) {
    spec.division_code = old_unit.division_code;
  }
  STEWARD_ASSIGN_OR_RETURN(Unit successor, Create(transaction, spec));
  STEWARD_TRY(transaction.connection().Execute(
      "INSERT INTO org_unit_link (unit_id, predecessor_id, kind, effective) VALUES (?, ?, ?, ?)",
      {successor.id, old_unit.id, link_kind, effective.ToString()}));
  STEWARD_TRY(Retire(transaction, old_unit, effective));
  STEWARD_TRY(MoveAttachments(transaction, old_unit.id, successor.id));
  return successor;
}

Status OrgStore::CarryChildren(WriteTransaction& transaction, const Unit& old_unit,
                               const Unit& new_unit, const std::vector<Id>& children,
                               const Date& effective) {
  Connection& connection = transaction.connection();
  for (Id child_id : children) {
    STEWARD_ASSIGN_OR_RETURN(Unit child, Get(connection, child_id));
    if (child.parent_id != old_unit.id || !child.ValidOn(effective)) {
      return Fail(ErrorCode::kInvalidArgument, "unit " + std::to_string(child_id) +
                                                   " is not a current child of " + old_unit.name);
    }
    STEWARD_ASSIGN_OR_RETURN(Unit successor,
                             CreateSuccessor(transaction, child, new_unit, effective, "move"));
    STEWARD_ASSIGN_OR_RETURN(auto grandchildren, Children(connection, child.id, effective));
    std::vector<Id> grandchild_ids;
    for (const auto& grandchild : grandchildren) grandchild_ids.push_back(grandchild.id);
    STEWARD_TRY(CarryChildren(transaction, child, successor, grandchild_ids, effective));
  }
  return Ok();
}

Status OrgStore::MoveAttachments(WriteTransaction& transaction, Id from_unit, Id to_unit) {
  Connection& connection = transaction.connection();
  const int64_t now = clock_.NowMillis();
  // Buildings (micro-grids), complexes (communities) and residents counted under the unit.
  for (const char* table : {"building", "complex", "resident"}) {
    std::vector<std::pair<Id, int64_t>> moved;
    const Value select_params[] = {from_unit};
    STEWARD_TRY(connection.QueryEach(
        std::string("SELECT id, version FROM ") + table + " WHERE unit_id = ?", select_params,
        [&](const RowView& row) { moved.emplace_back(row.Int(0), row.Int(1)); }));
    if (moved.empty()) continue;
    STEWARD_TRY(connection.Execute(
        std::string("UPDATE ") + table +
            " SET unit_id = ?, version = version + 1, updated_at = ? WHERE unit_id = ?",
        {to_unit, now, from_unit}));
    for (const auto& [id, version] : moved) {
      transaction.RecordChange(ChangeRecord{table,
                                            id,
                                            version + 1,
                                            ChangeOp::kUpdate,
                                            {{"unit_id", {{"old", from_unit}, {"new", to_unit}}}}});
    }
  }
  return Ok();
}

Result<std::vector<Unit>> OrgStore::Split(WriteTransaction& transaction, Id unit_id,
                                          const Date& effective,
                                          const std::vector<SplitPart>& parts) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit unit, Get(connection, unit_id));
  if (!unit.parent_id) return Fail(ErrorCode::kInvalidArgument, "a city cannot be split");
  if (parts.size() < 2) return Fail(ErrorCode::kInvalidArgument, "a split needs two parts or more");
  STEWARD_ASSIGN_OR_RETURN(auto children, Children(connection, unit.id, effective));
  std::set<Id> unassigned;
  for (const auto& child : children) unassigned.insert(child.id);
  for (const auto& part : parts) {
    for (Id child : part.children) {
      if (unassigned.erase(child) == 0) {
        return Fail(
            ErrorCode::kInvalidArgument,
            "unit " + std::to_string(child) + " is listed twice or is not a child of " + unit.name);
      }
    }
  }
  if (!unassigned.empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::to_string(unassigned.size()) + " children of " +
                                                 unit.name + " are not given to any part");
  }
  // Records attached to the unit itself (not to a child) would have no obvious successor.
  for (const char* table : {"building", "complex", "resident"}) {
    STEWARD_ASSIGN_OR_RETURN(
        auto attached,
        connection.QueryInt(std::string("SELECT count(*) FROM ") + table + " WHERE unit_id = ?",
                            {unit.id}));
    if (attached.value_or(0) > 0) {
      return Fail(
          ErrorCode::kFailedPrecondition,
          std::to_string(*attached) + " " + table + " records belong to " + unit.name +
              " itself; move them to one of its children before splitting it",
          {{"unit", "org.split_has_attachments", "请先将直接挂在该单位的记录移到下级单位"}});
    }
  }
  STEWARD_ASSIGN_OR_RETURN(Unit parent, Get(connection, *unit.parent_id));
  STEWARD_TRY(Retire(transaction, unit, effective));
  std::vector<Unit> created;
  for (const auto& part : parts) {
    NewUnit spec;
    spec.parent_id = parent.id;
    spec.kind = unit.kind;
    spec.subtype = unit.subtype;
    spec.name = part.name;
    spec.official_name = part.official_name;
    spec.boundary = part.boundary;
    spec.valid_from = effective;
    STEWARD_ASSIGN_OR_RETURN(Unit successor, Create(transaction, spec));
    STEWARD_TRY(connection.Execute(
        "INSERT INTO org_unit_link (unit_id, predecessor_id, kind, effective) VALUES (?, ?, ?, ?)",
        {successor.id, unit.id, "split", effective.ToString()}));
    STEWARD_TRY(CarryChildren(transaction, unit, successor, part.children, effective));
    created.push_back(std::move(successor));
  }
  return created;
}

Result<Unit> OrgStore::Rename(WriteTransaction& transaction, Id unit_id, int64_t expected_version,
                              std::string name, std::string official_name) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit unit, Get(connection, unit_id));
  if (name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "名称必填 / a name is required",
                {{"name", "required", "名称必填 / required"}});
  }
  if (official_name.empty()) official_name = name;
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      connection.Execute("UPDATE org_unit SET name = ?, official_name = ?, version = version + 1, "
                         "updated_at = ? WHERE id = ? AND version = ?",
                         {name, official_name, clock_.NowMillis(), unit_id, expected_version}));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "单位已被他人修改 / the unit changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  transaction.RecordChange(
      ChangeRecord{"org_unit",
                   unit_id,
                   expected_version + 1,
                   ChangeOp::kUpdate,
                   {{"name", {{"old", unit.name}, {"new", name}}},
                    {"official_name", {{"old", unit.official_name}, {"new", official_name}}}}});
  return Get(connection, unit_id);
}

Result<Unit> OrgStore::Move(WriteTransaction& transaction, Id unit_id, Id new_parent_id,
                            const Date& effective) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit unit, Get(connection, unit_id));
  STEWARD_ASSIGN_OR_RETURN(Unit parent, Get(connection, new_parent_id));
  if (unit.parent_id == parent.id) {
    return Fail(ErrorCode::kInvalidArgument, "已在该上级单位下 / already under that unit",
                {{"parent_id", "org.same_parent", "已在该上级单位下 / already there"}});
  }
  if (ChildKind(parent.kind) != unit.kind) {
    return Fail(ErrorCode::kInvalidArgument,
                "上级单位的层级不对 / the new parent is not one level above",
                {{"parent_id", "org.wrong_level", "上级单位的层级不对 / wrong level"}});
  }
  if (!parent.ValidOn(effective) || !unit.ValidOn(effective)) {
    return Fail(ErrorCode::kFailedPrecondition, "单位在生效日期已撤销 / a unit is retired by then",
                {{"effective", "org.bad_effective_date", "单位在生效日期已撤销"}});
  }
  STEWARD_ASSIGN_OR_RETURN(auto children, Children(connection, unit.id, effective));
  STEWARD_ASSIGN_OR_RETURN(Unit successor,
                           CreateSuccessor(transaction, unit, parent, effective, "move"));
  std::vector<Id> child_ids;
  for (const auto& child : children) child_ids.push_back(child.id);
  STEWARD_TRY(CarryChildren(transaction, unit, successor, child_ids, effective));
  return successor;
}

Status OrgStore::End(WriteTransaction& transaction, Id unit_id, const Date& effective) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit unit, Get(connection, unit_id));
  STEWARD_ASSIGN_OR_RETURN(auto children, Children(connection, unit.id, effective));
  if (!children.empty()) {
    return Fail(
        ErrorCode::kFailedPrecondition, "还有下级单位，不能撤销 / it still has units below it",
        {{"id", "org.has_children", "还有 " + std::to_string(children.size()) + " 个下级单位"}});
  }
  for (const char* table : {"building", "complex", "resident"}) {
    STEWARD_ASSIGN_OR_RETURN(
        auto attached,
        connection.QueryInt(
            std::string("SELECT count(*) FROM ") + table + " WHERE unit_id = ?" +
                (std::string_view(table) == "resident" ? " AND deleted_at IS NULL" : ""),
            {unit.id}));
    if (attached.value_or(0) > 0) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "单位下还有楼栋、小区或居民，不能撤销 / records are still attached to it",
                  {{"id", std::string("org.has_") + table,
                    "还有 " + std::to_string(*attached) + " 条记录 / records left"}});
    }
  }
  return Retire(transaction, unit, effective);
}

Result<Unit> OrgStore::SetBoundary(WriteTransaction& transaction, Id unit_id,
                                   int64_t expected_version, std::optional<std::string> boundary) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit unit, Get(connection, unit_id));
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      connection.Execute(
          "UPDATE org_unit SET boundary = ?, version = version + 1, updated_at = ? "
          "WHERE id = ? AND version = ?",
          {storage::OrNull(boundary), clock_.NowMillis(), unit_id, expected_version}));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "单位已被他人修改 / the unit changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  transaction.RecordChange(ChangeRecord{
      "org_unit",
      unit_id,
      expected_version + 1,
      ChangeOp::kUpdate,
      {{"boundary", {{"old", unit.boundary.has_value()}, {"new", boundary.has_value()}}}}});
  return Get(connection, unit_id);
}

Result<Unit> OrgStore::ConvertVillageToCommunity(WriteTransaction& transaction, Id village_id,
                                                 const Date& effective, std::string division_code,
                                                 std::string name, std::string official_name) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Unit village, Get(connection, village_id));
  if (village.kind != UnitKind::kCommunity || village.subtype != "村") {
    return Fail(ErrorCode::kInvalidArgument, village.name + " is not a village");
  }
  STEWARD_ASSIGN_OR_RETURN(auto children, Children(connection, village.id, effective));
  NewUnit spec;
  spec.parent_id = village.parent_id;
  spec.kind = UnitKind::kCommunity;
  spec.subtype = "社区";
  spec.division_code = std::move(division_code);
  spec.name = std::move(name);
  spec.official_name = std::move(official_name);
  spec.boundary = village.boundary;
  spec.valid_from = effective;
  STEWARD_TRY(Retire(transaction, village, effective));
  STEWARD_ASSIGN_OR_RETURN(Unit community, Create(transaction, spec));
  STEWARD_TRY(connection.Execute(
      "INSERT INTO org_unit_link (unit_id, predecessor_id, kind, effective) VALUES (?, ?, ?, ?)",
      {community.id, village.id, "village_to_community", effective.ToString()}));
  STEWARD_TRY(MoveAttachments(transaction, village.id, community.id));
  std::vector<Id> child_ids;
  for (const auto& child : children) child_ids.push_back(child.id);
  STEWARD_TRY(CarryChildren(transaction, village, community, child_ids, effective));
  return community;
}

}  // namespace steward::org
