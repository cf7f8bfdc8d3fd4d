// Databases for integration tests: every suite runs on SQLite and on PostgreSQL.
//
// SQLite: a new file in a fresh temporary folder per test. PostgreSQL: a new database per test on
// the server named by STEWARD_TEST_POSTGRES_URL (scripts/pg-test-server.sh starts one; `make test`
// sets the variable). When STEWARD_REQUIRE_POSTGRES=1 and the URL is missing, PostgreSQL tests
// fail instead of being skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "storage/database.hpp"

namespace steward::testing {

// The engines to run on: SQLite always, PostgreSQL when configured or required.
std::vector<storage::Engine> EnginesUnderTest();

// "sqlite" / "postgres", for test names.
std::string EngineTestName(const ::testing::TestParamInfo<storage::Engine>& info);

// A new, empty, migrated database. Fails the test (ASSERT) when it cannot be had.
std::unique_ptr<storage::Database> OpenFreshDatabase(storage::Engine engine, const Clock& clock,
                                                     storage::DatabaseOptions options = {});

// The URL of a new, empty database (not migrated), e.g. for tests of the binary.
std::string FreshDatabaseUrl(storage::Engine engine);

// A fresh temporary folder, removed at process exit.
std::string TempDir();

}  // namespace steward::testing
