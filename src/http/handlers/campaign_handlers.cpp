// The AI social worker's endpoints: scripts (/api/v1/scripts: the built-in templates and the
// versioned library, the validator with its dry run, a simulated call), campaigns
// (/api/v1/campaigns: create and start on a segment, list, status with the funnel,
// pause/resume/cancel, the calls, the live monitor as a WebSocket or Server-Sent Events, the ledger
// as .xlsx/.csv), door-visit tasks (/api/v1/tasks) and the pending changes calls propose
// (/api/v1/changes).
//
// Scope: a campaign's audience is its segment evaluated inside the starter's view scope. Campaigns
// are seen by every holder of campaign:call:view; their counts (funnel, target states, the
// monitor's, the ledger's title block) and rows about residents (calls, ledger rows, tasks,
// pending changes) only inside the caller's view scope, and a row outside it is 404. Writes are
// audited (campaign.start, campaign.pause, …, change.accept, task.close), and so are ledger
// downloads (campaign.ledger). Phones never leave masked.
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "audit/mask.hpp"
#include "auth/permission.hpp"
#include "campaign/campaign_store.hpp"
#include "campaign/ledger.hpp"
#include "campaign/monitor.hpp"
#include "campaign/review.hpp"
#include "campaign/script_check.hpp"
#include "campaign/script_library.hpp"
#include "campaign/service.hpp"
#include "campaign/simulator.hpp"
#include "campaign/templates.hpp"
#include "campaign/variables.hpp"
#include "http/handlers/api_call.hpp"
#include "registry/resident.hpp"
#include "segment/model_holder.hpp"
#include "segment/query.hpp"

namespace steward::http::handlers {
namespace {

namespace p = auth::permission;
using campaign::Campaign;
using campaign::CampaignState;
using campaign::CampaignStore;

constexpr int kScriptDepth = 8;
constexpr int kTreeDepth = 2 * segment::kMaxDepth + 8;

constexpr FieldSpec kCheckFields[] = {
    {"script", FieldType::kObject, true, false, 200, -1e308, 1e308, kScriptDepth},
};
constexpr FieldSpec kTryFields[] = {
    {"script", FieldType::kObject, false, false, 200, -1e308, 1e308, kScriptDepth},
    {"name", FieldType::kString, false, false, 100},
    {"persona", FieldType::kString, false, false, 40},
    {"resident_name", FieldType::kString, false, false, 40},
    {"gender", FieldType::kString, false, false, 10},
    {"age", FieldType::kNumber, false, false, 200, 0, 150},
    {"fields", FieldType::kObject, false, false, 200, -1e308, 1e308, 2},
    {"seed", FieldType::kNumber, false, false, 200, 0, 1e15},
};
constexpr FieldSpec kCreateFields[] = {
    {"name", FieldType::kString, false, false, 100},
    {"script_name", FieldType::kString, false, false, 100},
    {"script", FieldType::kObject, false, false, 200, -1e308, 1e308, kScriptDepth},
    {"query", FieldType::kString, false, false, segment::kMaxTextBytes},
    {"tree", FieldType::kObject, false, false, 200, -1e308, 1e308, kTreeDepth},
    {"segment_id", FieldType::kId},
    {"version", FieldType::kNumber, false, false, 200, 1, 1e15},
    {"schedule", FieldType::kObject, false, false, 200, -1e308, 1e308, 6},
    {"policy", FieldType::kObject, false, false, 200, -1e308, 1e308, 4},
    {"fields", FieldType::kObject, false, false, 200, -1e308, 1e308, 2},
    {"channel", FieldType::kString, false, false, 10},
    {"priority", FieldType::kNumber, false, false, 200, -100, 100},
};

campaign::UnitScope ScopeOf(const ApiCall& call) {
  auto condition = call.principal.ScopeSql(auth::ScopeKind::kView, "u.path");
  return {std::move(condition.sql), std::move(condition.params)};
}

// The script of a body: `script` (JSON, not yet checked; version 0) or `script_name` / `name`
// (the latest saved version of that name, else a built-in template, version 0).
Result<campaign::SavedScript> ScriptFrom(ApiCall& call, const nlohmann::json& body,
                                         const char* name_field) {
  if (body.contains("script") == body.contains(name_field)) {
    return tl::unexpected(
        InvalidField("script", "script.source",
                     std::string("请给出 script（JSON）或 ") + name_field +
                         "（话术名称）之一 / give exactly one of script (JSON) or " + name_field +
                         " (a saved or built-in script)"));
  }
  if (body.contains("script")) {
    campaign::SavedScript inline_script;
    STEWARD_ASSIGN_OR_RETURN(inline_script.script, campaign::ParseScript(body["script"]));
    inline_script.name = inline_script.script.name;
    return inline_script;
  }
  const std::string name = body[name_field].get<std::string>();
  return call.services.database.Read(
      [&](storage::Connection& connection) { return campaign::FindScript(connection, name); });
}

// The body's campaign fields ({"date": "12月8日", …}); each value must be text.
Result<std::map<std::string, std::string>> TextFields(const nlohmann::json& body) {
  std::map<std::string, std::string> fields;
  if (!body.contains("fields")) return fields;
  for (const auto& [name, value] : body["fields"].items()) {
    if (!value.is_string()) {
      return tl::unexpected(
          InvalidField("fields." + name, "type", "任务字段应为文字 / campaign fields are text"));
    }
    fields[name] = value.get<std::string>();
  }
  return fields;
}

nlohmann::json SavedScriptJson(const campaign::SavedScript& saved) {
  const campaign::Script& script = saved.script;
  nlohmann::json json = {{"name", saved.name},
                         {"title", script.title},
                         {"scenario", script.scenario},
                         {"description", script.description},
                         {"built_in", saved.built_in()},
                         {"version", saved.version},
                         {"script", campaign::ScriptToJson(script)}};
  if (!saved.built_in()) {
    json["created_by"] = saved.created_by;
    json["created_at"] = FormatIsoMillis(saved.created_at);
  }
  return json;
}

// GET /api/v1/scripts: the built-in templates (version 0), then the library's scripts at their
// latest version, and the simulator's personas.
Result<Response> ListScripts(ApiCall& call) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& script : campaign::BuiltInScripts()) {
    items.push_back(SavedScriptJson({.name = script.name, .script = script}));
  }
  STEWARD_ASSIGN_OR_RETURN(auto saved,
                           call.services.database.Read([](storage::Connection& connection) {
                             return campaign::ScriptLibrary::List(connection);
                           }));
  for (const auto& one : saved) items.push_back(SavedScriptJson(one));
  nlohmann::json personas = nlohmann::json::array();
  for (auto kind : campaign::AllPersonas()) personas.push_back(campaign::PersonaName(kind));
  return JsonResponse({{"items", std::move(items)}, {"personas", std::move(personas)}});
}

// POST /api/v1/scripts {script}: saves the script as the next version of its name, once the
// validator finds no error (400 listing them; 409 for a built-in template's name). 201 with the
// saved script and the validator's warnings.
Result<Response> SaveScript(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kCheckFields));
  STEWARD_ASSIGN_OR_RETURN(auto script, campaign::ParseScript(body["script"]));
  const campaign::ScriptLibrary library(call.services.clock);
  campaign::SavedScript saved;
  STEWARD_TRY(call.services.database.Write(
      call.write_context(), [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(saved, library.Save(transaction, script));
        return Ok();
      }));
  STEWARD_TRY(call.Audit("script.save", "script:" + saved.name,
                         {{"version", saved.version}, {"title", script.title}}));
  nlohmann::json json = SavedScriptJson(saved);
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& finding : saved.warnings) {
    warnings.push_back(
        {{"node", finding.node_id}, {"code", finding.code}, {"message", finding.message}});
  }
  json["warnings"] = std::move(warnings);
  Response response = JsonResponse(json, 201);
  response.headers.emplace_back("Location", "/api/v1/scripts/" + saved.name + "/versions");
  return response;
}

// GET /api/v1/scripts/{name}/versions: every saved version of a script, newest first.
Result<Response> ScriptVersions(ApiCall& call) {
  const std::string& name = call.request.params.at("name");
  STEWARD_ASSIGN_OR_RETURN(auto versions,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return campaign::ScriptLibrary::Versions(connection, name);
                           }));
  if (versions.empty()) {
    return Fail(ErrorCode::kNotFound, "话术库里没有这个话术 / no such saved script");
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& one : versions) items.push_back(SavedScriptJson(one));
  return JsonResponse({{"items", std::move(items)}});
}

// POST /api/v1/scripts/check: the validator's findings and, for a script without errors, one
// simulated call per persona (the dry run). Shape errors are a 400 like any other body error.
Result<Response> CheckScriptRoute(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kCheckFields));
  STEWARD_ASSIGN_OR_RETURN(auto script, campaign::ParseScript(body["script"]));
  return JsonResponse(campaign::CheckReport(
      script, campaign::SampleVariables(script, "王秀英", campaign::Gender::kFemale, 78)));
}

// POST /api/v1/scripts/try: one simulated call ("try this script as 王阿姨, 78"), with its
// transcript, answers and outcome.
Result<Response> TryScript(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kTryFields));
  STEWARD_ASSIGN_OR_RETURN(auto found, ScriptFrom(call, body, "name"));
  const campaign::Script& script = found.script;
  STEWARD_TRY(campaign::RefuseScriptErrors(campaign::CheckScript(script)));
  campaign::Persona persona;
  if (body.contains("persona")) {
    auto kind = campaign::ParsePersona(body["persona"].get<std::string>());
    if (!kind) {
      return tl::unexpected(InvalidField("persona", "enum", "没有这种模拟居民 / no such persona"));
    }
    persona.kind = *kind;
  }
  campaign::Gender gender = campaign::Gender::kUnknown;
  const std::string gender_text = body.value("gender", "");
  if (gender_text == "male" || gender_text == "男") gender = campaign::Gender::kMale;
  if (gender_text == "female" || gender_text == "女") gender = campaign::Gender::kFemale;
  std::optional<int> age;
  if (body.contains("age")) age = static_cast<int>(body["age"].get<double>());
  auto variables =
      campaign::SampleVariables(script, body.value("resident_name", "王秀英"), gender, age);
  STEWARD_ASSIGN_OR_RETURN(auto fields, TextFields(body));
  for (const auto& [name, value] : fields) variables["campaign." + name] = value;
  const auto seed = static_cast<uint64_t>(body.value("seed", 1.0));
  const auto result = campaign::SimulateCall(script, variables, persona, seed);
  nlohmann::json answer = campaign::CallResultToJson(result);
  answer["outcome_label"] = campaign::OutcomeLabel(result.outcome);
  answer["persona"] = campaign::PersonaName(persona.kind);
  return JsonResponse(answer);
}

CampaignStore StoreFor(const ApiCall& call) {
  return CampaignStore(call.services.database, call.services.vault, call.services.ids,
                       call.services.clock);
}

void Wake(const ApiCall& call) {
  if (call.services.campaigns != nullptr) call.services.campaigns->Wake();
}

// What a list item and a status share: the campaign, its state's labels, its counts.
nlohmann::json SummaryJson(const Campaign& found, const campaign::Funnel& funnel,
                           const campaign::TargetStates& states) {
  nlohmann::json json = campaign::CampaignToJson(found);
  json["funnel"] = campaign::FunnelToJson(funnel);
  json["target_states"] = states;
  json["script_title"] = found.script.title;
  static constexpr std::array<std::pair<const char*, const char*>, 5> kLabels = {{
      {"草稿", "Draft"},
      {"进行中", "Running"},
      {"已暂停", "Paused"},
      {"已完成", "Completed"},
      {"已取消", "Cancelled"},
  }};
  const auto& [zh, en] = kLabels[static_cast<size_t>(found.state)];
  json["state_label"] = zh;
  json["state_label_en"] = en;
  return json;
}

// Why this server places none of a running campaign's calls now (its channel is not ready: the
// voice failing, the prompts being rendered), or empty.
std::string WaitingOf(const ApiServices& services, const Campaign& found) {
  if (!services.campaigns || found.state != CampaignState::kRunning) return {};
  return services.campaigns->Waiting(found.channel);
}

// A campaign's status: counts inside the caller's view scope (a grid worker sees their grid's),
// the script, the labels of its answers, and why its calls wait, when they do.

Result<nlohmann::json> StatusJson(const ApiCall& call, CampaignStore& store,
                                  const Campaign& found) {
  const campaign::UnitScope scope = ScopeOf(call);
  STEWARD_ASSIGN_OR_RETURN(auto funnel, store.ComputeFunnel(found.id, scope));
  STEWARD_ASSIGN_OR_RETURN(auto states,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return campaign::CountTargetStates(connection, found.id, scope);
                           }));
  nlohmann::json json = SummaryJson(found, funnel, states);
  // How the console names each question's slot and its values (the script's labels), known
  // before any answer comes in.
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [slot, answer] : found.script.AnswerLabelsBySlot()) {
    labels[slot] = {{"label", answer.label}, {"values", nlohmann::json(answer.values)}};
  }
  json["answer_labels"] = std::move(labels);
  if (auto why = WaitingOf(call.services, found); !why.empty()) json["waiting"] = why;
  return json;
}

// POST /api/v1/campaigns: a campaign of a script on the residents a segment selects inside the
// caller's view scope, started at once (its audience snapshotted in one transaction).
Result<Response> CreateCampaign(ApiCall& call, segment::ModelHolder& holder) {
  STEWARD_ASSIGN_OR_RETURN(auto body, call.Body(kCreateFields));
  STEWARD_ASSIGN_OR_RETURN(auto found_script, ScriptFrom(call, body, "script_name"));
  const campaign::Script& script = found_script.script;
  const std::string channel = body.value("channel", "sim");
  if (channel != "sim" && channel != "sip") {
    return tl::unexpected(
        InvalidField("channel", "campaign.channel", "线路应为 sim 或 sip / channel is sim or sip"));
  }
  if (channel == "sip" && !(call.services.campaigns && call.services.campaigns->Calls("sip"))) {
    return tl::unexpected(
        InvalidField("channel", "campaign.channel",
                     "本服务器未配置 SIP 中继（voice.trunk），只能用模拟线路 sim / no SIP trunk is "
                     "configured on this server (voice.trunk): use channel sim"));
  }
  const Date today = call.services.clock.Today();
  STEWARD_ASSIGN_OR_RETURN(
      auto schedule, campaign::Schedule::FromJson(body.value("schedule", nlohmann::json()), today));
  STEWARD_ASSIGN_OR_RETURN(auto policy,
                           campaign::Policy::FromJson(body.value("policy", nlohmann::json())));
  nlohmann::json segment_body = nlohmann::json::object();
  for (const char* key : {"query", "tree", "segment_id", "version"}) {
    if (body.contains(key)) segment_body[key] = body[key];
  }
  STEWARD_ASSIGN_OR_RETURN(auto selection, SelectSegment(call, holder, segment_body));
  if (selection.residents.empty()) {
    return tl::unexpected(InvalidField("query", "campaign.empty",
                                       "人群为空，没有可拨打的居民 / the segment is empty"));
  }
  campaign::NewCampaign draft;
  draft.name = body.value("name", script.title + " " + today.ToString());
  draft.script = script;
  draft.script_version = found_script.version;
  draft.segment_query = selection.text;
  if (selection.saved) {
    draft.segment_id = selection.saved->first;
    draft.segment_version = selection.saved->second;
  }
  draft.schedule = schedule;
  draft.policy = policy;
  draft.channel = channel;
  draft.priority = static_cast<int>(body.value("priority", 0.0));
  STEWARD_ASSIGN_OR_RETURN(draft.fields, TextFields(body));
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto created, store.Create(call.write_context(), draft));
  STEWARD_ASSIGN_OR_RETURN(
      auto started, store.Start(call.write_context(), created.id, selection.residents, today));
  STEWARD_TRY(call.Audit("campaign.start", std::to_string(started.id),
                         {{"script", started.script_name},
                          {"query", audit::MaskForAudit(started.segment_query)},
                          {"targeted", started.targeted}}));
  Wake(call);
  STEWARD_ASSIGN_OR_RETURN(auto json, StatusJson(call, store, started));
  Response response = JsonResponse(json, 201);
  response.headers.emplace_back("Location", "/api/v1/campaigns/" + std::to_string(started.id));
  return response;
}

Result<Response> ListCampaigns(ApiCall& call) {
  std::optional<CampaignState> state;
  if (auto text = call.request.Query("state"); text && !text->empty()) {
    state = campaign::ParseCampaignState(*text);
    if (!state) {
      return tl::unexpected(
          InvalidField("state", "enum",
                       "state 应为 draft、running、paused、completed 或 cancelled / bad state"));
    }
  }
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto campaigns, store.List(state));
  // Counts of every campaign in a few grouped queries, inside the caller's scope.
  const campaign::UnitScope scope = ScopeOf(call);
  STEWARD_ASSIGN_OR_RETURN(auto funnels, store.CountFunnels(scope));
  STEWARD_ASSIGN_OR_RETURN(auto states,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return campaign::CountAllTargetStates(connection, scope);
                           }));
  nlohmann::json items = nlohmann::json::array();
  const campaign::TargetStates none = {{"pending", 0}, {"retry", 0}, {"in_call", 0}, {"done", 0}};
  for (const auto& each : campaigns) {
    auto funnel = funnels.find(each.id);
    auto counted = states.find(each.id);
    items.push_back(SummaryJson(each, funnel == funnels.end() ? campaign::Funnel{} : funnel->second,
                                counted == states.end() ? none : counted->second));
  }
  return JsonResponse({{"items", std::move(items)}});
}

Result<Campaign> FindCampaign(const ApiCall& call, CampaignStore& store) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  return store.Get(id);
}

Result<Response> GetCampaign(ApiCall& call) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  STEWARD_ASSIGN_OR_RETURN(auto json, StatusJson(call, store, found));
  return JsonResponse(json);
}

Result<Response> ControlCampaign(ApiCall& call, const std::string& action) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  Result<Campaign> changed = found;
  if (action == "pause") {
    changed = store.Pause(call.write_context(), found.id);
  } else if (action == "resume") {
    changed = store.Resume(call.write_context(), found.id);
  } else {
    changed = store.Cancel(call.write_context(), found.id);
  }
  if (!changed) return tl::unexpected(changed.error());
  STEWARD_TRY(call.Audit("campaign." + action, std::to_string(found.id), {}));
  if (action == "resume") Wake(call);
  STEWARD_ASSIGN_OR_RETURN(auto json, StatusJson(call, store, *changed));
  return JsonResponse(json);
}

Result<Response> ListCampaignCalls(ApiCall& call) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  campaign::CallFilter filter;
  filter.in_flight_only = call.request.Query("in_flight").value_or("") == "true";
  STEWARD_ASSIGN_OR_RETURN(int64_t limit, call.IntQuery("limit", 50, 1, 500));
  filter.limit = static_cast<int>(limit);
  if (auto before = call.IdQuery("before")) filter.before_id = *before;
  STEWARD_ASSIGN_OR_RETURN(
      auto calls, call.services.database.Read([&](storage::Connection& connection) {
        return campaign::ListCalls(connection, found.id, filter, ScopeOf(call));
      }));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& each : calls) items.push_back(campaign::CallRecordToJson(each));
  return JsonResponse({{"items", std::move(items)}});
}

// GET /api/v1/campaigns/{id}/calls/{call}/recording: the call's stereo WAV (Steward left, the
// resident right), for a call of a resident inside the caller's scope. Audited: it is the
// resident's voice.
Result<Response> CallRecording(ApiCall& call) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  STEWARD_ASSIGN_OR_RETURN(Id call_id, call.IdParam("call"));
  campaign::CallFilter filter{.limit = 1, .call_id = call_id};
  STEWARD_ASSIGN_OR_RETURN(
      auto calls, call.services.database.Read([&](storage::Connection& connection) {
        return campaign::ListCalls(connection, found.id, filter, ScopeOf(call));
      }));
  if (calls.empty()) return Fail(ErrorCode::kNotFound, "没有这通电话 / no such call");
  const std::string& name = calls.front().recording;
  if (name.empty() || name.find('/') != std::string::npos || name.starts_with(".")) {
    return Fail(ErrorCode::kNotFound, "这通电话没有录音 / this call was not recorded");
  }
  const std::filesystem::path path = call.services.recordings / name;
  std::error_code error;
  if (call.services.recordings.empty() || !std::filesystem::is_regular_file(path, error)) {
    return Fail(
        ErrorCode::kNotFound,
        "录音已按保留期限删除 / the recording was deleted (voice.recording_retention_days)");
  }
  STEWARD_TRY(call.Audit("campaign.recording", std::to_string(call_id), {}));
  Response response;
  response.content_type = "audio/wav";
  response.file = path;
  response.headers.emplace_back("Content-Disposition",
                                ContentDisposition("录音-" + name, "recording-" + name));
  return response;
}

// The live monitor's picture: states, the funnel, calls in progress and the latest results.
Result<nlohmann::json> MonitorJson(const ApiServices& services, CampaignStore& store, Id id,
                                   const campaign::UnitScope& scope) {
  STEWARD_ASSIGN_OR_RETURN(auto found, store.Get(id));
  STEWARD_ASSIGN_OR_RETURN(auto funnel, store.ComputeFunnel(id, scope));
  nlohmann::json json = {{"id", std::to_string(id)},
                         {"state", campaign::CampaignStateName(found.state)},
                         {"funnel", campaign::FunnelToJson(funnel)}};
  if (auto why = WaitingOf(services, found); !why.empty()) json["waiting"] = why;
  STEWARD_TRY(services.database.Read([&](storage::Connection& connection) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto states, campaign::CountTargetStates(connection, id, scope));
    json["target_states"] = states;
    campaign::CallFilter in_flight{.in_flight_only = true, .limit = 50};
    STEWARD_ASSIGN_OR_RETURN(auto active, campaign::ListCalls(connection, id, in_flight, scope));
    campaign::CallFilter recent{.limit = 20};
    STEWARD_ASSIGN_OR_RETURN(auto latest, campaign::ListCalls(connection, id, recent, scope));
    nlohmann::json active_json = nlohmann::json::array();
    for (const auto& each : active) active_json.push_back(campaign::CallRecordToJson(each));
    nlohmann::json recent_json = nlohmann::json::array();
    for (const auto& each : latest) {
      if (!each.outcome.empty()) recent_json.push_back(campaign::CallRecordToJson(each));
    }
    json["in_call"] = std::move(active_json);
    json["recent"] = std::move(recent_json);
    return Ok();
  }));
  return json;
}

// GET /api/v1/campaigns/{id}/events: the live monitor. A WebSocket when the request asks for one
// (the console's), else Server-Sent Events; the same events either way: one `monitor` picture at
// once and then every `interval_ms` (default 2 s), until the campaign is completed or cancelled
// (a last `end` event) or the client goes away.
Result<Response> CampaignEvents(ApiCall& call) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  STEWARD_ASSIGN_OR_RETURN(const int64_t interval, call.IntQuery("interval_ms", 2000, 200, 10'000));
  struct State {
    bool first = true;
    std::optional<std::string> end;  // the final state, once seen: `end` is the next event
    bool ended = false;
  };
  const ApiServices& services = call.services;
  Response response = LiveResponse(call.request);
  response.stream = [&services, id = found.id, scope = ScopeOf(call), interval,
                     websocket = call.request.websocket, state = std::make_shared<State>()](
                        const std::atomic<bool>& stopping) -> std::optional<std::string> {
    if (state->ended || stopping) return std::nullopt;
    if (state->end) {
      state->ended = true;
      return LiveEvent(websocket, "end", {{"state", *state->end}});
    }
    if (!state->first && !PauseStream(stopping, interval)) return std::nullopt;
    state->first = false;
    CampaignStore store(services.database, services.vault, services.ids, services.clock);
    auto picture = MonitorJson(services, store, id, scope);
    if (!picture) {
      state->ended = true;
      return LiveEvent(websocket, "error", {{"message", picture.error().message}});
    }
    std::string now = (*picture)["state"].get<std::string>();
    if (now == "completed" || now == "cancelled") state->end = std::move(now);
    return LiveEvent(websocket, "monitor", *picture);
  };
  return response;
}

// GET /api/v1/campaigns/{id}/ledger?format=xlsx|csv: the 电子台账 of the caller's residents.
Result<Response> CampaignLedger(ApiCall& call) {
  CampaignStore store = StoreFor(call);
  STEWARD_ASSIGN_OR_RETURN(auto found, FindCampaign(call, store));
  const std::string format = call.request.Query("format").value_or("xlsx");
  if (format != "xlsx" && format != "csv") {
    return tl::unexpected(
        InvalidField("format", "enum", "format 应为 xlsx 或 csv / format: xlsx or csv"));
  }
  STEWARD_ASSIGN_OR_RETURN(auto funnel, store.ComputeFunnel(found.id, ScopeOf(call)));
  // Written to a temporary file (the writer needs one) and sent from it: a ledger of a big
  // campaign is not held in memory. The server removes the file once it has opened it.
  const auto path = std::filesystem::temp_directory_path() /
                    ("steward-ledger-" + std::to_string(call.services.ids.Next()) + "." + format);
  auto rows = campaign::WriteLedger(call.services.database, call.services.vault, found, funnel,
                                    path, ScopeOf(call));
  auto audited = rows ? call.Audit("campaign.ledger", std::to_string(found.id),
                                   {{"rows", *rows}, {"format", format}})
                      : Status{};
  if (!rows || !audited) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    if (!rows) return tl::unexpected(rows.error());
    return tl::unexpected(audited.error());
  }
  Response response;
  response.file = path;
  response.remove_file = true;
  response.content_type = format == "xlsx"
                              ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                              : "text/csv; charset=utf-8";
  response.headers.emplace_back(
      "Content-Disposition",
      ContentDisposition(found.name + " 台账." + format,
                         "ledger-" + std::to_string(found.id) + "." + format));
  response.headers.emplace_back("X-Ledger-Rows", std::to_string(*rows));
  return response;
}

std::string StateQuery(const ApiCall& call) { return call.request.Query("state").value_or(""); }

Result<Response> ListChanges(ApiCall& call) {
  const std::optional<Id> campaign_id = call.IdQuery("campaign_id");
  STEWARD_ASSIGN_OR_RETURN(const int64_t limit, call.IntQuery("limit", 200, 1, 1000));
  STEWARD_ASSIGN_OR_RETURN(auto changes,
                           call.services.database.Read([&](storage::Connection& connection) {
                             return campaign::ListPendingChanges(
                                 connection, campaign_id, StateQuery(call), limit, ScopeOf(call));
                           }));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& change : changes) items.push_back(campaign::PendingChangeToJson(change));
  return JsonResponse({{"items", std::move(items)}});
}

Result<Response> DecideChange(ApiCall& call, bool accept) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  registry::ResidentStore residents(call.services.vault, call.services.ids, call.services.clock);
  auto decided =
      accept ? campaign::AcceptChange(call.services.database, residents, call.write_context(), id,
                                      call.services.clock, ScopeOf(call))
             : campaign::RejectChange(call.services.database, call.write_context(), id,
                                      call.services.clock, ScopeOf(call));
  if (!decided) return tl::unexpected(decided.error());
  STEWARD_TRY(call.Audit(
      accept ? "change.accept" : "change.reject", std::to_string(id),
      {{"resident_id", std::to_string(decided->resident_id)}, {"field", decided->field}}));
  return JsonResponse(campaign::PendingChangeToJson(*decided));
}

Result<Response> ListTasksRoute(ApiCall& call) {
  const std::optional<Id> campaign_id = call.IdQuery("campaign_id");
  STEWARD_ASSIGN_OR_RETURN(const int64_t limit, call.IntQuery("limit", 200, 1, 1000));
  STEWARD_ASSIGN_OR_RETURN(
      auto tasks, call.services.database.Read([&](storage::Connection& connection) {
        return campaign::ListTasks(connection, campaign_id, StateQuery(call), limit, ScopeOf(call));
      }));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& task : tasks) items.push_back(campaign::FollowUpTaskToJson(task));
  return JsonResponse({{"items", std::move(items)}});
}

Result<Response> CloseTaskRoute(ApiCall& call) {
  STEWARD_ASSIGN_OR_RETURN(Id id, call.IdParam("id"));
  STEWARD_ASSIGN_OR_RETURN(auto closed,
                           campaign::CloseTask(call.services.database, call.write_context(), id,
                                               call.services.clock, ScopeOf(call)));
  STEWARD_TRY(call.Audit("task.close", std::to_string(id), {}));
  return JsonResponse(campaign::FollowUpTaskToJson(closed));
}

}  // namespace

void AddCampaignRoutes(Server& server, const Api& api) {
  std::shared_ptr<segment::ModelHolder> holder = SharedSegmentModel(api);
  server.Route("GET", "/api/v1/scripts", api.Gate(p::kCampaignView, ListScripts));
  server.Route("POST", "/api/v1/scripts", api.Gate(p::kCampaignRun, SaveScript));
  server.Route("GET", "/api/v1/scripts/{name}/versions",
               api.Gate(p::kCampaignView, ScriptVersions));
  server.Route("POST", "/api/v1/scripts/check", api.Gate(p::kCampaignView, CheckScriptRoute));
  server.Route("POST", "/api/v1/scripts/try", api.Gate(p::kCampaignView, TryScript));
  server.Route("GET", "/api/v1/campaigns", api.Gate(p::kCampaignView, ListCampaigns));
  server.Route("POST", "/api/v1/campaigns", api.Gate(p::kCampaignRun, [holder](ApiCall& call) {
    return CreateCampaign(call, *holder);
  }));
  server.Route("GET", "/api/v1/campaigns/{id}", api.Gate(p::kCampaignView, GetCampaign));
  for (const char* action : {"pause", "resume", "cancel"}) {
    server.Route("POST", std::string("/api/v1/campaigns/{id}/") + action,
                 api.Gate(p::kCampaignRun, [action = std::string(action)](ApiCall& call) {
                   return ControlCampaign(call, action);
                 }));
  }
  server.Route("GET", "/api/v1/campaigns/{id}/calls",
               api.Gate(p::kCampaignView, ListCampaignCalls));
  server.Route("GET", "/api/v1/campaigns/{id}/calls/{call}/recording",
               api.Gate(p::kCampaignView, CallRecording));
  server.Route("GET", "/api/v1/campaigns/{id}/events", api.Gate(p::kCampaignView, CampaignEvents));
  server.Route("GET", "/api/v1/campaigns/{id}/ledger", api.Gate(p::kCampaignView, CampaignLedger));
  server.Route("GET", "/api/v1/changes", api.Gate(p::kCampaignReview, ListChanges));
  server.Route(
      "POST", "/api/v1/changes/{id}/accept",
      api.Gate(p::kCampaignReview, [](ApiCall& call) { return DecideChange(call, true); }));
  server.Route(
      "POST", "/api/v1/changes/{id}/reject",
      api.Gate(p::kCampaignReview, [](ApiCall& call) { return DecideChange(call, false); }));
  server.Route("GET", "/api/v1/tasks", api.Gate(p::kCampaignReview, ListTasksRoute));
  server.Route("POST", "/api/v1/tasks/{id}/close", api.Gate(p::kCampaignReview, CloseTaskRoute));
}

}  // namespace steward::http::handlers
