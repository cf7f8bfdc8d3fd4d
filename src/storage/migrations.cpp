#include "storage/migrations.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "storage/embedded_file.hpp"

namespace steward::storage {

extern const std::vector<EmbeddedFile> kMigrationFiles;  // generated: migrations_embedded.cpp

namespace {

struct Step {
  int version = 0;
  std::string name;
  std::string sql;
};

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The steps for one engine, by version: an engine-specific file replaces the shared one.
std::vector<Step> StepsFor(Engine engine) {
  const std::string own_suffix = engine == Engine::kSqlite ? ".sqlite.sql" : ".postgres.sql";
  const std::string other_suffix = engine == Engine::kSqlite ? ".postgres.sql" : ".sqlite.sql";
  std::map<int, Step> steps;
  for (const auto& file : kMigrationFiles) {
    const std::string name(file.name);
    if (name.ends_with(other_suffix)) continue;
    const bool own = name.ends_with(own_suffix);
    int version = 0;
    std::from_chars(name.data(), name.data() + 4, version);
    if (version == 0) continue;
    if (!own && steps.contains(version)) continue;
    const std::string stem = name.substr(5, name.find('.') - 5);
    std::string sql(file.content);
    sql = ReplaceAll(sql, "{{C}}", engine == Engine::kPostgres ? "COLLATE \"C\"" : "");
    steps[version] = Step{version, stem, std::move(sql)};
  }
  std::vector<Step> ordered;
  for (auto& [version, step] : steps) ordered.push_back(std::move(step));
  return ordered;
}

constexpr std::string_view kCreateLedger =
    "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

}  // namespace

int LatestSchemaVersion() {
  const auto steps = StepsFor(Engine::kSqlite);
  return steps.empty() ? 0 : steps.back().version;
}

Result<int> SchemaVersion(Database& database) {
  return database.Read([](Connection& connection) -> Result<int> {
    auto exists = connection.QueryInt(
        connection.engine() == Engine::kSqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
              "'schema_migration'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_name = 'schema_migration'");
    if (!exists) return tl::unexpected(exists.error());
    if (exists->value_or(0) == 0) return 0;
    STEWARD_ASSIGN_OR_RETURN(auto version,
                             connection.QueryInt("SELECT max(version) FROM schema_migration"));
    return static_cast<int>(version.value_or(0));
  });
}

Result<MigrationReport> Migrate(Database& database) {
  MigrationReport report;
  STEWARD_ASSIGN_OR_RETURN(report.from_version, SchemaVersion(database));
  report.to_version = report.from_version;
  for (const auto& step : StepsFor(database.engine())) {
    if (step.version <= report.to_version) continue;
    WriteContext context{"system:migrate", Source::kCli};
    STEWARD_TRY(database.Write(context, [&](WriteTransaction& transaction) -> Status {
      Connection& connection = transaction.connection();
      STEWARD_TRY(connection.ExecScript(kCreateLedger));
      // Another process may have applied this step while we waited for the write lock.
      STEWARD_ASSIGN_OR_RETURN(
          auto done, connection.QueryInt("SELECT count(*) FROM schema_migration WHERE version = ?",
                                         {int64_t{step.version}}));
      if (done.value_or(0) > 0) return Ok();
      if (Status applied = connection.ExecScript(step.sql); !applied) {
        Error error = std::move(applied).error();
        error.message = "migration " + std::to_string(step.version) + "_" + step.name +
                        " failed: " + error.message;
        return tl::unexpected(std::move(error));
      }
      STEWARD_TRY(connection.Execute(
          "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
          {int64_t{step.version}, step.name, int64_t{0}}));
      return Ok();
    }));
    report.to_version = step.version;
    report.applied.push_back(std::to_string(step.version) + "_" + step.name);
  }
  return report;
}

}  // namespace steward::storage
