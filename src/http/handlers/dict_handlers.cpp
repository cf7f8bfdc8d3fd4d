// /api/v1/dict: the dictionaries (RuoYi's dict data) the console's forms and filters offer, and
// their editing by admins (system:dict:edit, audited). Tags keep their own endpoints and table;
// the other dictionaries live in `dictionary_item` (registry/dictionary.hpp).
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "registry/dictionary.hpp"

namespace steward::http::handlers {
namespace {

// The assistance types are sensitive, like the tags that name them.
bool Visible(const ApiCall& call, std::string_view type) {
  return type != "assistance" || call.principal.Can(auth::permission::kSensitiveView);
}

Result<Response> ListTags(ApiCall& call) {
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(
        auto rows, connection.Query("SELECT code, name, sensitive, builtin, sort_order FROM tag "
                                    "ORDER BY sort_order, code"));
    const bool sensitive_allowed = call.principal.Can(auth::permission::kSensitiveView);
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
      const bool sensitive = rows.Int(i, 2) != 0;
      if (sensitive && !sensitive_allowed) continue;
      items.push_back({{"code", rows.Text(i, 0)},
                       {"name", rows.Text(i, 1)},
                       {"sensitive", sensitive},
                       {"builtin", rows.Int(i, 3) != 0}});
    }
    return JsonResponse({{"items", items}});
  });
}

constexpr FieldSpec kTagFields[] = {
    {"code", FieldType::kString, true, false, 40},
    {"name", FieldType::kString, true, false, 20},
    {"sensitive", FieldType::kBoolean},
    {"sort_order", FieldType::kInteger},
};
constexpr FieldSpec kTagUpdateFields[] = {
    {"name", FieldType::kString, false, false, 20},
    {"sensitive", FieldType::kBoolean},
    {"sort_order", FieldType::kInteger},
};

// Every dictionary the console's forms and filters need, in one answer (RuoYi's dict data):
// {"tags": [...], "<type>": [{"code", "label", "label_en"}...]}, enabled items in their order.
// The assistance types only with registry:sensitive:view.
Result<Response> AllDictionaries(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Response tags, ListTags(call));
  STEWARD_ASSIGN_OR_RETURN(
      auto items, call.services.database.Read([](storage::Connection& connection) {
        return registry::DictionaryStore::List(connection, "", registry::DisabledItems::kHidden);
      }));
  nlohmann::json body = {{"tags", nlohmann::json::parse(tags.body)["items"]}};
  for (std::string_view type : registry::DictionaryTypes()) {
    if (Visible(call, type)) body[std::string(type)] = nlohmann::json::array();
  }
  for (const auto& item : items) {
    if (!body.contains(item.type)) continue;
    body[item.type].push_back(
        {{"code", item.code}, {"label", item.label}, {"label_en", item.label_en}});
  }
  return JsonResponse(body);
}

bool ValidTagCode(const std::string& code) {
  if (code.empty() || code.size() > 40) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<Response> CreateTag(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTagFields));
  const std::string code = body["code"];
  if (!ValidTagCode(code)) {
    return Fail(ErrorCode::kInvalidArgument, "标签代码只能用小写字母、数字和下划线 / a-z 0-9 _",
                {{"code", "tag.code_invalid", "小写字母、数字和下划线 / a-z 0-9 _"}});
  }
  const bool sensitive = body.value("sensitive", false);
  const int64_t sort_order = body.value("sort_order", int64_t{1000});
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(auto existing, transaction.connection().QueryInt(
                                                    "SELECT 1 FROM tag WHERE code = ?", {code}));
        if (existing) {
          return Fail(ErrorCode::kAlreadyExists, "标签代码已存在 / the tag exists",
                      {{"code", "tag.duplicate", "已存在 / exists"}});
        }
        STEWARD_TRY(transaction.connection().Execute(
            "INSERT INTO tag (code, name, sensitive, builtin, sort_order) VALUES (?, ?, ?, 0, ?)",
            {code, body["name"].get<std::string>(), int64_t{sensitive ? 1 : 0}, sort_order}));
        transaction.RecordChange(
            {"tag",
             0,
             1,
             storage::ChangeOp::kCreate,
             {{"code", code}, {"name", body["name"]}, {"sensitive", sensitive}}});
        return Ok();
      }));
  STEWARD_TRY(call.Audit("dict.tag.create", "tag:" + code, {{"name", body["name"]}}));
  return JsonResponse({{"code", code}}, 201);
}

Result<Response> UpdateTag(ApiCall& call) {
  const std::string code = call.request.params.at("code");
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTagUpdateFields));
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        auto& connection = transaction.connection();
        STEWARD_ASSIGN_OR_RETURN(
            auto rows, connection.Query("SELECT name, sensitive, sort_order, builtin FROM "
                                        "tag WHERE code = ?",
                                        {code}));
        if (rows.empty()) return Fail(ErrorCode::kNotFound, "没有这个标签 / no such tag");
        // A built-in tag's sensitivity is part of the law's protection: it cannot be lowered.
        if (rows.Int(0, 3) != 0 && rows.Int(0, 1) != 0 && body.contains("sensitive") &&
            !body["sensitive"].get<bool>()) {
          return Fail(
              ErrorCode::kFailedPrecondition,
              "内置敏感标签不能改为非敏感 / a built-in sensitive tag stays sensitive",
              {{"sensitive", "tag.builtin_sensitive", "内置敏感标签 / built-in sensitive"}});
        }
        const std::string name = body.value("name", rows.Text(0, 0));
        const bool sensitive = body.value("sensitive", rows.Int(0, 1) != 0);
        const int64_t sort_order = body.value("sort_order", rows.Int(0, 2));
        STEWARD_TRY(connection.Execute(
            "UPDATE tag SET name = ?, sensitive = ?, sort_order = ? WHERE code = ?",
            {name, int64_t{sensitive ? 1 : 0}, sort_order, code}));
        transaction.RecordChange(
            {"tag",
             0,
             1,
             storage::ChangeOp::kUpdate,
             {{"code", code},
              {"name", {{"old", rows.Text(0, 0)}, {"new", name}}},
              {"sensitive", {{"old", rows.Int(0, 1) != 0}, {"new", sensitive}}}}});
        return Ok();
      }));
  STEWARD_TRY(call.Audit("dict.tag.update", "tag:" + code, body));
  return JsonResponse({{"code", code}});
}

nlohmann::json ItemJson(const registry::DictionaryItem& item) {
  return {{"id", IdJson(item.id)},         {"code", item.code},
          {"label", item.label},           {"label_en", item.label_en},
          {"sort_order", item.sort_order}, {"enabled", item.enabled},
          {"builtin", item.builtin},       {"version", item.version}};
}

Response ItemResponse(const registry::DictionaryItem& item, int status = 200) {
  Response response = JsonResponse(ItemJson(item), status);
  response.headers.emplace_back("ETag", "\"" + std::to_string(item.version) + "\"");
  return response;
}

// The `{type}` of the path: a known dictionary the caller may see.
Result<std::string> TypeParam(const ApiCall& call) {
  std::string type = call.request.params.at("type");
  if (!registry::DictionaryCodesOf(type)) {
    return Fail(ErrorCode::kNotFound, "没有这个字典 / no such dictionary");
  }
  if (!Visible(call, type)) {
    return Fail(ErrorCode::kPermissionDenied,
                "没有查看救助类别的权限 / no access to assistance types");
  }
  return type;
}

// One dictionary with every item, disabled ones too, for its editing page.
Result<Response> ListDictionary(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(std::string type, TypeParam(call));
  STEWARD_ASSIGN_OR_RETURN(
      auto items, call.services.database.Read([&](storage::Connection& connection) {
        return registry::DictionaryStore::List(connection, type, registry::DisabledItems::kShown);
      }));
  nlohmann::json json = nlohmann::json::array();
  for (const auto& item : items) json.push_back(ItemJson(item));
  const bool open = registry::DictionaryCodesOf(type) == registry::DictionaryCodes::kOpen;
  return JsonResponse({{"type", type}, {"open", open}, {"items", json}});
}

constexpr FieldSpec kItemFields[] = {
    {"code", FieldType::kString, true, false, 20},
    {"label", FieldType::kString, false, false, 20},
    {"label_en", FieldType::kString, false, false, 40},
    {"sort_order", FieldType::kInteger},
};
constexpr FieldSpec kItemUpdateFields[] = {
    {"label", FieldType::kString, false, false, 20},
    {"label_en", FieldType::kString, false, false, 40},
    {"sort_order", FieldType::kInteger},
    {"enabled", FieldType::kBoolean},
};

// POST: a new item of an open dictionary (relation_to_head); fixed ones answer 409.
Result<Response> AddDictionaryItem(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(std::string type, TypeParam(call));
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kItemFields));
  registry::NewDictionaryItem item{body["code"], body.value("label", ""),
                                   body.value("label_en", ""), std::nullopt};
  if (body.contains("sort_order")) item.sort_order = body["sort_order"].get<int64_t>();
  registry::DictionaryItem added;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        registry::DictionaryStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(added, store.Add(transaction, type, item));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("dict.item.create", "dictionary_item:" + std::to_string(added.id),
                         {{"type", type}, {"code", added.code}, {"label", added.label}}));
  return ItemResponse(added, 201);
}

// PATCH (If-Match): label, English label, order; `enabled` only for items admins added.
Result<Response> UpdateDictionaryItem(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(std::string type, TypeParam(call));
  const std::string code = call.request.params.at("code");
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, std::move(expected).error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kItemUpdateFields));
  registry::DictionaryItemPatch patch;
  if (body.contains("label")) patch.label = body["label"].get<std::string>();
  if (body.contains("label_en")) patch.label_en = body["label_en"].get<std::string>();
  if (body.contains("sort_order")) patch.sort_order = body["sort_order"].get<int64_t>();
  if (body.contains("enabled")) patch.enabled = body["enabled"].get<bool>();
  registry::DictionaryItem updated;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        registry::DictionaryStore store(call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(updated, store.Update(transaction, type, code, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, std::move(written).error());
  nlohmann::json detail = body;
  detail["type"] = type;
  detail["code"] = code;
  STEWARD_TRY(call.Audit("dict.item.update", "dictionary_item:" + std::to_string(updated.id),
                         std::move(detail)));
  return ItemResponse(updated);
}

}  // namespace

void AddDictRoutes(Server& server, const Api& api) {
  using auth::permission::kDictEdit;
  server.Route("GET", "/api/v1/dict", api.Gate("", AllDictionaries));
  // Literal segments win over `{type}`: the tag routes stay as they were.
  server.Route("GET", "/api/v1/dict/tags", api.Gate("", ListTags));
  server.Route("POST", "/api/v1/dict/tags", api.Gate(kDictEdit, CreateTag));
  server.Route("PATCH", "/api/v1/dict/tags/{code}", api.Gate(kDictEdit, UpdateTag));
  server.Route("GET", "/api/v1/dict/{type}", api.Gate("", ListDictionary));
  server.Route("POST", "/api/v1/dict/{type}", api.Gate(kDictEdit, AddDictionaryItem));
  server.Route("PATCH", "/api/v1/dict/{type}/{code}", api.Gate(kDictEdit, UpdateDictionaryItem));
}

}  // namespace steward::http::handlers
