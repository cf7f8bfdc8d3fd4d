// Migrations: numbered schema steps, applied in order, on both engines.
//
// Files live in storage/migrations/ as NNNN_name.sql (shared by both engines) or
// NNNN_name.sqlite.sql / NNNN_name.postgres.sql where the SQL differs. In shared files the
// token {{C}} becomes COLLATE "C" on PostgreSQL and nothing on SQLite, so text compares in byte
// order on both. Each step runs in its own transaction and is recorded in schema_migration.
// Thread-safety: run from one thread at start-up or by `steward migrate`.
#pragma once

#include "storage/database.hpp"

namespace steward::storage {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;
};

Result<MigrationReport> Migrate(Database& database);
// The newest applied step, or 0 for an empty database.
Result<int> SchemaVersion(Database& database);
// The newest step this binary knows.
int LatestSchemaVersion();

}  // namespace steward::storage
