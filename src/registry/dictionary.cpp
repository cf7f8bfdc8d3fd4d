#include "registry/dictionary.hpp"

#include <array>

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::Value;
using storage::WriteTransaction;

struct DictionaryType {
  std::string_view name;
  DictionaryCodes codes;
};

constexpr std::array kTypes = {
    DictionaryType{"gender", DictionaryCodes::kFixed},
    DictionaryType{"residence_status", DictionaryCodes::kFixed},
    DictionaryType{"relation_to_head", DictionaryCodes::kOpen},
    DictionaryType{"unit_kind", DictionaryCodes::kFixed},
    DictionaryType{"scope", DictionaryCodes::kFixed},
    DictionaryType{"assistance", DictionaryCodes::kFixed},
};

constexpr std::array<std::string_view, kTypes.size()> kTypeNames = [] {
  std::array<std::string_view, kTypes.size()> names{};
  for (size_t i = 0; i < kTypes.size(); ++i) names[i] = kTypes[i].name;
  return names;
}();

constexpr std::string_view kColumns =
    "id, dict_type, code, label, label_en, sort_order, enabled, builtin, version";

DictionaryItem ItemFrom(const storage::Rows& rows, size_t i) {
  return DictionaryItem{rows.Int(i, 0),      rows.Text(i, 1),     rows.Text(i, 2),
                        rows.Text(i, 3),     rows.Text(i, 4),     rows.Int(i, 5),
                        rows.Int(i, 6) != 0, rows.Int(i, 7) != 0, rows.Int(i, 8)};
}

bool Blank(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

Status KnownType(std::string_view type) {
  if (!DictionaryCodesOf(type)) {
    return Fail(ErrorCode::kNotFound, "没有这个字典 / no such dictionary");
  }
  return Ok();
}

Result<std::optional<DictionaryItem>> Find(Connection& connection, std::string_view type,
                                           std::string_view code) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT " + std::string(kColumns) +
                                      " FROM dictionary_item WHERE dict_type = ? AND code = ?",
                                  {type, code}));
  if (rows.empty()) return std::optional<DictionaryItem>();
  return std::optional(ItemFrom(rows, 0));
}

}  // namespace

std::span<const std::string_view> DictionaryTypes() { return kTypeNames; }

std::optional<DictionaryCodes> DictionaryCodesOf(std::string_view type) {
  for (const auto& known : kTypes) {
    if (known.name == type) return known.codes;
  }
  return std::nullopt;
}

Result<std::vector<DictionaryItem>> DictionaryStore::List(Connection& connection,
                                                          std::string_view type,
                                                          DisabledItems disabled) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM dictionary_item WHERE 1 = 1";
  std::vector<Value> params;
  if (!type.empty()) {
    sql += " AND dict_type = ?";
    params.push_back(type);
  }
  if (disabled == DisabledItems::kHidden) sql += " AND enabled = 1";
  sql += " ORDER BY dict_type, sort_order, code";
  STEWARD_ASSIGN_OR_RETURN(auto rows, connection.Query(sql, params));
  std::vector<DictionaryItem> items;
  items.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) items.push_back(ItemFrom(rows, i));
  return items;
}

Result<DictionaryItem> DictionaryStore::Add(WriteTransaction& transaction, std::string_view type,
                                            const NewDictionaryItem& item) {
  STEWARD_TRY(KnownType(type));
  if (DictionaryCodesOf(type) == DictionaryCodes::kFixed) {
    return Fail(ErrorCode::kFailedPrecondition,
                "这个字典的代码是固定的，只能改名称和顺序 / this dictionary's codes are fixed: "
                "relabel or reorder them",
                {{"code", "dict.fixed_codes", "代码固定 / fixed codes"}});
  }
  if (Blank(item.code)) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                {{"code", "required", "必填 / required"}});
  }
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto existing, Find(connection, type, item.code));
  if (existing) {
    return Fail(ErrorCode::kAlreadyExists, "字典中已有这一项 / the item exists",
                {{"code", "dict.duplicate", "已存在 / exists"}});
  }
  DictionaryItem added;
  added.id = ids_.Next();
  added.type = type;
  added.code = item.code;
  added.label = Blank(item.label) ? item.code : item.label;
  added.label_en = item.label_en;
  if (item.sort_order) {
    added.sort_order = *item.sort_order;
  } else {
    STEWARD_ASSIGN_OR_RETURN(
        auto last, connection.QueryInt(
                       "SELECT max(sort_order) FROM dictionary_item WHERE dict_type = ?", {type}));
    added.sort_order = last.value_or(0) + 10;
  }
  added.version = 1;
  const int64_t now = clock_.NowMillis();
  STEWARD_TRY(connection.Execute(
      "INSERT INTO dictionary_item (id, dict_type, code, label, label_en, sort_order, enabled, "
      "builtin, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0, 1, ?, ?)",
      {added.id, type, std::string_view(added.code), std::string_view(added.label),
       std::string_view(added.label_en), added.sort_order, now, now}));
  transaction.RecordChange(ChangeRecord{"dictionary_item",
                                        added.id,
                                        1,
                                        ChangeOp::kCreate,
                                        {{"dict_type", added.type},
                                         {"code", added.code},
                                         {"label", added.label},
                                         {"label_en", added.label_en},
                                         {"sort_order", added.sort_order},
                                         {"enabled", true}}});
  return added;
}

Result<DictionaryItem> DictionaryStore::Update(WriteTransaction& transaction, std::string_view type,
                                               std::string_view code, int64_t expected_version,
                                               const DictionaryItemPatch& patch) {
  STEWARD_TRY(KnownType(type));
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto found, Find(connection, type, code));
  if (!found) return Fail(ErrorCode::kNotFound, "字典中没有这一项 / no such item");
  DictionaryItem item = std::move(*found);
  auto stale = [] {
    return Fail(ErrorCode::kConflict, "字典项已被他人修改 / the item changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  };
  if (item.version != expected_version) return stale();
  if (patch.enabled && *patch.enabled != item.enabled) {
    if (DictionaryCodesOf(type) == DictionaryCodes::kFixed) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "这个字典的代码是固定的，不能停用 / a fixed dictionary's items stay enabled",
                  {{"enabled", "dict.fixed_codes", "代码固定 / fixed codes"}});
    }
    if (item.builtin) {
      return Fail(ErrorCode::kFailedPrecondition, "内置项不能停用 / a built-in item stays enabled",
                  {{"enabled", "dict.builtin", "内置项 / built-in"}});
    }
  }
  if (patch.label && Blank(*patch.label)) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                {{"label", "required", "名称不能为空 / the label cannot be blank"}});
  }
  nlohmann::json fields = nlohmann::json::object();
  auto change = [&](const char* name, auto& current, const auto& wanted) {
    if (current == wanted) return;
    fields[name] = {{"old", current}, {"new", wanted}};
    current = wanted;
  };
  if (patch.label) change("label", item.label, *patch.label);
  if (patch.label_en) change("label_en", item.label_en, *patch.label_en);
  if (patch.sort_order) change("sort_order", item.sort_order, *patch.sort_order);
  if (patch.enabled) change("enabled", item.enabled, *patch.enabled);
  if (fields.empty()) return item;
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      connection.Execute(
          "UPDATE dictionary_item SET label = ?, label_en = ?, sort_order = ?, "
          "enabled = ?, version = version + 1, updated_at = ? "
          "WHERE id = ? AND version = ?",
          {std::string_view(item.label), std::string_view(item.label_en), item.sort_order,
           int64_t{item.enabled ? 1 : 0}, clock_.NowMillis(), item.id, expected_version}));
  if (changed != 1) return stale();
  item.version = expected_version + 1;
  fields["dict_type"] = item.type;
  fields["code"] = item.code;
  transaction.RecordChange(
      ChangeRecord{"dictionary_item", item.id, item.version, ChangeOp::kUpdate, std::move(fields)});
  return item;
}

Status CheckDictionaryCode(Connection& connection, std::string_view type, std::string_view code,
                           std::string_view field) {
  STEWARD_ASSIGN_OR_RETURN(
      auto found,
      connection.QueryInt(
          "SELECT 1 FROM dictionary_item WHERE dict_type = ? AND code = ? AND enabled = 1",
          {type, code}));
  if (found) return Ok();
  return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
              {{std::string(field), "dict.unknown_code",
                "不在字典“" + std::string(type) + "”中 / not an item of the " + std::string(type) +
                    " dictionary"}});
}

}  // namespace steward::registry
