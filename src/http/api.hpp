// The JSON API under /api/v1: what the console, the field pages and integrations call.
//
// Every handler goes through one gate (handlers/api_call.hpp): it authenticates the request (the
// console's session cookie with its CSRF header on unsafe methods, or a bearer API token), loads
// the caller's Principal, checks the endpoint's permission, and maps errors to HTTP in the
// caller's language. Data scope comes from auth's policy layer (auth/policy.hpp) and is applied in
// every query; personal fields are masked by auth::FieldsFor; every write, detail view, list query,
// unmask and export leaves an audit entry (audit/audit_log.hpp). The routes are listed in
// api/openapi.yaml, which is served at /api/v1/openapi.json; a test checks both agree.
//
// Ownership: the services outlive the Server. Threads: handlers run on the server's workers.
#pragma once

#include "audit/audit_log.hpp"
#include "auth/account.hpp"
#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "http/server.hpp"
#include "storage/database.hpp"

namespace steward::segment {
class ModelHolder;
}
namespace steward::campaign {
class CampaignService;
}

namespace steward::voice {
class RecordedPrompts;
}

namespace steward::http {

class JobRunner;

struct ApiServices {
  storage::Database& database;
  const crypto::PiiVault& vault;
  IdGenerator& ids;
  const Clock& clock;
  auth::AccountStore& accounts;
  audit::AuditLog& audit;
  // Runs imports and exports (http/jobs.hpp); started and stopped by the owner. Null: the job
  // routes answer 503.
  JobRunner* jobs = nullptr;
  // The segment read model the server keeps warm (app/ loads it at start-up). Null: the segment
  // routes keep one of their own, loaded at the first evaluation.
  segment::ModelHolder* segments = nullptr;
  // The server's campaign runner (campaign/service.hpp), woken when a campaign starts or
  // resumes. Null: campaigns are created and controlled, but placed only by other nodes or by
  // `steward campaign resume ID --wait`.
  campaign::CampaignService* campaigns = nullptr;
  // The call recordings' folder (voice/recordings.hpp: DATA_DIR/recordings). Empty: the
  // recording route answers 404.
  std::filesystem::path recordings;
  // Staff's recorded prompts (DATA_DIR/recorded_prompts). Null: the /api/v1/prompts routes
  // answer 503.
  voice::RecordedPrompts* prompts = nullptr;
};

// Adds every /api/v1 route (and GET /api/v1/openapi.json).
void AddApiRoutes(Server& server, const ApiServices& services);

// The embedded OpenAPI document (api/openapi.yaml as JSON).
extern const char* const kOpenApiJson;

}  // namespace steward::http
