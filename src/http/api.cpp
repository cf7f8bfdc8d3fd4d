#include "http/api.hpp"

#include "http/handlers/api_call.hpp"

namespace steward::http {

void AddApiRoutes(Server& server, const ApiServices& services) {
  // Handlers hold references to `services` (owned by the caller), not to this gate object.
  const handlers::Api api(services);
  handlers::AddAuthRoutes(server, api);
  handlers::AddOrgRoutes(server, api);
  handlers::AddResidentRoutes(server, api);
  handlers::AddSystemRoutes(server, api);
  handlers::AddDictRoutes(server, api);
  handlers::AddPlaceRoutes(server, api);
  handlers::AddStatsRoutes(server, api);
  handlers::AddSegmentRoutes(server, api);
  handlers::AddJobRoutes(server, api);
  handlers::AddCampaignRoutes(server, api);
  handlers::AddPromptRoutes(server, api);
  server.Route("GET", "/api/v1/openapi.json",
               [](const Request&) { return Response{.body = kOpenApiJson}; });
}

}  // namespace steward::http
