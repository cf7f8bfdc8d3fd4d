// The routes every Steward server answers: liveness, version, and the placeholder console page.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/server.hpp"

namespace steward::http {
namespace {

// Shown at / until the console (web/) is served from here.
constexpr const char* kPlaceholderPage = R"html(<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>城市管家 Steward</title>
</head>
<body>
<h1>城市管家 Steward</h1>
<p>管理控制台即将上线。The console is coming soon.</p>
<p><a href="/healthz">/healthz</a> · <a href="/api/v1/version">/api/v1/version</a></p>
</body>
</html>
)html";

Response Json(const nlohmann::json& body) {
  Response response;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace

void AddDefaultRoutes(Server& server, std::string version, bool placeholder_page) {
  server.Route("GET", "/healthz", [](const Request&) { return Json({{"status", "ok"}}); });
  server.Route("GET", "/api/v1/version",
               [body = Json({{"name", "steward"}, {"version", std::move(version)}})](
                   const Request&) { return body; });
  if (!placeholder_page) return;
  server.Route("GET", "/", [](const Request&) {
    Response response;
    response.content_type = "text/html; charset=utf-8";
    response.body = kPlaceholderPage;
    return response;
  });
}

}  // namespace steward::http
