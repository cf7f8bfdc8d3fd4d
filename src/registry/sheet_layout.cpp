#include "registry/sheet_layout.hpp"

#include <string>

namespace steward::registry {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::string_view kIdAliases[] = {"编号", "居民ID", "resident_id"};
constexpr std::string_view kVersionAliases[] = {"version"};
constexpr std::string_view kNameAliases[] = {"居民姓名", "name"};
constexpr std::string_view kGenderAliases[] = {"gender"};
constexpr std::string_view kIdNumberAliases[] = {"公民身份号码", "身份证号码", "身份证", "证件号码",
                                                 "id_number"};
constexpr std::string_view kBirthAliases[] = {"出生年月", "出生年月日", "birth_date"};
constexpr std::string_view kEthnicityAliases[] = {"ethnicity"};
constexpr std::string_view kPhoneAliases[] = {"手机号", "手机号码", "联系方式",
                                              "电话",   "电话号码", "phone"};
constexpr std::string_view kHukouAliases[] = {"户籍地", "户籍所在地", "户籍地详址",
                                              "hukou_address"};
constexpr std::string_view kAddressAliases[] = {"现居住地址", "居住地址", "现居住地",
                                                "current_address"};
constexpr std::string_view kStreetAliases[] = {"街道", "所属街道(乡镇)", "street"};
constexpr std::string_view kCommunityAliases[] = {"社区", "所属社区(村)", "社区名称", "community"};
constexpr std::string_view kGridAliases[] = {"网格", "网格名称", "grid"};
constexpr std::string_view kComplexAliases[] = {"所属小区", "小区名称", "complex"};
constexpr std::string_view kBuildingAliases[] = {"楼幢", "幢", "楼号", "building"};
constexpr std::string_view kUnitAliases[] = {"单元号", "unit_no"};
constexpr std::string_view kRoomAliases[] = {"室号", "房号", "门牌号", "room"};
constexpr std::string_view kRelationAliases[] = {"与户主关系", "relation_to_head"};
constexpr std::string_view kStatusAliases[] = {"人户分离状态", "居住状态", "人户情况",
                                               "residence_status"};
constexpr std::string_view kTagsAliases[] = {"人员标签", "人员类别", "tags"};
constexpr std::string_view kNotesAliases[] = {"说明", "notes"};

const ColumnSpec kColumns[] = {
    {Column::kResidentId, "resident_id", "居民编号", kIdAliases,
     "系统导出时填写，用于修改后重新导入；新增居民留空", false},
    {Column::kVersion, "version", "版本", kVersionAliases, "系统导出时填写，请勿修改", false},
    {Column::kName, "name", "姓名", kNameAliases, "必填", true},
    {Column::kGender, "gender", "性别", kGenderAliases, "男 或 女；有身份证号时可留空", false},
    {Column::kIdNumber, "id_number", "身份证号", kIdNumberAliases,
     "18位公民身份号码；请将本列设置为文本格式，以免 Excel 丢失末尾数字", false},
    {Column::kBirthDate, "birth_date", "出生日期", kBirthAliases,
     "如 1956-03-08；有身份证号时可留空", false},
    {Column::kEthnicity, "ethnicity", "民族", kEthnicityAliases, "如 汉族、畲族", false},
    {Column::kPhone, "phone", "联系电话", kPhoneAliases, "手机或带区号的座机，多个号码用顿号分隔",
     false},
    {Column::kHukouAddress, "hukou_address", "户籍地址", kHukouAliases, "", false},
    {Column::kCurrentAddress, "current_address", "现住址", kAddressAliases, "", false},
    {Column::kStreet, "street", "所属街道", kStreetAliases, "", false},
    {Column::kCommunity, "community", "所属社区", kCommunityAliases, "必填", true},
    {Column::kGrid, "grid", "所属网格", kGridAliases, "", false},
    {Column::kComplex, "complex", "小区", kComplexAliases, "", false},
    {Column::kBuilding, "building", "楼栋", kBuildingAliases, "须为系统中已登记的楼栋", false},
    {Column::kUnitNo, "unit_no", "单元", kUnitAliases, "", false},
    {Column::kRoom, "room", "室", kRoomAliases, "", false},
    {Column::kRelationToHead, "relation_to_head", "与户主关系", kRelationAliases, "", false},
    {Column::kResidenceStatus, "residence_status", "人户状态", kStatusAliases,
     "户在人在、人在户不在 或 户在人不在；留空为户在人在", false},
    {Column::kTags, "tags", "标签", kTagsAliases, "如 独居、党员、退役军人，多个用顿号分隔", false},
    {Column::kNotes, "notes", "备注", kNotesAliases, "", false},
};

constexpr std::string_view kGenders[] = {"男", "女"};
constexpr std::string_view kStatuses[] = {"户在人在", "人在户不在", "户在人不在"};
constexpr std::string_view kRelations[] = {"户主", "配偶", "子",   "女",   "父亲",     "母亲",
                                           "孙子", "孙女", "儿媳", "女婿", "兄弟姐妹", "其他"};

std::string NormalizeHeader(std::string_view header) {
  std::string text(header);
  auto strip = [&](std::string_view piece, bool front) {
    if (front && text.starts_with(piece)) {
      text.erase(0, piece.size());
      return true;
    }
    if (!front && text.ends_with(piece)) {
      text.erase(text.size() - piece.size());
      return true;
    }
    return false;
  };
  for (bool again = true; again;) {
    again = false;
    for (std::string_view space : {" "sv, "\t"sv, "\xE3\x80\x80"sv, "\r"sv, "\n"sv}) {
      again |= strip(space, true) || strip(space, false);
    }
    again |= strip("*", false) || strip("\xEF\xBC\x8A", false) || strip("*", true);  // ＊
  }
  return text;
}

}  // namespace

std::span<const ColumnSpec> ResidentColumns() { return kColumns; }

const ColumnSpec& SpecOf(Column column) {
  for (const auto& spec : kColumns) {
    if (spec.column == column) return spec;
  }
  return kColumns[0];
}

std::optional<Column> ColumnForHeader(std::string_view header) {
  const std::string normalized = NormalizeHeader(header);
  if (normalized.empty()) return std::nullopt;
  for (const auto& spec : kColumns) {
    if (normalized == spec.header) return spec.column;
    for (auto alias : spec.aliases) {
      if (normalized == alias) return spec.column;
    }
  }
  return std::nullopt;
}

std::span<const std::string_view> GenderChoices() { return kGenders; }
std::span<const std::string_view> ResidenceStatusChoices() { return kStatuses; }
std::span<const std::string_view> RelationChoices() { return kRelations; }

}  // namespace steward::registry
