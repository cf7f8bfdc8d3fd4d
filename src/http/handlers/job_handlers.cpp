// /api/v1/imports and /api/v1/exports: resident imports and exports as background jobs
// (http/jobs.hpp) over registry's engine.
//
// Import: upload (streamed to a file) -> detected header, columns and a masked preview -> dry run
// -> commit, each step a job step with progress (GET .../events streams it as Server-Sent Events)
// and the report workbook of the last step. Rows go only into the caller's capture scope: every
// row's resolved unit is checked (ImportOptions::unit_allowed), out-of-scope rows are row errors.
// Export: of a unit inside the caller's view scope (or everything, for a caller who sees the whole
// hierarchy), masked unless asked with registry:export:unmasked and a purpose; audited at start and
// with its row count at the end. A job is its owner's: anybody else gets 404.
#include <atomic>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "auth/permission.hpp"
#include "http/handlers/api_call.hpp"
#include "http/jobs.hpp"
#include "registry/id_number.hpp"
#include "registry/import_report.hpp"
#include "registry/resident_export.hpp"
#include "registry/resident_import.hpp"
#include "registry/resident_row.hpp"  // with sheet/reader.hpp: MapHeader takes sheet rows

namespace steward::http::handlers {
namespace {

constexpr std::string_view kImportKind = "import_residents";
constexpr std::string_view kExportKind = "export_residents";
constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr size_t kHeaderSearchRows = 20;
constexpr size_t kPreviewRows = 10;

constexpr FieldSpec kImportRunFields[] = {{"on_error", FieldType::kString, false, false, 10}};
constexpr FieldSpec kExportFields[] = {
    {"unit_id", FieldType::kId, false, true},
    {"format", FieldType::kString, false, false, 10},
    {"unmasked", FieldType::kBoolean},
    {"purpose", FieldType::kString, false, false, 500},
};

Error Invalid(std::string field, std::string code, std::string message) {
  return Error{ErrorCode::kInvalidArgument,
               "请求内容有误 / the request has invalid fields",
               {{std::move(field), std::move(code), std::move(message)}}};
}

Result<JobRunner*> Runner(const ApiCall& call) {
  if (!call.services.jobs) {
    return Fail(ErrorCode::kUnavailable, "后台任务不可用 / background jobs are not available");
  }
  return call.services.jobs;
}

// The caller's own job of that kind; anything else is "not found".
Result<Job> OwnJob(ApiCall& call, std::string_view kind) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto job, runner->Get(id));
  if (!job || job->kind != kind || job->user_id != call.principal.user_id()) {
    return Fail(ErrorCode::kNotFound, "没有这个任务 / no such job");
  }
  return std::move(*job);
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Response FileResponse(const std::string& path, std::string_view content_type,
                      const std::string& name, const std::string& fallback) {
  Response response;
  response.content_type = std::string(content_type);
  response.file = path;
  response.headers.emplace_back("Content-Disposition", ContentDisposition(name, fallback));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// A preview cell as the uploader may see it again: ID numbers and phones masked like everywhere
// else in the API.
std::string PreviewCell(const sheet::Cell& cell, std::optional<registry::Column> column) {
  if (column == registry::Column::kIdNumber) return registry::MaskIdNumber(cell.text);
  if (column == registry::Column::kPhone) {
    std::string masked = cell.text;
    int digits = 0;
    for (char c : masked) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    int seen = 0;
    for (char& c : masked) {
      if (!std::isdigit(static_cast<unsigned char>(c))) continue;
      ++seen;
      if (seen > 3 && seen <= digits - 4) c = '*';
      if (digits <= 7) c = '*';
    }
    return masked;
  }
  return cell.text;
}

// The header (MapHeader over the first rows), its columns and the first data rows.
Result<nlohmann::json> Preview(const std::filesystem::path& file) {
  STEWARD_ASSIGN_OR_RETURN(auto reader, sheet::OpenSheet(file));
  std::vector<sheet::Row> rows;
  while (rows.size() < kHeaderSearchRows) {
    STEWARD_ASSIGN_OR_RETURN(auto row, reader->Next());
    if (!row) break;
    rows.push_back(std::move(*row));
  }
  if (rows.empty()) return Fail(ErrorCode::kInvalidArgument, "文件为空 / the file is empty");
  STEWARD_ASSIGN_OR_RETURN(registry::SheetColumns columns, registry::MapHeader(rows));
  nlohmann::json column_list = nlohmann::json::array();
  for (size_t i = 0; i < columns.headers.size(); ++i) {
    const auto& column = i < columns.by_index.size() ? columns.by_index[i] : std::nullopt;
    column_list.push_back(
        {{"index", i},
         {"header", columns.headers[i]},
         {"field", column ? nlohmann::json(registry::SpecOf(*column).key) : nlohmann::json()}});
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& spec : registry::ResidentColumns()) {
    if (spec.required && !columns.Has(spec.column)) missing.push_back(spec.key);
  }
  nlohmann::json preview = nlohmann::json::array();
  auto add = [&](const sheet::Row& row) {
    nlohmann::json cells = nlohmann::json::array();
    const size_t width = std::max(row.cells.size(), columns.headers.size());
    for (size_t i = 0; i < width; ++i) {
      const auto column = i < columns.by_index.size() ? columns.by_index[i] : std::nullopt;
      cells.push_back(i < row.cells.size() ? PreviewCell(row.cells[i], column) : "");
    }
    preview.push_back(std::move(cells));
  };
  for (const auto& row : rows) {
    if (row.number > columns.header_row && preview.size() < kPreviewRows) add(row);
  }
  while (preview.size() < kPreviewRows && rows.size() >= kHeaderSearchRows) {
    STEWARD_ASSIGN_OR_RETURN(auto row, reader->Next());
    if (!row) break;
    add(*row);
  }
  return nlohmann::json{{"format", sheet::FormatName(reader->format())},
                        {"encoding", reader->encoding()},
                        {"header_row", columns.header_row},
                        {"columns", column_list},
                        {"unknown_columns", columns.unknown},
                        {"missing_required", missing},
                        {"preview", preview}};
}

Result<Response> UploadImport(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  const std::string name = call.request.Query("name").value_or("");
  const std::string extension = Lower(std::filesystem::path(name).extension().string());
  if (name.empty() || name.size() > 200 || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos ||
      (extension != ".xlsx" && extension != ".xls" && extension != ".csv")) {
    return tl::unexpected(Invalid("name", "name.invalid",
                                  "应为原文件名，以 .xlsx、.xls 或 .csv 结尾 / the original file "
                                  "name, ending in .xlsx, .xls or .csv"));
  }
  STEWARD_ASSIGN_OR_RETURN(nlohmann::json body, Preview(call.request.upload_file));
  Job job;
  job.kind = kImportKind;
  job.state = "uploaded";
  job.step = "preview";
  job.user_id = call.principal.user_id();
  job.file_name = name;
  STEWARD_ASSIGN_OR_RETURN(job, runner->Create(std::move(job)));
  const std::filesystem::path stored = runner->JobDir(job.id) / ("upload" + extension);
  std::error_code ec;
  std::filesystem::rename(call.request.upload_file, stored, ec);
  if (ec) {  // another file system: copy (the server removes the upload afterwards)
    ec.clear();
    std::filesystem::copy_file(call.request.upload_file, stored, ec);
  }
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot store an upload: " + ec.message());
  job.input_path = stored.string();
  STEWARD_TRY(runner->Save(job));
  STEWARD_TRY(call.Audit("import.upload", "api_job:" + std::to_string(job.id),
                         {{"file_name", name}, {"format", body["format"]}}));
  body["id"] = IdJson(job.id);
  body["file_name"] = name;
  body["state"] = job.state;
  return JsonResponse(body, 201);
}

// The job step of a dry run or a commit: the import with its report workbook and scope check.
JobWork ImportWork(const ApiServices& services, const auth::Principal& principal, const Job& job,
                   registry::OnError on_error, bool commit, std::string report_path) {
  return [&services, capture = principal.Scope(auth::ScopeKind::kCapture),
          actor = "user:" + std::to_string(principal.user_id()), input = job.input_path,
          file_name = job.file_name, on_error, commit,
          report_path = std::move(report_path)](JobProgress& progress) -> Result<nlohmann::json> {
    registry::ImportOptions options;
    options.dry_run = !commit;
    options.on_error = on_error;
    options.context = storage::WriteContext{actor, storage::Source::kImport};
    options.cancelled = [&progress] { return progress.cancelled(); };
    std::unordered_map<Id, bool> allowed;  // by unit: few distinct units per file
    Status scope_status = Ok();
    options.unit_allowed = [&](Id unit_id) {
      if (auto found = allowed.find(unit_id); found != allowed.end()) return found->second;
      auto path = services.database.Read([&](storage::Connection& connection) {
        return connection.Query("SELECT path FROM org_unit WHERE id = ?", {unit_id});
      });
      if (!path) scope_status = tl::unexpected(path.error());
      const bool inside = path && !path->empty() && capture.Contains(path->Text(0, 0));
      allowed.emplace(unit_id, inside);
      return inside;
    };
    options.progress = [&](std::string_view pass, double fraction, int64_t rows) {
      const double overall =
          !commit ? fraction : (pass == "validate" ? fraction / 2 : 0.5 + fraction / 2);
      progress.Report(overall, rows);
    };
    STEWARD_ASSIGN_OR_RETURN(auto report, registry::ImportReport::Create(report_path, file_name));
    Status report_status = Ok();
    options.on_header = [&](const registry::SheetColumns& columns) {
      if (report_status) report_status = report->Header(columns);
    };
    options.on_row = [&](const registry::RowOutcome& outcome) {
      if (report_status) report_status = report->Row(outcome);
    };
    auto result = registry::ImportResidents(services.database, services.vault, services.ids,
                                            services.clock, input, options);
    if (report_status) report_status = report->Close();
    STEWARD_TRY(result);
    STEWARD_TRY(scope_status);
    STEWARD_TRY(report_status);
    nlohmann::json json = result->ToJson();
    if (result->job_id) json["job_id"] = IdJson(*result->job_id);  // ids travel as strings
    json["dry_run"] = !commit;
    json["on_error"] = on_error == registry::OnError::kSkip ? "skip" : "abort";
    return json;
  };
}

Result<Response> RunImport(ApiCall& call, bool commit) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  STEWARD_ASSIGN_OR_RETURN(Job job, OwnJob(call, kImportKind));
  nlohmann::json body = nlohmann::json::object();
  if (!call.request.body.empty()) {
    STEWARD_ASSIGN_OR_RETURN(body, call.Body(kImportRunFields));
  }
  const std::string on_error_text = body.value("on_error", "abort");
  if (on_error_text != "abort" && on_error_text != "skip") {
    return tl::unexpected(Invalid("on_error", "on_error.invalid", "应为 abort 或 skip"));
  }
  if (job.step == "commit" && job.state == "done") {
    return Fail(ErrorCode::kConflict, "该文件已导入 / this file was already imported");
  }
  if (job.running()) return Fail(ErrorCode::kConflict, "任务正在运行 / the job is running");
  const auto on_error =
      on_error_text == "skip" ? registry::OnError::kSkip : registry::OnError::kAbort;
  job.output_path = (runner->JobDir(job.id) / "report.xlsx").string();
  job.options = {{"on_error", on_error_text}};
  STEWARD_TRY(runner->Save(job));
  STEWARD_TRY(call.Audit(commit ? "import.commit" : "import.dry_run",
                         "api_job:" + std::to_string(job.id),
                         {{"file_name", job.file_name}, {"on_error", on_error_text}}));
  STEWARD_TRY(runner->Submit(
      job.id, commit ? "commit" : "dry_run",
      ImportWork(call.services, call.principal, job, on_error, commit, job.output_path)));
  STEWARD_ASSIGN_OR_RETURN(auto submitted, runner->Get(job.id));
  return JsonResponse(submitted ? submitted->ToJson() : job.ToJson(), 202);
}

Result<Response> GetJob(ApiCall& call, std::string_view kind) {
  STEWARD_ASSIGN_OR_RETURN(Job job, OwnJob(call, kind));
  return JsonResponse(job.ToJson());
}

// Server-Sent Events: the job as it stands (always a first `progress` event, whatever its state,
// so a console connecting late still gets the snapshot), its progress about every half second,
// then `done` or `failed`.
struct EventStream {
  bool first = true;
  bool ended = false;
};

Result<Response> ImportEvents(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  STEWARD_ASSIGN_OR_RETURN(Job job, OwnJob(call, kImportKind));
  Response response = EventStreamResponse();
  response.stream = [runner, id = job.id, state = std::make_shared<EventStream>()](
                        const std::atomic<bool>& stopping) -> std::optional<std::string> {
    if (state->ended || stopping) return std::nullopt;
    if (!state->first && !PauseStream(stopping, 500)) return std::nullopt;
    const bool first = state->first;
    state->first = false;
    auto current = runner->Get(id);
    if (!current || !*current) {
      state->ended = true;
      return SseEvent("failed", {{"state", "failed"}, {"error", "没有这个任务 / no such job"}});
    }
    const Job& job = **current;
    if (job.finished() && !first) {
      state->ended = true;
      return SseEvent(job.state == "done" ? "done" : "failed", job.ToJson());
    }
    return SseEvent("progress", {{"state", job.state},
                                 {"step", job.step},
                                 {"progress", job.progress},
                                 {"rows", job.rows_done}});
  };
  return response;
}

Result<Response> DownloadImportReport(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Job job, OwnJob(call, kImportKind));
  std::error_code ec;
  if (job.output_path.empty() || !std::filesystem::exists(job.output_path, ec)) {
    return Fail(ErrorCode::kNotFound, "还没有导入报告 / no report yet: run a dry run first");
  }
  STEWARD_TRY(call.Audit("import.report", "api_job:" + std::to_string(job.id),
                         {{"file_name", job.file_name}}));
  const std::string stem = std::filesystem::path(job.file_name).stem().string();
  return FileResponse(job.output_path, kXlsxType, stem + "_导入报告.xlsx", "import-report.xlsx");
}

Result<Response> ImportTemplate(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  STEWARD_ASSIGN_OR_RETURN(auto tags,
                           call.services.database.Read([](storage::Connection& connection) {
                             return registry::ListTagNames(connection);
                           }));
  // Written to a file of its own (the writer needs one), read back and removed: ~10 KB.
  const std::filesystem::path path =
      runner->dir() / ("template-" + call.request.request_id + ".xlsx");
  STEWARD_TRY(registry::WriteImportTemplate(path, tags));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  in.close();
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  Response response;
  response.content_type = std::string(kXlsxType);
  response.body = bytes.str();
  response.headers.emplace_back(
      "Content-Disposition", ContentDisposition("居民信息导入模板.xlsx", "import-template.xlsx"));
  return response;
}

// The unit to export, checked against the view scope; nullopt: everything (only for a caller
// whose view scope holds every top unit).
Result<std::pair<std::optional<Id>, std::string>> ExportUnit(ApiCall& call,
                                                             const nlohmann::json& body) {
  const auth::DataScope& view = call.principal.Scope(auth::ScopeKind::kView);
  if (body.contains("unit_id") && !body["unit_id"].is_null()) {
    const Id unit_id = IdValue(body["unit_id"]);
    STEWARD_ASSIGN_OR_RETURN(auto unit, call.services.database.Read([&](storage::Connection& c) {
      return c.Query("SELECT path, name FROM org_unit WHERE id = ?", {unit_id});
    }));
    if (unit.empty() || !view.Contains(unit.Text(0, 0))) {
      return Fail(ErrorCode::kNotFound, "没有这个单位 / no such unit");
    }
    return std::pair{std::optional<Id>(unit_id), unit.Text(0, 1)};
  }
  STEWARD_ASSIGN_OR_RETURN(auto roots, call.services.database.Read([](storage::Connection& c) {
    return c.Query("SELECT path FROM org_unit WHERE parent_id IS NULL");
  }));
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!view.Contains(roots.Text(i, 0))) {
      return tl::unexpected(
          Invalid("unit_id", "unit_id.required", "请指定要导出的单位 / name the unit to export"));
    }
  }
  return std::pair{std::optional<Id>(), std::string("全部")};
}

Result<Response> StartExport(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(nlohmann::json body, call.Body(kExportFields));
  return StartResidentExport(call, body, nullptr);
}

Result<Response> ExportFile(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Job job, OwnJob(call, kExportKind));
  std::error_code ec;
  if (job.state != "done" || !std::filesystem::exists(job.output_path, ec)) {
    return Fail(ErrorCode::kNotFound, "导出文件尚未生成 / the export is not ready");
  }
  STEWARD_TRY(call.Audit("export.download", "api_job:" + std::to_string(job.id),
                         {{"file_name", job.file_name}}));
  const std::string format = job.options.value("format", "xlsx");
  return FileResponse(job.output_path, format == "csv" ? "text/csv; charset=utf-8" : kXlsxType,
                      job.file_name, "residents." + format);
}

}  // namespace

Result<Response> StartResidentExport(ApiCall& call, const nlohmann::json& body,
                                     const ExportSelection* selection) {
  STEWARD_ASSIGN_OR_RETURN(JobRunner * runner, Runner(call));
  const std::string format = body.value("format", "xlsx");
  if (format != "xlsx" && format != "csv") {
    return tl::unexpected(Invalid("format", "format.invalid", "应为 xlsx 或 csv"));
  }
  const bool unmasked = body.value("unmasked", false);
  const std::string purpose = body.value("purpose", "");
  if (unmasked && !call.principal.Can(auth::permission::kExportUnmasked)) {
    return Fail(ErrorCode::kPermissionDenied,
                "没有导出不脱敏数据的权限 / no permission to export unmasked data");
  }
  if (unmasked && purpose.find_first_not_of(" \t\r\n") == std::string::npos) {
    return tl::unexpected(
        Invalid("purpose", "purpose.required", "导出不脱敏数据须说明用途 / state the purpose"));
  }
  // Exports carry every tag: only for callers who may see the sensitive ones.
  if (!call.principal.Can(auth::permission::kSensitiveView)) {
    return Fail(ErrorCode::kPermissionDenied,
                "导出含敏感标签，需要查看敏感标签的权限 / exports need registry:sensitive:view");
  }
  std::pair<std::optional<Id>, std::string> unit;
  if (selection == nullptr) {
    STEWARD_ASSIGN_OR_RETURN(unit, ExportUnit(call, body));
  }
  Job job;
  job.kind = kExportKind;
  job.state = "uploaded";
  job.step = "export";
  job.user_id = call.principal.user_id();
  job.file_name = selection != nullptr ? "分群-" + selection->label + "." + format
                                       : "居民信息-" + unit.second + "." + format;
  job.options = {{"unit_id", OptIdJson(unit.first)},
                 {"format", format},
                 {"unmasked", unmasked},
                 {"purpose", purpose}};
  if (selection != nullptr) {
    job.options["segment"] = {{"query", selection->query},
                              {"residents", selection->resident_ids.size()}};
  }
  STEWARD_ASSIGN_OR_RETURN(job, runner->Create(std::move(job)));
  job.output_path = (runner->JobDir(job.id) / ("export." + format)).string();
  STEWARD_TRY(runner->Save(job));
  const std::string target = unit.first ? "unit:" + std::to_string(*unit.first) : "";
  // One detail for the entry at the start and the one at the end (which adds the rows).
  nlohmann::json detail = {
      {"job", IdJson(job.id)}, {"format", format}, {"unmasked", unmasked}, {"purpose", purpose}};
  if (selection != nullptr) detail["segment"] = selection->query;
  detail["phase"] = "start";
  STEWARD_TRY(call.Audit("export.residents", target, detail));
  audit::AuditEntry done;
  done.actor = call.actor();
  done.action = "export.residents";
  done.target = target;
  done.detail = std::move(detail);
  done.detail["phase"] = "done";
  done.client = call.request.client;
  done.request_id = call.request.request_id;
  const ApiServices& services = call.services;
  registry::ExportOptions options;
  options.out = job.output_path;
  options.unit_id = unit.first;
  options.unmasked = unmasked;
  if (selection != nullptr) {
    options.resident_ids = selection->resident_ids;
    options.title = "分群：" + selection->label + "（" +
                    std::to_string(selection->resident_ids.size()) + " 人，导出日期 " +
                    call.services.clock.Today().ToString() + "）";
  }
  STEWARD_TRY(runner->Submit(
      job.id, "export",
      [&services, options, done](JobProgress& progress) mutable -> Result<nlohmann::json> {
        options.progress = [&progress](int64_t rows, int64_t total) {
          progress.Report(total > 0 ? static_cast<double>(rows) / total : 1.0, rows);
        };
        STEWARD_ASSIGN_OR_RETURN(
            auto report, services.database.Read([&](storage::Connection& connection) {
              return registry::ExportResidents(connection, services.vault, services.clock, options);
            }));
        done.detail["rows"] = report.rows;
        STEWARD_TRY(services.audit.Record(std::move(done)));
        return nlohmann::json{
            {"rows", report.rows}, {"sheets", report.sheets}, {"format", report.format}};
      }));
  STEWARD_ASSIGN_OR_RETURN(auto submitted, runner->Get(job.id));
  return JsonResponse(submitted ? submitted->ToJson() : job.ToJson(), 202);
}

void AddJobRoutes(Server& server, const Api& api) {
  using auth::permission::kExportRun;
  using auth::permission::kImportRun;
  server.Route("POST", "/api/v1/imports", api.Gate(kImportRun, UploadImport),
               RouteOptions{.upload = true});
  server.Route("GET", "/api/v1/imports/template", api.Gate(kImportRun, ImportTemplate));
  server.Route("GET", "/api/v1/imports/{id}",
               api.Gate(kImportRun, [](ApiCall& call) { return GetJob(call, kImportKind); }));
  server.Route("POST", "/api/v1/imports/{id}/dry-run",
               api.Gate(kImportRun, [](ApiCall& call) { return RunImport(call, false); }));
  server.Route("POST", "/api/v1/imports/{id}/commit",
               api.Gate(kImportRun, [](ApiCall& call) { return RunImport(call, true); }));
  server.Route("GET", "/api/v1/imports/{id}/events", api.Gate(kImportRun, ImportEvents));
  server.Route("GET", "/api/v1/imports/{id}/report", api.Gate(kImportRun, DownloadImportReport));
  server.Route("POST", "/api/v1/exports", api.Gate(kExportRun, StartExport));
  server.Route("GET", "/api/v1/exports/{id}",
               api.Gate(kExportRun, [](ApiCall& call) { return GetJob(call, kExportKind); }));
  server.Route("GET", "/api/v1/exports/{id}/file", api.Gate(kExportRun, ExportFile));
}

}  // namespace steward::http::handlers
