// api/openapi.yaml and the routes the server registers agree: every route is documented and every
// documented operation is served (checked here rather than by eye, as the API grows).
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "auth/account.hpp"
#include "crypto/pii_vault.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "storage/migrations.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

TEST(ApiRoutesTest, TheOpenApiDocumentListsExactlyTheServedRoutes) {
  FakeClock clock(1795797000000);
  IdGenerator ids(clock, 9);
  auto database =
      storage::Database::Open(testing::FreshDatabaseUrl(storage::Engine::kSqlite), clock);
  ASSERT_TRUE(database) << database.error().ToString();
  ASSERT_TRUE(storage::Migrate(**database));
  auto vault = crypto::PiiVault::ForTesting("routes");
  auth::AccountStore accounts(**database, ids, clock);
  audit::AuditLog audit_log(**database, clock);
  const http::ApiServices services{**database, *vault, ids, clock, accounts, audit_log};
  http::Server server(http::ServerOptions{.port = 0});
  http::AddDefaultRoutes(server, "test");
  http::AddApiRoutes(server, services);
  ASSERT_TRUE(server.Start());
  std::set<std::pair<std::string, std::string>> served;
  for (auto& route : server.Routes()) served.insert(route);
  server.Stop();

  auto document = nlohmann::json::parse(http::kOpenApiJson);
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({upper, path});
    }
  }
  for (const auto& route : served) {
    EXPECT_TRUE(documented.contains(route))
        << route.first << " " << route.second << " is served but not in api/openapi.yaml";
  }
  for (const auto& operation : documented) {
    EXPECT_TRUE(served.contains(operation))
        << operation.first << " " << operation.second << " is in api/openapi.yaml but not served";
  }
  EXPECT_GT(served.size(), 20u);
}

}  // namespace
}  // namespace steward
