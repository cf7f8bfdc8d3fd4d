// /api/v1/segments: segments (人群圈选). Evaluate a query (text, the console builder's JSON tree,
// or a saved segment's version) against the in-memory read model (segment::ResidentModel, kept
// by one segment::ModelHolder per server and caught up from the change log before each
// evaluation, so a write committed before the request is always seen), and keep saved segments
// with their versions (segment::SegmentStore).
//
// Scope: every result is intersected with the caller's view scope, always; breakdowns count only
// what is left. Sensitive data: a query naming a sensitive tag or the assistance type needs
// registry:sensitive:view (403 otherwise), since its count would reveal them. Residents on a page
// are masked like the resident list (ResidentListItemJson), and a request that shows residents
// leaves one audit entry (segment.list: the masked query and the row count). Saved segments:
// creating, editing and deleting is audited (segment.create / segment.update / segment.delete).
// Export: POST /api/v1/segments/export writes the selected residents (in scope) to Excel as an
// export job, with the permissions and audit of POST /api/v1/exports.
#include <algorithm>
#include <chrono>
#include <memory>

#include "audit/mask.hpp"
#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "registry/resident.hpp"
#include "segment/model_holder.hpp"
#include "segment/query.hpp"
#include "segment/saved.hpp"

namespace steward::http::handlers {
namespace {

namespace p = auth::permission;

constexpr int kTreeDepth = 2 * segment::kMaxDepth + 8;  // an object and an array per level

constexpr FieldSpec kEvaluateFields[] = {
    {"query", FieldType::kString, false, false, segment::kMaxTextBytes},
    {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, kTreeDepth},
    {"segment_id", FieldType::kId},
    {"version", FieldType::kNumber, false, false, 200, 1, 1e15},
    {"breakdown", FieldType::kString, false, false, 20},
    {"page", FieldType::kNumber, false, false, 200, 1, 1e9},
    {"page_size", FieldType::kNumber, false, false, 200, 0, 200},
    {"explain", FieldType::kBoolean},
};
constexpr FieldSpec kCreateFields[] = {
    {"name", FieldType::kString, true, false, 100},
    {"description", FieldType::kString, false, false, 1000},
    {"query", FieldType::kString, false, false, segment::kMaxTextBytes},
    {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, kTreeDepth},
};

// The query of a body: exactly one of `query` (text), `tree` (JSON) or, where allowed,
// `segment_id` (with `version`, else the latest). `text` receives nothing but the query.
struct Source {
  segment::Query query;
  std::optional<std::pair<Id, int64_t>> saved;  // segment id and version
};

Result<Source> SourceFrom(const nlohmann::json& body, storage::Database& database,
                          bool allow_saved) {
  const int given = int{body.contains("query")} + int{body.contains("tree")} +
                    int{allow_saved && body.contains("segment_id")};
  if (given != 1) {
    return tl::unexpected(InvalidField(
        "query", "segment.source",
        allow_saved ? "请给出 query（文本）、tree（JSON）或 segment_id 之一 / give exactly one "
                      "of query (text), tree (JSON) or segment_id"
                    : "请给出 query（文本）或 tree（JSON）之一 / give exactly one of query (text) "
                      "or tree (JSON)"));
  }
  Source source;
  if (body.contains("query")) {
    STEWARD_ASSIGN_OR_RETURN(source.query, segment::ParseQuery(body["query"].get<std::string>()));
  } else if (body.contains("tree")) {
    STEWARD_ASSIGN_OR_RETURN(source.query, segment::QueryFromJson(body["tree"]));
  } else {
    const Id id = IdValue(body["segment_id"]);
    STEWARD_ASSIGN_OR_RETURN(
        auto version,
        database.Read([&](storage::Connection& connection) -> Result<segment::SegmentVersion> {
          if (body.contains("version")) {
            return segment::SegmentStore::Version(
                connection, id, static_cast<int64_t>(body["version"].get<double>()));
          }
          STEWARD_ASSIGN_OR_RETURN(auto saved, segment::SegmentStore::Get(connection, id));
          return segment::SegmentStore::Version(connection, id, saved.query_version);
        }));
    STEWARD_ASSIGN_OR_RETURN(source.query, segment::ParseQuery(version.text));
    source.saved = std::make_pair(id, version.version);
  }
  return source;
}

// Tag names and codes of sensitive tags, and whether the query tests any of them or assistance.
void Mentions(const segment::Query& query, std::vector<std::string>& tags, bool& assistance) {
  using segment::NodeKind;
  if (query.kind == NodeKind::kCompare || query.kind == NodeKind::kIn) {
    assistance = assistance || query.field == segment::Field::kAssistance;
  }
  if (query.kind == NodeKind::kCall &&
      (query.function == segment::Function::kHas || query.function == segment::Function::kHasAny ||
       query.function == segment::Function::kHasAll)) {
    tags.insert(tags.end(), query.names.begin(), query.names.end());
  }
  for (const auto& child : query.children) Mentions(child, tags, assistance);
}

Status CheckSensitive(const ApiCall& call, const segment::Query& query) {
  if (call.principal.Can(p::kSensitiveView)) return {};
  std::vector<std::string> tags;
  bool assistance = false;
  Mentions(query, tags, assistance);
  auto refuse = [](const std::string& what) {
    return Fail(ErrorCode::kPermissionDenied,
                "查询条件含敏感信息（" + what +
                    "），需要“查看敏感标签”权限 / the query tests sensitive data (" + what +
                    "): it needs registry:sensitive:view",
                {{"query", "segment.sensitive", what}});
  };
  if (assistance) return refuse("assistance");
  if (tags.empty()) return {};
  return call.services.database.Read([&](storage::Connection& connection) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows,
                             connection.Query("SELECT code, name FROM tag WHERE sensitive <> 0"));
    for (size_t i = 0; i < rows.size(); ++i) {
      for (const auto& tag : tags) {
        if (tag == rows.Text(i, 0) || tag == rows.Text(i, 1)) return refuse(tag);
      }
    }
    return Ok();
  });
}

Result<std::shared_ptr<const segment::ResidentModel>> CurrentModel(const ApiCall& call,
                                                                   segment::ModelHolder& holder) {
  STEWARD_TRY(holder.Refresh(call.services.database));
  auto model = holder.Current();
  if (!model) {
    return Fail(ErrorCode::kUnavailable, "人群模型尚未载入 / the segment model is not loaded yet");
  }
  return model;
}

bool KnownBreakdown(std::string_view kind) {
  return kind == "street" || kind == "community" || kind == "grid" || kind == "micro_grid";
}

int64_t Micros(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

std::vector<Id> ViewRoots(const ApiCall& call) {
  std::vector<Id> roots;
  for (const auto& unit : call.principal.Scope(auth::ScopeKind::kView).roots()) {
    roots.push_back(unit.id);
  }
  return roots;
}

// The rows a query selects inside the caller's view scope (with `steps`, explained).
Result<Roaring> SelectInScope(const ApiCall& call, const segment::ResidentModel& model,
                              const segment::Query& query,
                              std::vector<segment::ExplainStep>* steps = nullptr) {
  const Date today = call.services.clock.Today();
  const int64_t now = call.services.clock.NowMillis();
  STEWARD_ASSIGN_OR_RETURN(auto selected, steps != nullptr ? model.Explain(query, today, steps, now)
                                                           : model.Evaluate(query, today, now));
  selected &= model.ScopeBitmap(ViewRoots(call));
  return selected;
}

Result<Response> Evaluate(ApiCall& call, segment::ModelHolder& holder) {
  const auto started = std::chrono::steady_clock::now();
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kEvaluateFields));
  const std::string breakdown = body.value("breakdown", "");
  if (!breakdown.empty() && !KnownBreakdown(breakdown)) {
    return tl::unexpected(InvalidField("breakdown", "segment.breakdown",
                                       "breakdown 应为 street、community、grid 或 micro_grid / "
                                       "breakdown: street, community, grid or micro_grid"));
  }
  const auto page = static_cast<int64_t>(body.value("page", 1.0));
  const auto page_size = static_cast<int64_t>(body.value("page_size", 0.0));
  STEWARD_ASSIGN_OR_RETURN(auto source, SourceFrom(body, call.services.database, true));
  STEWARD_TRY(CheckSensitive(call, source.query));
  STEWARD_ASSIGN_OR_RETURN(auto model, CurrentModel(call, holder));

  const Date today = call.services.clock.Today();
  const bool explain = body.value("explain", false);
  std::vector<segment::ExplainStep> steps;
  const auto evaluating = std::chrono::steady_clock::now();
  STEWARD_ASSIGN_OR_RETURN(auto selected,
                           SelectInScope(call, *model, source.query, explain ? &steps : nullptr));
  const int64_t evaluate_micros = Micros(evaluating);

  nlohmann::json answer = {{"count", selected.cardinality()},
                           {"text", segment::ToText(source.query)},
                           {"tree", segment::ToJson(source.query)},
                           {"as_of_seq", model->cursor()}};
  if (source.saved) {
    answer["segment"] = {{"id", IdJson(source.saved->first)}, {"version", source.saved->second}};
  }
  if (!breakdown.empty()) {
    nlohmann::json units = nlohmann::json::array();
    for (const auto& unit : model->Breakdown(selected, breakdown)) {
      units.push_back(
          {{"unit_id", IdJson(unit.unit_id)}, {"name", unit.name}, {"count", unit.count}});
    }
    answer["breakdown"] = std::move(units);
  }
  if (page_size > 0) {
    const auto ids =
        model->Page(selected, static_cast<uint64_t>((page - 1) * page_size), page_size);
    nlohmann::json items = nlohmann::json::array();
    if (!ids.empty()) {
      STEWARD_TRY(call.services.database.Read([&](storage::Connection& connection) -> Status {
        STEWARD_ASSIGN_OR_RETURN(auto sensitive,
                                 connection.Query("SELECT code FROM tag WHERE sensitive <> 0"));
        std::vector<std::string> sensitive_tags;
        for (size_t i = 0; i < sensitive.size(); ++i)
          sensitive_tags.push_back(sensitive.Text(i, 0));
        registry::ResidentFilter filter;
        filter.only_ids = ids;
        filter.sort = registry::ResidentSort::kId;
        filter.page_size = static_cast<int>(ids.size());
        const auto condition = call.principal.ScopeSql(auth::ScopeKind::kView, "u.path");
        registry::ResidentStore store(call.services.vault, call.services.ids, call.services.clock);
        STEWARD_ASSIGN_OR_RETURN(auto found,
                                 registry::ListResidents(connection, store, today, filter,
                                                         {condition.sql, condition.params}));
        for (const auto& item : found.items) {
          items.push_back(ResidentListItemJson(call.principal, item, sensitive_tags));
        }
        return Ok();
      }));
    }
    answer["page"] = page;
    answer["page_size"] = page_size;
    STEWARD_TRY(call.Audit("segment.list", "",
                           {{"query", audit::MaskForAudit(segment::ToText(source.query))},
                            {"rows", items.size()},
                            {"total", selected.cardinality()}}));
    answer["items"] = std::move(items);
  }
  if (explain) {
    nlohmann::json json_steps = nlohmann::json::array();
    for (const auto& step : steps) {
      json_steps.push_back(
          {{"node", step.node}, {"count", step.cardinality}, {"microseconds", step.microseconds}});
    }
    const std::vector<Id> roots = ViewRoots(call);
    answer["explain"] = {
        {"steps", std::move(json_steps)},
        {"scope", {{"units", roots.size()}, {"count", model->ScopeBitmap(roots).cardinality()}}},
        {"evaluate_microseconds", evaluate_micros},
        {"model_residents", model->size()}};
  }
  answer["elapsed_microseconds"] = Micros(started);
  return JsonResponse(answer);
}

// POST /api/v1/segments/export: the residents a query selects inside the caller's view scope, as
// an export job (StartResidentExport: the permissions, audit and file of POST /api/v1/exports).
Result<Response> ExportSegment(ApiCall& call, segment::ModelHolder& holder) {
  constexpr FieldSpec kExportFields[] = {
      {"query", FieldType::kString, false, false, segment::kMaxTextBytes},
      {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, kTreeDepth},
      {"segment_id", FieldType::kId},
      {"version", FieldType::kNumber, false, false, 200, 1, 1e15},
      {"format", FieldType::kString, false, false, 10},
      {"unmasked", FieldType::kBoolean},
      {"purpose", FieldType::kString, false, false, 500},
  };
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kExportFields));
  STEWARD_ASSIGN_OR_RETURN(auto source, SourceFrom(body, call.services.database, true));
  STEWARD_TRY(CheckSensitive(call, source.query));
  STEWARD_ASSIGN_OR_RETURN(auto model, CurrentModel(call, holder));
  STEWARD_ASSIGN_OR_RETURN(auto selected, SelectInScope(call, *model, source.query));
  ExportSelection selection;
  selection.resident_ids = model->Ids(selected);
  std::sort(selection.resident_ids.begin(), selection.resident_ids.end());
  selection.query = audit::MaskForAudit(segment::ToText(source.query));
  selection.label = "人群";
  if (source.saved) {
    STEWARD_ASSIGN_OR_RETURN(auto saved,
                             call.services.database.Read([&](storage::Connection& connection) {
                               return segment::SegmentStore::Get(connection, source.saved->first);
                             }));
    selection.label = saved.name + "（第" + std::to_string(source.saved->second) + "版）";
  }
  // The route is gated by segment:query:run; exporting needs registry:export:run too.
  if (!call.principal.Can(p::kExportRun)) {
    return Fail(ErrorCode::kPermissionDenied, "没有导出权限 / no permission to export");
  }
  return StartResidentExport(call, body, &selection);
}

nlohmann::json SegmentJson(const segment::SavedSegment& segment) {
  return {{"id", IdJson(segment.id)},
          {"name", segment.name},
          {"description", segment.description},
          {"version", segment.version},
          {"query_version", segment.query_version},
          {"text", segment.text},
          {"tree", segment.tree},
          {"created_by", segment.created_by},
          {"created_at", segment.created_at},
          {"updated_at", segment.updated_at}};
}

nlohmann::json VersionJson(const segment::SegmentVersion& version) {
  return {{"version", version.version},
          {"text", version.text},
          {"tree", version.tree},
          {"created_by", version.created_by},
          {"created_at", version.created_at}};
}

Response SegmentResponse(const segment::SavedSegment& segment, int status = 200) {
  Response response = JsonResponse(SegmentJson(segment), status);
  response.headers.emplace_back("ETag", "\"" + std::to_string(segment.version) + "\"");
  return response;
}

// A query to save: it must parse and name only units, tags, buildings and complexes that exist
// (the model resolves them), and the caller must be allowed the data it tests.
Status CheckSavable(ApiCall& call, segment::ModelHolder& holder, const segment::Query& query) {
  STEWARD_TRY(CheckSensitive(call, query));
  STEWARD_ASSIGN_OR_RETURN(auto model, CurrentModel(call, holder));
  return model->Evaluate(query, call.services.clock.Today(), call.services.clock.NowMillis())
      .transform([](Roaring&&) {});
}

Result<Response> ListSegments(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto segments,
                           call.services.database.Read([](storage::Connection& connection) {
                             return segment::SegmentStore::List(connection);
                           }));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& segment : segments) items.push_back(SegmentJson(segment));
  return JsonResponse({{"items", items}});
}

Result<Response> GetSegment(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(const Id id, call.IdParam("id"));
  return call.services.database.Read([&](storage::Connection& connection) -> Result<Response> {
    STEWARD_ASSIGN_OR_RETURN(auto segment, segment::SegmentStore::Get(connection, id));
    STEWARD_ASSIGN_OR_RETURN(auto versions, segment::SegmentStore::Versions(connection, id));
    Response response = SegmentResponse(segment);
    nlohmann::json body = SegmentJson(segment);
    body["versions"] = nlohmann::json::array();
    for (const auto& version : versions) body["versions"].push_back(VersionJson(version));
    response.body = body.dump();
    return response;
  });
}

Result<Response> GetSegmentVersion(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(const Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(const Id version, call.IdParam("version"));
  STEWARD_ASSIGN_OR_RETURN(auto found,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return segment::SegmentStore::Version(connection, id, version);
                           }));
  return JsonResponse(VersionJson(found));
}

Result<Response> CreateSegment(ApiCall& call, segment::ModelHolder& holder) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kCreateFields));
  STEWARD_ASSIGN_OR_RETURN(auto source, SourceFrom(body, call.services.database, false));
  STEWARD_TRY(CheckSavable(call, holder, source.query));
  segment::SegmentStore store(call.services.ids, call.services.clock);
  segment::SavedSegment created;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(
            created, store.Create(transaction, {body["name"].get<std::string>(),
                                                body.value("description", ""), source.query}));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("segment.create", "segment:" + std::to_string(created.id),
                         {{"name", created.name}, {"query", audit::MaskForAudit(created.text)}}));
  return SegmentResponse(created, 201);
}

Result<Response> UpdateSegment(ApiCall& call, segment::ModelHolder& holder) {
  constexpr FieldSpec kUpdateFields[] = {
      {"name", FieldType::kString, false, false, 100},
      {"description", FieldType::kString, false, false, 1000},
      {"query", FieldType::kString, false, false, segment::kMaxTextBytes},
      {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, kTreeDepth},
  };
  STEWARD_ASSIGN_OR_RETURN(const Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, expected.error());
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kUpdateFields));
  segment::SegmentPatch patch;
  if (body.contains("name")) patch.name = body["name"].get<std::string>();
  if (body.contains("description")) patch.description = body["description"].get<std::string>();
  if (body.contains("query") || body.contains("tree")) {
    STEWARD_ASSIGN_OR_RETURN(auto source, SourceFrom(body, call.services.database, false));
    STEWARD_TRY(CheckSavable(call, holder, source.query));
    patch.query = std::move(source.query);
  }
  segment::SegmentStore store(call.services.ids, call.services.clock);
  segment::SavedSegment updated;
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(updated, store.Update(transaction, id, *expected, patch));
        return Ok();
      });
  if (!written) return VersionFailure(call, written.error());
  STEWARD_TRY(call.Audit("segment.update", "segment:" + std::to_string(id),
                         {{"name", updated.name},
                          {"query", audit::MaskForAudit(updated.text)},
                          {"query_version", updated.query_version}}));
  return SegmentResponse(updated);
}

Result<Response> DeleteSegment(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(const Id id, call.IdParam("id"));
  auto expected = call.ExpectedVersion();
  if (!expected) return VersionFailure(call, expected.error());
  segment::SegmentStore store(call.services.ids, call.services.clock);
  auto written = call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        return store.Delete(transaction, id, *expected);
      });
  if (!written) return VersionFailure(call, written.error());
  STEWARD_TRY(call.Audit("segment.delete", "segment:" + std::to_string(id), {}));
  return JsonResponse({{"ok", true}});
}

}  // namespace

Result<SegmentSelection> SelectSegment(const ApiCall& call, segment::ModelHolder& holder,
                                       const nlohmann::json& body) {
  STEWARD_ASSIGN_OR_RETURN(auto source, SourceFrom(body, call.services.database, true));
  STEWARD_TRY(CheckSensitive(call, source.query));
  STEWARD_ASSIGN_OR_RETURN(auto model, CurrentModel(call, holder));
  STEWARD_ASSIGN_OR_RETURN(auto selected, SelectInScope(call, *model, source.query));
  SegmentSelection selection;
  selection.residents = model->Ids(selected);
  std::sort(selection.residents.begin(), selection.residents.end());
  selection.text = segment::ToText(source.query);
  selection.saved = source.saved;
  return selection;
}

void AddSegmentRoutes(Server& server, const Api& api) {
  // The server's model (app/ loads it at start-up and keeps it warm), or one of our own.
  std::shared_ptr<segment::ModelHolder> holder = SharedSegmentModel(api);
  server.Route(
      "POST", "/api/v1/segments/evaluate",
      api.Gate(p::kSegmentRun, [holder](ApiCall& call) { return Evaluate(call, *holder); }));
  server.Route("POST", "/api/v1/segments/export", api.Gate(p::kSegmentRun, [holder](ApiCall& call) {
    return ExportSegment(call, *holder);
  }));
  server.Route("GET", "/api/v1/segments", api.Gate(p::kSegmentRun, ListSegments));
  server.Route("POST", "/api/v1/segments", api.Gate(p::kSegmentEdit, [holder](ApiCall& call) {
    return CreateSegment(call, *holder);
  }));
  server.Route("GET", "/api/v1/segments/{id}", api.Gate(p::kSegmentRun, GetSegment));
  server.Route("PATCH", "/api/v1/segments/{id}", api.Gate(p::kSegmentEdit, [holder](ApiCall& call) {
    return UpdateSegment(call, *holder);
  }));
  server.Route("DELETE", "/api/v1/segments/{id}", api.Gate(p::kSegmentEdit, DeleteSegment));
  server.Route("GET", "/api/v1/segments/{id}/versions/{version}",
               api.Gate(p::kSegmentRun, GetSegmentVersion));
}

}  // namespace steward::http::handlers
