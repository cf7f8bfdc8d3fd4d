// The resident sheet layout (人口信息采集表): the columns import reads and export writes.
//
// One table drives both directions, so an exported workbook re-imports as it is. Headers are
// recognised by their Chinese name or any alias, after trimming spaces (ASCII and full-width) and
// ignoring a trailing "*" (the template marks required columns with it).
// Thread-safety: immutable data.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace steward::registry {

enum class Column {
  kResidentId,       // 居民编号: export only; with 版本 it lets an edited export re-import
  kVersion,          // 版本
  kName,             // 姓名
  kGender,           // 性别
  kIdNumber,         // 身份证号
  kBirthDate,        // 出生日期
  kEthnicity,        // 民族
  kPhone,            // 联系电话 (several separated by 、 , ; or spaces)
  kHukouAddress,     // 户籍地址
  kCurrentAddress,   // 现住址
  kStreet,           // 所属街道
  kCommunity,        // 所属社区
  kGrid,             // 所属网格
  kComplex,          // 小区
  kBuilding,         // 楼栋
  kUnitNo,           // 单元
  kRoom,             // 室
  kRelationToHead,   // 与户主关系
  kResidenceStatus,  // 人户状态
  kTags,             // 标签 (Chinese names or codes, separated by 、 , ; or spaces)
  kNotes,            // 备注
};

struct ColumnSpec {
  Column column;
  std::string_view key;     // snake_case, as in JSON and reports
  std::string_view header;  // the Chinese header export writes
  std::span<const std::string_view> aliases;
  std::string_view note;  // the template's header note
  bool required;          // a sheet without this column is refused before any row is read
};

// All columns, in export order.
std::span<const ColumnSpec> ResidentColumns();
const ColumnSpec& SpecOf(Column column);
// The column a header names, or nullopt for an unknown header.
std::optional<Column> ColumnForHeader(std::string_view header);

// Dictionary values offered as drop-down lists in the template.
std::span<const std::string_view> GenderChoices();  // 男, 女
std::span<const std::string_view> ResidenceStatusChoices();  // 户在人在, 人在户不在, 户在人不在
std::span<const std::string_view> RelationChoices();  // 户主, 配偶, 子, 女, ...

}  // namespace steward::registry
