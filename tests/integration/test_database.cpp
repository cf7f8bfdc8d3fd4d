#include "tests/integration/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "storage/migrations.hpp"
#include "storage/postgres/postgres_connection.hpp"

namespace steward::testing {
namespace {

std::vector<std::string>& TempDirs() {
  static auto* dirs = new std::vector<std::string>();
  static bool registered = [] {
    std::atexit([] {
      for (const auto& dir : TempDirs()) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    });
    return true;
  }();
  (void)registered;
  return *dirs;
}

std::string PostgresUrl() {
  const char* url = std::getenv("STEWARD_TEST_POSTGRES_URL");
  return url ? url : "";
}

bool PostgresRequired() {
  const char* required = std::getenv("STEWARD_REQUIRE_POSTGRES");
  return required && std::string(required) == "1";
}

// postgresql://user@/postgres?host=... -> the same with another database name.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  const auto slash = url.rfind('/', query == std::string::npos ? url.size() : query);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "steward-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  TempDirs().push_back(pattern);
  return pattern;
}

std::vector<storage::Engine> EnginesUnderTest() {
  std::vector<storage::Engine> engines = {storage::Engine::kSqlite};
  if (!PostgresUrl().empty() || PostgresRequired()) engines.push_back(storage::Engine::kPostgres);
  return engines;
}

std::string EngineTestName(const ::testing::TestParamInfo<storage::Engine>& info) {
  return storage::EngineName(info.param);
}

std::string FreshDatabaseUrl(storage::Engine engine) {
  if (engine == storage::Engine::kSqlite) return "sqlite:" + TempDir() + "/steward.db";
  const std::string admin_url = PostgresUrl();
  if (admin_url.empty()) {
    ADD_FAILURE() << "PostgreSQL is required but STEWARD_TEST_POSTGRES_URL is not set";
    return "";
  }
  static std::atomic<int> counter{0};
  const std::string name =
      "steward_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = storage::postgres::OpenConnection(admin_url);
  if (!admin) {
    ADD_FAILURE() << admin.error().ToString();
    return "";
  }
  auto created =
      (*admin)->ExecScript("CREATE DATABASE " + name +
                           " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
  if (!created) {
    ADD_FAILURE() << created.error().ToString();
    return "";
  }
  return WithDatabase(admin_url, name);
}

std::unique_ptr<storage::Database> OpenFreshDatabase(storage::Engine engine, const Clock& clock,
                                                     storage::DatabaseOptions options) {
  const std::string url = FreshDatabaseUrl(engine);
  if (url.empty()) return nullptr;
  auto database = storage::Database::Open(url, clock, options);
  if (!database) {
    ADD_FAILURE() << database.error().ToString();
    return nullptr;
  }
  auto migrated = storage::Migrate(**database);
  if (!migrated) {
    ADD_FAILURE() << migrated.error().ToString();
    return nullptr;
  }
  return std::move(*database);
}

}  // namespace steward::testing
