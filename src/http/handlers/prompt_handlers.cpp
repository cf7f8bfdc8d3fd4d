// Recorded prompts (/api/v1/prompts): staff's own recordings for a script's fixed text, used
// instead of the TTS wherever a prompt piece says that text (voice/recorded_prompts.hpp).
//   GET    /api/v1/prompts[?script=NAME]      the recordings; with a script, its fixed pieces
//                                             (what calls of it say besides the residents'
//                                             names) and which of them are recorded
//   POST   /api/v1/prompts?name=N[&text=T]    the body is the sound file (WAV, MP3, FLAC, Ogg):
//                                             decoded, kept at 8 kHz; replaces one of that name
//   GET    /api/v1/prompts/audio?name=N       the recording as WAV (8 kHz mono)
//   DELETE /api/v1/prompts?name=N
// Saving and deleting are audited (prompt.save, prompt.delete). Without services.prompts the
// routes answer 503.
#include "auth/permission.hpp"
#include "campaign/script_library.hpp"
#include "campaign/session.hpp"
#include "http/handlers/api_call.hpp"
#include "voice/recorded_prompts.hpp"
#include "voice/recordings.hpp"
#include "voice/sound_file.hpp"

namespace steward::http::handlers {
namespace {

namespace p = auth::permission;

nlohmann::json PromptJson(const voice::RecordedPrompt& prompt) {
  return {{"name", prompt.name},
          {"text", prompt.text},
          {"duration_ms", prompt.duration_ms},
          {"saved_at", prompt.saved_at_ms}};
}

Result<voice::RecordedPrompts*> Prompts(const ApiCall& call) {
  if (!call.services.prompts) {
    return Fail(ErrorCode::kUnavailable, "录音提示音未启用 / recorded prompts are not available");
  }
  return call.services.prompts;
}

Result<std::string> NameQuery(const ApiCall& call) {
  auto name = call.request.Query("name");
  if (!name || name->empty()) {
    return tl::unexpected(InvalidField("name", "required", "请给录音起个名字 / name is required"));
  }
  return *name;
}

Result<Response> ListPrompts(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(voice::RecordedPrompts * prompts, Prompts(call));
  const auto recorded = prompts->List();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& prompt : recorded) items.push_back(PromptJson(prompt));
  nlohmann::json body{{"items", std::move(items)}};
  if (auto name = call.request.Query("script"); name && !name->empty()) {
    STEWARD_ASSIGN_OR_RETURN(auto script,
                             call.services.database.Read([&](storage::Connection& connection) {
                               return campaign::FindScript(connection, *name);
                             }));
    nlohmann::json pieces = nlohmann::json::array();
    for (const auto& text : campaign::PromptPieces(script.script, {})) {
      nlohmann::json piece{{"text", text}, {"recorded", nullptr}};
      for (const auto& prompt : recorded) {
        if (prompt.text == text) piece["recorded"] = prompt.name;
      }
      pieces.push_back(std::move(piece));
    }
    body["pieces"] = std::move(pieces);
  }
  return JsonResponse(body);
}

Result<Response> SavePrompt(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(voice::RecordedPrompts * prompts, Prompts(call));
  STEWARD_ASSIGN_OR_RETURN(std::string name, NameQuery(call));
  const std::string text = call.request.Query("text").value_or("");
  if (text.find("{{") != std::string::npos) {
    return tl::unexpected(InvalidField(
        "text", "variable",
        "录音只能替换固定文字，不能含变量 / a recording replaces fixed text, without variables"));
  }
  STEWARD_ASSIGN_OR_RETURN(voice::Audio audio,
                           voice::DecodeSoundFile(voice::ReadWhole(call.request.upload_file)));
  STEWARD_ASSIGN_OR_RETURN(auto saved,
                           prompts->Save(name, text, audio, call.services.clock.NowMillis()));
  STEWARD_TRY(call.Audit("prompt.save", "prompt:" + name,
                         {{"text", text}, {"duration_ms", saved.duration_ms}}));
  return JsonResponse(PromptJson(saved), 201);
}

Result<Response> DeletePrompt(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(voice::RecordedPrompts * prompts, Prompts(call));
  STEWARD_ASSIGN_OR_RETURN(std::string name, NameQuery(call));
  STEWARD_TRY(prompts->Remove(name));
  STEWARD_TRY(call.Audit("prompt.delete", "prompt:" + name, {}));
  return Response{.status = 204};
}

Result<Response> PromptAudio(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(voice::RecordedPrompts * prompts, Prompts(call));
  STEWARD_ASSIGN_OR_RETURN(std::string name, NameQuery(call));
  auto file = prompts->File(name);
  if (!file) return Fail(ErrorCode::kNotFound, "没有这个录音 / no such recording: " + name);
  Response response;
  response.content_type = "audio/wav";
  response.file = *file;
  return response;
}

}  // namespace

void AddPromptRoutes(Server& server, const Api& api) {
  server.Route("GET", "/api/v1/prompts", api.Gate(p::kCampaignView, ListPrompts));
  server.Route("POST", "/api/v1/prompts", api.Gate(p::kCampaignRun, SavePrompt),
               RouteOptions{.upload = true});
  server.Route("DELETE", "/api/v1/prompts", api.Gate(p::kCampaignRun, DeletePrompt));
  server.Route("GET", "/api/v1/prompts/audio", api.Gate(p::kCampaignView, PromptAudio));
}

}  // namespace steward::http::handlers
