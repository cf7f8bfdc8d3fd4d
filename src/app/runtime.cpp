#include "app/runtime.hpp"

#include <iostream>

#include "audit/audit_log.hpp"
#include "base/log.hpp"
#include "storage/migrations.hpp"

namespace steward::app {

int Die(const Error& error, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error",
                                 {{"code", ErrorCodeName(error.code)}, {"message", error.message}}}}
                     .dump()
              << "\n";
  }
  std::cerr << "steward: " << error.ToString() << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

Result<std::unique_ptr<Runtime>> OpenRuntime(const Globals& globals, bool need_vault) {
  auto runtime = std::make_unique<Runtime>();
  STEWARD_ASSIGN_OR_RETURN(runtime->config, LoadConfig(globals.config_file, globals.config_given));
  if (!globals.db.empty()) runtime->config.database_url = globals.db;
  if (!globals.key_file.empty()) runtime->config.key_file = globals.key_file;
  if (runtime->config.node_id < 0 || runtime->config.node_id > kMaxMinter) {
    return Fail(ErrorCode::kInvalidArgument, "node_id must be 0 to 1023");
  }
  runtime->ids = std::make_unique<IdGenerator>(runtime->clock, runtime->config.node_id);
  STEWARD_ASSIGN_OR_RETURN(runtime->database,
                           storage::Database::Open(runtime->config.database_url, runtime->clock));
  STEWARD_ASSIGN_OR_RETURN(auto report, storage::Migrate(*runtime->database));
  for (const auto& step : report.applied) spdlog::debug("applied migration {}", step);
  if (need_vault) {
    STEWARD_ASSIGN_OR_RETURN(runtime->vault,
                             crypto::PiiVault::OpenOrCreate(runtime->config.key_file));
  }
  return runtime;
}

void AuditCli(Runtime& runtime, std::string action, std::string target, nlohmann::json detail) {
  audit::AuditLog log(*runtime.database, runtime.clock);
  audit::AuditEntry entry;
  entry.actor = "system:cli";
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.detail = std::move(detail);
  entry.client = "cli";
  if (auto recorded = log.Record(std::move(entry)); !recorded) {
    spdlog::error("audit: {}", recorded.error().ToString());
  } else if (auto flushed = log.Flush(); !flushed) {
    spdlog::error("audit: {}", flushed.error().ToString());
  }
}

}  // namespace steward::app
