// /api/v1/residents: list with filters (one audit entry per query), detail with household and
// history (audited), create, update with If-Match, soft delete, and per-resident unmasking.
// Scope and masking come from auth's policy layer; nothing here decides who sees what.
#include <limits>
#include <set>

#include "audit/mask.hpp"
#include "auth/permission.hpp"
#include "auth/unmask.hpp"
#include "http/handlers/api_call.hpp"
#include "http/internal/api_error.hpp"
#include "registry/dictionary.hpp"
#include "registry/id_number.hpp"
#include "registry/phone.hpp"
#include "registry/resident.hpp"
#include "registry/resident_query.hpp"
#include "storage/change_log.hpp"

namespace steward::http::handlers {
namespace {

using registry::ResidentStore;

constexpr FieldSpec kResidentFields[] = {
    {"name", FieldType::kString, false, false, 50},
    {"gender", FieldType::kString, false, false, 10},
    {"birth_date", FieldType::kString, false, true, 10},
    {"id_number", FieldType::kString, false, true, 30},
    {"phones", FieldType::kStringArray, false, false, 30},
    {"unit_id", FieldType::kId},
    {"household_id", FieldType::kId, false, true},
    {"ethnicity", FieldType::kString, false, false, 20},
    {"hukou_address", FieldType::kString, false, false, 200},
    {"residence_status", FieldType::kString, false, false, 20},
    {"relation_to_head", FieldType::kString, false, false, 20},
    {"tags", FieldType::kStringArray, false, false, 40},
    {"notes", FieldType::kString, false, false, 1000},
};
constexpr FieldSpec kDeleteFields[] = {{"reason", FieldType::kString, true, false, 200}};
constexpr FieldSpec kUnmaskFields[] = {{"purpose", FieldType::kString, true, false, 500}};

Error Invalid(std::string field, std::string code, std::string message) {
  return Error{ErrorCode::kInvalidArgument,
               "请求内容有误 / the request has invalid fields",
               {{std::move(field), std::move(code), std::move(message)}}};
}

struct TagDictionary {
  std::set<std::string, std::less<>> codes;
  std::vector<std::string> sensitive;
};

Result<TagDictionary> LoadTags(storage::Connection& connection) {
  TagDictionary tags;
  STEWARD_ASSIGN_OR_RETURN(auto rows, connection.Query("SELECT code, sensitive FROM tag"));
  for (size_t i = 0; i < rows.size(); ++i) {
    tags.codes.insert(rows.Text(i, 0));
    if (rows.Int(i, 1) != 0) tags.sensitive.push_back(rows.Text(i, 0));
  }
  return tags;
}

Result<registry::ResidentFilter> FilterFrom(const ApiCall& call) {
  const Request& request = call.request;
  constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
  registry::ResidentFilter filter;
  STEWARD_ASSIGN_OR_RETURN(auto unit, call.OptionalIntQuery("unit", 1, kMaxId));
  if (unit) filter.unit_id = *unit;
  filter.name_prefix = request.Query("name").value_or("");
  filter.id_number = request.Query("id_number");
  filter.phone = request.Query("phone");
  STEWARD_ASSIGN_OR_RETURN(auto age_min, call.OptionalIntQuery("age_min", 0, 200));
  STEWARD_ASSIGN_OR_RETURN(auto age_max, call.OptionalIntQuery("age_max", 0, 200));
  if (age_min) filter.age_min = static_cast<int>(*age_min);
  if (age_max) filter.age_max = static_cast<int>(*age_max);
  STEWARD_ASSIGN_OR_RETURN(auto household, call.OptionalIntQuery("household_id", 1, kMaxId));
  if (household) filter.household_id = *household;
  STEWARD_ASSIGN_OR_RETURN(const int64_t page, call.IntQuery("page", 1, 1, 1'000'000));
  STEWARD_ASSIGN_OR_RETURN(const int64_t page_size, call.IntQuery("page_size", 20, 1, 200));
  filter.page = static_cast<int>(page);
  filter.page_size = static_cast<int>(page_size);
  if (auto gender = request.Query("gender")) {
    registry::Gender parsed;
    if (!registry::ParseGender(*gender, &parsed)) {
      return tl::unexpected(
          Invalid("gender", "gender.invalid", "应为 male 或 female / male or female"));
    }
    filter.gender = parsed;
  }
  if (auto status = request.Query("residence_status")) {
    registry::ResidenceStatus parsed;
    if (!registry::ParseResidenceStatus(*status, &parsed)) {
      return tl::unexpected(Invalid("residence_status", "residence_status.invalid",
                                    "人户状态有误 / unknown residence status"));
    }
    filter.residence_status = parsed;
  }
  if (auto tags = request.Query("tags")) {
    std::string_view rest = *tags;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (comma != 0) filter.tags.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::string sort = request.Query("sort").value_or("name");
  if (!sort.empty() && sort.front() == '-') {
    filter.descending = true;
    sort.erase(0, 1);
  }
  if (sort == "name") {
    filter.sort = registry::ResidentSort::kName;
  } else if (sort == "birth_date") {
    filter.sort = registry::ResidentSort::kBirthDate;
  } else if (sort == "updated") {
    filter.sort = registry::ResidentSort::kUpdated;
  } else if (sort == "id") {
    filter.sort = registry::ResidentSort::kId;
  } else {
    return tl::unexpected(Invalid("sort", "sort.invalid",
                                  "可按 name、birth_date、updated、id 排序 / sort by name, "
                                  "birth_date, updated or id"));
  }
  return filter;
}

// Refuses filtering by a sensitive tag without the right to see it (the result would reveal it).
Status CheckTagFilter(const ApiCall& call, const registry::ResidentFilter& filter,
                      const TagDictionary& tags) {
  for (const auto& tag : filter.tags) {
    if (!tags.codes.contains(tag)) {
      return tl::unexpected(Invalid("tags", "tag.unknown", "没有这个标签 / unknown tag: " + tag));
    }
    const bool sensitive =
        std::find(tags.sensitive.begin(), tags.sensitive.end(), tag) != tags.sensitive.end();
    if (sensitive && !call.principal.Can(auth::permission::kSensitiveView)) {
      return Fail(ErrorCode::kPermissionDenied,
                  "没有查看敏感标签的权限 / no access to sensitive tags");
    }
  }
  return Ok();
}

// One audit entry per list request, whether computed or served from the cache: the query (its
// personal values masked) and how many rows it showed. `note` is the entry's detail, made once
// per computed answer by ListNote.
Status AuditList(ApiCall& call, const nlohmann::json& note) {
  return call.Audit("resident.list", "", note);
}

nlohmann::json ListNote(const ApiCall& call, size_t rows, int64_t total) {
  const std::string& target = call.request.target;
  const size_t question = target.find('?');
  return {{"query",
           audit::MaskForAudit(question == std::string::npos ? "" : target.substr(question + 1))},
          {"rows", rows},
          {"total", total}};
}

Result<Response> ListResidents(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto filter, FilterFrom(call));
  // An exact ID number or phone may reach the search scope; anything else stays in view.
  const bool exact = filter.id_number.has_value() || filter.phone.has_value();
  const auth::ScopeKind kind = exact ? auth::ScopeKind::kSearch : auth::ScopeKind::kView;
  auto page =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        STEWARD_ASSIGN_OR_RETURN(auto tags, LoadTags(connection));
        STEWARD_TRY(CheckTagFilter(call, filter, tags));
        const auto scope = call.principal.ScopeSql(kind, "u.path");
        ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(
            auto found, registry::ListResidents(connection, store, call.services.clock.Today(),
                                                filter, {scope.sql, scope.params}));
        nlohmann::json items = nlohmann::json::array();
        for (const auto& item : found.items) {
          items.push_back(ResidentListItemJson(call.principal, item, tags.sensitive));
        }
        return nlohmann::json{{"total", found.total},
                              {"page", filter.page},
                              {"page_size", filter.page_size},
                              {"items", items}};
      });
  STEWARD_TRY(page);
  call.cache_note = ListNote(call, (*page)["items"].size(), (*page)["total"].get<int64_t>());
  STEWARD_TRY(AuditList(call, call.cache_note));
  return JsonResponse(*page);
}

}  // namespace

nlohmann::json ResidentListItemJson(const auth::Principal& principal,
                                    const registry::ResidentListItem& item,
                                    std::span<const std::string> sensitive_tags) {
  const auth::RecordAccess access = auth::AccessTo(principal, item.unit_path);
  const auth::ResidentFields fields = auth::FieldsFor(principal, access, false);
  nlohmann::json json = {
      {"id", IdJson(item.id)},
      {"name", item.name},
      {"id_number", item.id_number_masked ? nlohmann::json(*item.id_number_masked) : nullptr},
      {"phone", item.phone_masked ? nlohmann::json(*item.phone_masked) : nullptr},
      {"unit", {{"id", IdJson(item.unit_id)}, {"name", item.unit_name}}},
      {"access", access == auth::RecordAccess::kSearchOnly ? "search" : "view"}};
  if (fields.details) {
    json["gender"] = item.gender;
    json["birth_date"] = item.birth_date ? nlohmann::json(*item.birth_date) : nullptr;
    json["age"] = item.age ? nlohmann::json(*item.age) : nullptr;
    json["household_id"] = OptIdJson(item.household_id);
    json["residence_status"] = item.residence_status;
    json["relation_to_head"] = item.relation_to_head;
    json["tags"] = auth::VisibleTags(item.tags, sensitive_tags, fields);
    json["version"] = item.version;
  }
  return json;
}

namespace {

// The resident with the caller's access to it; kNotFound outside every scope.
struct Visible {
  registry::Resident resident;
  std::string unit_path;
  std::string unit_name;
  auth::RecordAccess access = auth::RecordAccess::kNone;
};

Result<Visible> LoadVisible(ApiCall& call, storage::Connection& connection, Id id) {
  ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
  auto resident = store.Get(connection, id);
  if (!resident || resident->deleted_reason) {
    return Fail(ErrorCode::kNotFound, "没有这个居民 / no such resident");
  }
  STEWARD_ASSIGN_OR_RETURN(
      auto unit,
      connection.Query("SELECT path, name FROM org_unit WHERE id = ?", {resident->unit_id}));
  if (unit.empty()) return Fail(ErrorCode::kNotFound, "没有这个居民 / no such resident");
  Visible visible{std::move(*resident), unit.Text(0, 0), unit.Text(0, 1)};
  visible.access = auth::AccessTo(call.principal, visible.unit_path);
  // Only list searches by exact number reach search-only records; a detail needs view.
  if (visible.access == auth::RecordAccess::kNone ||
      visible.access == auth::RecordAccess::kSearchOnly) {
    return Fail(ErrorCode::kNotFound, "没有这个居民 / no such resident");
  }
  return visible;
}

Result<nlohmann::json> ResidentJson(ApiCall& call, storage::Connection& connection,
                                    const Visible& visible, bool unmasked,
                                    std::vector<std::string>* plain_fields) {
  const registry::Resident& r = visible.resident;
  ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
  STEWARD_ASSIGN_OR_RETURN(auto tags, LoadTags(connection));
  const auth::ResidentFields fields = auth::FieldsFor(call.principal, visible.access, unmasked);
  nlohmann::json id_number = r.id_number_masked ? nlohmann::json(*r.id_number_masked) : nullptr;
  if (fields.plain_id_number && r.id_number_sealed) {
    STEWARD_ASSIGN_OR_RETURN(id_number, store.RevealIdNumber(r));
    plain_fields->push_back("id_number");
  }
  nlohmann::json phones = nlohmann::json::array();
  for (const auto& phone : r.phones) {
    if (fields.plain_phones) {
      STEWARD_ASSIGN_OR_RETURN(auto plain, store.RevealPhone(phone));
      phones.push_back(plain);
    } else {
      phones.push_back(phone.masked);
    }
  }
  if (fields.plain_phones && !r.phones.empty()) plain_fields->push_back("phones");
  return nlohmann::json{{"id", IdJson(r.id)},
                        {"name", r.name},
                        {"gender", registry::GenderCode(r.gender)},
                        {"birth_date", r.birth_date ? nlohmann::json(*r.birth_date) : nullptr},
                        {"ethnicity", r.ethnicity},
                        {"id_number", id_number},
                        {"phones", phones},
                        {"unit", {{"id", IdJson(r.unit_id)}, {"name", visible.unit_name}}},
                        {"household_id", OptIdJson(r.household_id)},
                        {"hukou_address", r.hukou_address},
                        {"residence_status", registry::ResidenceStatusName(r.residence_status)},
                        {"relation_to_head", r.relation_to_head},
                        {"tags", auth::VisibleTags(r.tags, tags.sensitive, fields)},
                        {"notes", r.notes},
                        {"version", r.version},
                        {"unmasked", !plain_fields->empty()}};
}

Response WithEtag(Response response, int64_t version) {
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  return response;
}

Result<Response> GetResident(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  std::vector<std::string> plain_fields;
  int64_t version = 0;
  auto body =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, connection, id));
        version = visible.resident.version;
        auth::UnmaskStore unmask(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(bool granted,
                                 unmask.IsUnmasked(connection, call.principal.user_id(), id));
        STEWARD_ASSIGN_OR_RETURN(auto json,
                                 ResidentJson(call, connection, visible, granted, &plain_fields));
        // Household members (masked, no details beyond name and relation).
        nlohmann::json members = nlohmann::json::array();
        if (visible.resident.household_id) {
          STEWARD_ASSIGN_OR_RETURN(
              auto rows, connection.Query("SELECT id, name, relation_to_head, gender, birth_date "
                                          "FROM resident WHERE household_id = ? AND deleted_at IS "
                                          "NULL AND id <> ? ORDER BY id",
                                          {*visible.resident.household_id, id}));
          for (size_t i = 0; i < rows.size(); ++i) {
            members.push_back(
                {{"id", IdJson(rows.Int(i, 0))},
                 {"name", rows.Text(i, 1)},
                 {"relation_to_head", rows.Text(i, 2)},
                 {"gender", rows.Text(i, 3)},
                 {"birth_date",
                  rows.OptText(i, 4) ? nlohmann::json(*rows.OptText(i, 4)) : nullptr}});
          }
        }
        json["household_members"] = members;
        // History: who changed which fields, when, from where; personal values never shown.
        STEWARD_ASSIGN_OR_RETURN(auto history, storage::ReadHistory(connection, "resident", id));
        nlohmann::json changes = nlohmann::json::array();
        for (const auto& entry : history) {
          nlohmann::json names = nlohmann::json::array();
          nlohmann::json values = nlohmann::json::object();
          if (entry.fields.is_object()) {
            for (const auto& [field, value] : entry.fields.items()) {
              names.push_back(field);
              const bool personal = field == "id_number" || field == "phones" ||
                                    field.starts_with("id_number") || field.starts_with("phone");
              if (!personal && entry.op == "update" && value.is_object() && value.contains("new")) {
                values[field] = value;
              }
            }
          }
          changes.push_back({{"seq", entry.seq},
                             {"at", entry.at_millis},
                             {"actor", entry.actor},
                             {"source", entry.source},
                             {"op", entry.op},
                             {"version", entry.version},
                             {"fields", names},
                             {"changes", values}});
        }
        json["history"] = changes;
        return json;
      });
  STEWARD_TRY(body);
  STEWARD_TRY(call.Audit("resident.view", "resident:" + std::to_string(id),
                         {{"plain_fields", plain_fields}}));
  return WithEtag(JsonResponse(*body), version);
}

// Parses the fields of a create or update body into a patch; `today` judges ID numbers.
Result<registry::ResidentPatch> PatchFrom(const nlohmann::json& body, Date today,
                                          const TagDictionary& tags, const ApiCall& call) {
  registry::ResidentPatch patch;
  std::vector<ErrorDetail> problems;
  auto text = [&](const char* field) -> std::optional<std::string> {
    if (!body.contains(field) || body[field].is_null()) return std::nullopt;
    return body[field].get<std::string>();
  };
  if (auto name = text("name")) {
    std::string trimmed = *name;
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
    if (trimmed.empty())
      problems.push_back({"name", "name.missing", "姓名必填 / name is required"});
    patch.name = trimmed;
  }
  if (auto gender = text("gender")) {
    registry::Gender parsed;
    if (registry::ParseGender(*gender, &parsed)) {
      patch.gender = parsed;
    } else {
      problems.push_back({"gender", "gender.invalid", "性别应为男或女 / male or female"});
    }
  }
  if (body.contains("birth_date")) {
    if (body["birth_date"].is_null()) {
      patch.birth_date = std::optional<Date>();
    } else if (Date date;
               Date::Parse(body["birth_date"].get<std::string>(), &date) && date <= today) {
      patch.birth_date = std::optional<Date>(date);
    } else {
      problems.push_back({"birth_date", "birth_date.invalid",
                          "出生日期应为过去的 YYYY-MM-DD / a past YYYY-MM-DD"});
    }
  }
  if (body.contains("id_number")) {
    if (body["id_number"].is_null()) {
      patch.id_number = std::optional<std::string>();
    } else {
      auto checked = registry::CheckIdNumber(body["id_number"].get<std::string>(), today);
      if (!checked) {
        for (auto detail : checked.error().details) problems.push_back(std::move(detail));
      } else {
        patch.id_number = std::optional<std::string>(checked->normalized);
        // The ID number decides gender and birth date when the body does not contradict it.
        if (patch.gender && *patch.gender != checked->gender) {
          problems.push_back({"gender", "gender.contradicts_id",
                              "性别与身份证号不符 / gender contradicts the ID number"});
        }
        if (!patch.gender) patch.gender = checked->gender;
        if (!patch.birth_date) patch.birth_date = std::optional<Date>(checked->birth_date);
      }
    }
  }
  if (body.contains("phones")) {
    std::vector<registry::PhoneInfo> phones;
    for (const auto& phone : body["phones"]) {
      auto normalized = registry::NormalizePhone(phone.get<std::string>());
      if (!normalized) {
        problems.push_back({"phones", "phone.invalid", "电话号码格式有误 / not a phone number"});
      } else {
        phones.push_back(*normalized);
      }
    }
    patch.phones = std::move(phones);
  }
  if (body.contains("unit_id")) patch.unit_id = IdValue(body["unit_id"]);
  if (body.contains("household_id")) {
    patch.household_id = body["household_id"].is_null()
                             ? std::optional<Id>()
                             : std::optional<Id>(IdValue(body["household_id"]));
  }
  if (auto value = text("ethnicity")) patch.ethnicity = *value;
  if (auto value = text("hukou_address")) patch.hukou_address = *value;
  if (auto value = text("relation_to_head")) patch.relation_to_head = *value;
  if (auto value = text("notes")) patch.notes = *value;
  if (auto status = text("residence_status")) {
    registry::ResidenceStatus parsed;
    if (registry::ParseResidenceStatus(*status, &parsed)) {
      patch.residence_status = parsed;
    } else {
      problems.push_back({"residence_status", "residence_status.invalid",
                          "人户状态有误 / unknown residence status"});
    }
  }
  if (body.contains("tags")) {
    std::vector<std::string> codes;
    for (const auto& tag : body["tags"]) {
      const std::string code = tag.get<std::string>();
      if (!tags.codes.contains(code)) {
        problems.push_back({"tags", "tag.unknown", "没有这个标签 / unknown tag: " + code});
      } else if (std::find(tags.sensitive.begin(), tags.sensitive.end(), code) !=
                     tags.sensitive.end() &&
                 !call.principal.Can(auth::permission::kSensitiveView)) {
        return Fail(ErrorCode::kPermissionDenied,
                    "没有设置敏感标签的权限 / no access to sensitive tags");
      }
      codes.push_back(code);
    }
    patch.tags = std::move(codes);
  }
  if (!problems.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                std::move(problems));
  }
  return patch;
}

// A relation to the head written through the API is an enabled item of the relation_to_head
// dictionary (400 otherwise), unless it is empty or the value already stored: imports keep
// accepting any text, and a resident imported with one stays editable.
Status CheckRelation(storage::Connection& connection, const registry::ResidentPatch& patch,
                     std::string_view stored) {
  if (!patch.relation_to_head || patch.relation_to_head->empty() ||
      *patch.relation_to_head == stored) {
    return Ok();
  }
  return registry::CheckDictionaryCode(connection, "relation_to_head", *patch.relation_to_head,
                                       "relation_to_head");
}

// The unit a record may be written to: inside the caller's capture scope.
Result<std::string> CapturePath(ApiCall& call, storage::Connection& connection, Id unit) {
  STEWARD_ASSIGN_OR_RETURN(auto row,
                           connection.Query("SELECT path FROM org_unit WHERE id = ?", {unit}));
  if (row.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "没有这个单位 / no such unit",
                {{"unit_id", "unit.unknown", "没有这个单位 / no such unit"}});
  }
  if (!call.principal.Scope(auth::ScopeKind::kCapture).Contains(row.Text(0, 0))) {
    return Fail(ErrorCode::kPermissionDenied,
                "只能登记本人负责范围内的居民 / outside the units you may edit");
  }
  return row.Text(0, 0);
}

Result<Response> CreateResident(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kResidentFields));
  if (!body.contains("name") || !body.contains("unit_id")) {
    return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                {{body.contains("name") ? "unit_id" : "name", "required", "必填 / required"}});
  }
  const Date today = call.services.clock.Today();
  ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
  Id created = 0;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        storage::Connection& connection = transaction.connection();
        STEWARD_ASSIGN_OR_RETURN(auto tags, LoadTags(connection));
        STEWARD_ASSIGN_OR_RETURN(auto patch, PatchFrom(body, today, tags, call));
        STEWARD_TRY(CapturePath(call, connection, *patch.unit_id));
        STEWARD_TRY(CheckRelation(connection, patch, ""));
        registry::NewResident resident;
        resident.unit_id = *patch.unit_id;
        resident.name = *patch.name;
        if (!patch.gender) {
          return Fail(ErrorCode::kInvalidArgument, "请求内容有误 / the request has invalid fields",
                      {{"gender", "required", "无身份证号时性别必填 / gender is required"}});
        }
        resident.gender = *patch.gender;
        if (patch.birth_date) resident.birth_date = *patch.birth_date;
        if (patch.id_number && *patch.id_number) {
          STEWARD_ASSIGN_OR_RETURN(auto existing,
                                   store.FindByIdNumber(connection, **patch.id_number));
          if (existing) {
            return Fail(
                ErrorCode::kAlreadyExists, "该身份证号已登记 / this ID number is registered",
                {{"id_number", "id_number.duplicate", "该身份证号已登记 / already registered"}});
          }
          resident.id_number = **patch.id_number;
        }
        if (patch.household_id && *patch.household_id) {
          STEWARD_ASSIGN_OR_RETURN(
              auto household,
              connection.QueryInt("SELECT id FROM household WHERE id = ?", {**patch.household_id}));
          if (!household) {
            return Fail(ErrorCode::kInvalidArgument, "没有这一户 / no such household",
                        {{"household_id", "household.unknown", "没有这一户 / no such household"}});
          }
          resident.household_id = **patch.household_id;
        }
        if (patch.phones) resident.phones = *patch.phones;
        if (patch.ethnicity) resident.ethnicity = *patch.ethnicity;
        if (patch.hukou_address) resident.hukou_address = *patch.hukou_address;
        if (patch.residence_status) resident.residence_status = *patch.residence_status;
        if (patch.relation_to_head) resident.relation_to_head = *patch.relation_to_head;
        if (patch.tags) resident.tags = *patch.tags;
        if (patch.notes) resident.notes = *patch.notes;
        STEWARD_ASSIGN_OR_RETURN(created, store.Create(transaction, resident));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("resident.create", "resident:" + std::to_string(created), {}));
  std::vector<std::string> plain;
  auto json =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, connection, created));
        return ResidentJson(call, connection, visible, false, &plain);
      });
  STEWARD_TRY(json);
  Response response = WithEtag(JsonResponse(*json, 201), (*json)["version"].get<int64_t>());
  response.headers.emplace_back("Location", "/api/v1/residents/" + std::to_string(created));
  return response;
}

Result<Response> UpdateResident(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kResidentFields));
  const Date today = call.services.clock.Today();
  ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
  std::vector<std::string> changed;
  for (const auto& [field, value] : body.items()) changed.push_back(field);
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        storage::Connection& connection = transaction.connection();
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, connection, id));
        if (!call.principal.Scope(auth::ScopeKind::kCapture).Contains(visible.unit_path)) {
          return Fail(ErrorCode::kPermissionDenied,
                      "只能修改本人负责范围内的居民 / outside the units you may edit");
        }
        STEWARD_ASSIGN_OR_RETURN(auto tags, LoadTags(connection));
        STEWARD_ASSIGN_OR_RETURN(auto patch, PatchFrom(body, today, tags, call));
        if (patch.unit_id) STEWARD_TRY(CapturePath(call, connection, *patch.unit_id));
        STEWARD_TRY(CheckRelation(connection, patch, visible.resident.relation_to_head));
        if (patch.id_number && *patch.id_number) {
          STEWARD_ASSIGN_OR_RETURN(auto existing,
                                   store.FindByIdNumber(connection, **patch.id_number));
          if (existing && *existing != id) {
            return Fail(
                ErrorCode::kAlreadyExists, "该身份证号已登记 / this ID number is registered",
                {{"id_number", "id_number.duplicate", "该身份证号已登记 / already registered"}});
          }
        }
        // A tag list from a caller who cannot see sensitive tags keeps the hidden ones.
        if (patch.tags && !call.principal.Can(auth::permission::kSensitiveView)) {
          for (const auto& tag : visible.resident.tags) {
            if (std::find(tags.sensitive.begin(), tags.sensitive.end(), tag) !=
                tags.sensitive.end()) {
              patch.tags->push_back(tag);
            }
          }
        }
        STEWARD_TRY(store.Update(transaction, id, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(
      call.Audit("resident.update", "resident:" + std::to_string(id), {{"fields", changed}}));
  std::vector<std::string> plain;
  auto json =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, connection, id));
        return ResidentJson(call, connection, visible, false, &plain);
      });
  STEWARD_TRY(json);
  return WithEtag(JsonResponse(*json), (*json)["version"].get<int64_t>());
}

Result<Response> DeleteResident(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kDeleteFields));
  ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
  const std::string reason = body["reason"];
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, transaction.connection(), id));
        if (!call.principal.Scope(auth::ScopeKind::kCapture).Contains(visible.unit_path)) {
          return Fail(ErrorCode::kPermissionDenied,
                      "只能修改本人负责范围内的居民 / outside the units you may edit");
        }
        return store.SoftDelete(transaction, id, *expected, reason);
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  STEWARD_TRY(
      call.Audit("resident.delete", "resident:" + std::to_string(id), {{"reason", reason}}));
  return JsonResponse({{"ok", true}});
}

Result<Response> UnmaskResident(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUnmaskFields));
  const std::string purpose = body["purpose"];
  auth::UnmaskStore unmask(call.services.ids, call.services.clock);
  int64_t expires_at = 0;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, transaction.connection(), id));
        STEWARD_ASSIGN_OR_RETURN(
            auto grant, unmask.Grant(transaction, call.principal, id, visible.unit_path, purpose));
        expires_at = grant.expires_at;
        return Ok();
      }));
  std::vector<std::string> plain;
  auto json =
      call.services.database.Read([&](storage::Connection& connection) -> Result<nlohmann::json> {
        STEWARD_ASSIGN_OR_RETURN(Visible visible, LoadVisible(call, connection, id));
        return ResidentJson(call, connection, visible, true, &plain);
      });
  STEWARD_TRY(json);
  STEWARD_TRY(call.Audit("pii.unmask", "resident:" + std::to_string(id),
                         {{"purpose", purpose}, {"fields", plain}, {"expires_at", expires_at}}));
  nlohmann::json out = *json;
  out["unmask_expires_at"] = expires_at;
  return JsonResponse(out);
}

}  // namespace

void AddResidentRoutes(Server& server, const Api& api) {
  api.Cached(server, "/api/v1/residents", auth::permission::kResidentView, ListResidents,
             AuditList);
  server.Route("POST", "/api/v1/residents",
               api.Gate(auth::permission::kResidentCreate, CreateResident));
  server.Route("GET", "/api/v1/residents/{id}",
               api.Gate(auth::permission::kResidentView, GetResident));
  server.Route("PATCH", "/api/v1/residents/{id}",
               api.Gate(auth::permission::kResidentEdit, UpdateResident));
  server.Route("DELETE", "/api/v1/residents/{id}",
               api.Gate(auth::permission::kResidentDelete, DeleteResident));
  server.Route("POST", "/api/v1/residents/{id}/unmask",
               api.Gate(auth::permission::kPiiUnmask, UnmaskResident));
}

}  // namespace steward::http::handlers
