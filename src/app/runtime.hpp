// What every command opens, in order: settings, the database (migrated), the key vault; and the
// small helpers commands share (errors, audit entries). Used by main.cpp and the *_cli.cpp files.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "crypto/pii_vault.hpp"
#include "storage/database.hpp"

namespace steward::app {

struct Globals {
  std::string config_file = "steward.toml";
  bool config_given = false;
  std::string db;
  std::string key_file;
  bool json = false;
  std::string executable;
};

// Prints the error (as JSON on stdout too with --json); returns the exit code: 2 for bad input,
// 1 otherwise.
int Die(const Error& error, bool json);

struct Runtime {
  Config config;
  SystemClock clock;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> database;
  std::unique_ptr<crypto::PiiVault> vault;
};

Result<std::unique_ptr<Runtime>> OpenRuntime(const Globals& globals, bool need_vault);

// One audit entry for a command-line write or export (the server audits its own requests).
// Failing to record it is reported, since the work itself is done and in the change log.
void AuditCli(Runtime& runtime, std::string action, std::string target, nlohmann::json detail);

}  // namespace steward::app
