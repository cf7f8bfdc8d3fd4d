#include "registry/resident_query.hpp"

#include <algorithm>
#include <map>

#include "registry/id_number.hpp"
#include "registry/phone.hpp"

namespace steward::registry {
namespace {

using storage::Value;

const char* SortColumn(ResidentSort sort) {
  switch (sort) {
    case ResidentSort::kName:
      return "r.name";
    case ResidentSort::kBirthDate:
      return "r.birth_date";
    case ResidentSort::kUpdated:
      return "r.updated_at";
    case ResidentSort::kId:
      return "r.id";
  }
  return "r.name";
}

// The date `years` whole years before `today` (29 Feb falls back to 28 Feb).

std::string Placeholders(size_t count) {
  std::string list;
  for (size_t i = 0; i < count; ++i) list += i ? ", ?" : "?";
  return list;
}

}  // namespace

Result<ResidentPage> ListResidents(storage::Connection& connection, ResidentStore& residents,
                                   Date today, const ResidentFilter& filter,
                                   const UnitCondition& scope) {
  if (filter.page < 1 || filter.page_size < 1 || filter.page_size > 200) {
    return Fail(ErrorCode::kInvalidArgument, "分页参数有误 / page must be >= 1, page_size 1..200",
                {{"page_size", "range", "每页 1 至 200 条 / 1 to 200 a page"}});
  }
  std::string where = "r.deleted_at IS NULL AND " + scope.sql;
  std::vector<Value> params = scope.params;
  ResidentPage page;

  // Exact lookups by ID number or phone narrow to a few ids first (hash lookups).
  std::optional<std::vector<Id>> only;
  if (filter.id_number) {
    auto checked = CheckIdNumber(*filter.id_number, today);
    if (!checked) {
      return Fail(ErrorCode::kInvalidArgument, "身份证号格式有误 / not an ID number",
                  {{"id_number", "id_number.invalid", "身份证号格式有误 / not an ID number"}});
    }
    STEWARD_ASSIGN_OR_RETURN(auto id, residents.FindByIdNumber(connection, checked->normalized));
    only = id ? std::vector<Id>{*id} : std::vector<Id>{};
  }
  if (filter.phone) {
    auto normalized = NormalizePhone(*filter.phone);
    if (!normalized) {
      return Fail(ErrorCode::kInvalidArgument, "电话号码格式有误 / not a phone number",
                  {{"phone", "phone.invalid", "电话号码格式有误 / not a phone number"}});
    }
    STEWARD_ASSIGN_OR_RETURN(auto ids, residents.FindByPhone(connection, normalized->normalized));
    if (only) {
      std::erase_if(
          ids, [&](Id id) { return std::find(only->begin(), only->end(), id) == only->end(); });
    }
    only = std::move(ids);
  }
  if (filter.only_ids) {
    if (only) {
      std::erase_if(*only, [&](Id id) {
        return std::find(filter.only_ids->begin(), filter.only_ids->end(), id) ==
               filter.only_ids->end();
      });
    } else {
      only = *filter.only_ids;
    }
  }
  if (only) {
    if (only->empty()) return page;
    where += " AND r.id IN (" + Placeholders(only->size()) + ")";
    for (Id id : *only) params.push_back(id);
  }
  if (filter.unit_id) {
    STEWARD_ASSIGN_OR_RETURN(
        auto unit, connection.Query("SELECT path FROM org_unit WHERE id = ?", {*filter.unit_id}));
    if (unit.empty()) {
      return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit",
                  {{"unit", "not_found", "没有这个单位 / no such unit"}});
    }
    std::string high = unit.Text(0, 0);
    high.back() = '0';  // '/' + 1: the end of the subtree's byte-order range
    where += " AND u.path >= ? AND u.path < ?";
    params.push_back(unit.Text(0, 0));
    params.push_back(high);
  }
  if (!filter.name_prefix.empty()) {
    // A byte-order range, not LIKE: no metacharacters to escape, and it uses the name index.
    where += " AND r.name >= ? AND r.name < ?";
    params.push_back(filter.name_prefix);
    params.push_back(filter.name_prefix + "\xF4\x8F\xBF\xBF");  // after every continuation
  }
  if (filter.age_min) {
    where += " AND r.birth_date <= ?";
    params.push_back(today.YearsEarlier(*filter.age_min).ToString());
  }
  if (filter.age_max) {
    where += " AND r.birth_date > ?";
    params.push_back(today.YearsEarlier(*filter.age_max + 1).ToString());
  }
  if (filter.gender) {
    where += " AND r.gender = ?";
    params.push_back(std::string(GenderCode(*filter.gender)));
  }
  if (filter.residence_status) {
    where += " AND r.residence_status = ?";
    params.push_back(std::string(ResidenceStatusName(*filter.residence_status)));
  }
  if (filter.household_id) {
    where += " AND r.household_id = ?";
    params.push_back(*filter.household_id);
  }
  for (const auto& tag : filter.tags) {
    where +=
        " AND EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = r.id AND "
        "t.tag_code = ?)";
    params.push_back(tag);
  }
  const std::string from = " FROM resident r JOIN org_unit u ON u.id = r.unit_id WHERE " + where;
  STEWARD_ASSIGN_OR_RETURN(auto total, connection.QueryInt("SELECT count(*)" + from, params));
  page.total = total.value_or(0);
  if (page.total == 0) return page;

  const std::string direction = filter.descending ? " DESC" : "";
  std::string sql =
      "SELECT r.id, r.name, r.gender, r.birth_date, r.id_number_masked, r.unit_id, u.name, "
      "u.path, r.household_id, r.residence_status, r.relation_to_head, r.version, "
      "(SELECT p.phone_masked FROM resident_phone p WHERE p.resident_id = r.id "
      "ORDER BY p.position LIMIT 1)" +
      from + " ORDER BY " + SortColumn(filter.sort) + direction + ", r.id" + direction +
      " LIMIT ? OFFSET ?";
  params.push_back(static_cast<int64_t>(filter.page_size));
  params.push_back(static_cast<int64_t>(filter.page - 1) * filter.page_size);
  std::map<Id, size_t> index;
  STEWARD_TRY(connection.QueryEach(sql, params, [&](const storage::RowView& row) {
    ResidentListItem item;
    item.id = row.Int(0);
    item.name = std::string(row.Text(1));
    item.gender = std::string(row.Text(2));
    item.birth_date = row.OptText(3);
    if (Date birth; item.birth_date && Date::Parse(*item.birth_date, &birth)) {
      item.age = birth.YearsUntil(today);
    }
    item.id_number_masked = row.OptText(4);
    item.unit_id = row.Int(5);
    item.unit_name = std::string(row.Text(6));
    item.unit_path = std::string(row.Text(7));
    item.household_id = row.OptInt(8);
    item.residence_status = std::string(row.Text(9));
    item.relation_to_head = std::string(row.Text(10));
    item.version = row.Int(11);
    item.phone_masked = row.OptText(12);
    index[item.id] = page.items.size();
    page.items.push_back(std::move(item));
  }));
  // The page's tags in one query.
  std::vector<Value> ids;
  for (const auto& item : page.items) ids.push_back(item.id);
  STEWARD_TRY(
      connection.QueryEach("SELECT resident_id, tag_code FROM resident_tag WHERE resident_id IN (" +
                               Placeholders(ids.size()) + ") ORDER BY resident_id, tag_code",
                           ids, [&](const storage::RowView& row) {
                             page.items[index.at(row.Int(0))].tags.emplace_back(row.Text(1));
                           }));
  return page;
}

}  // namespace steward::registry
