#include "app/campaign_cli.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/script_cli.hpp"
#include "app/sip_channel.hpp"
#include "base/log.hpp"
#include "campaign/campaign_store.hpp"
#include "campaign/ledger.hpp"
#include "campaign/review.hpp"
#include "campaign/runner.hpp"
#include "campaign/script_library.hpp"
#include "campaign/session.hpp"
#include "campaign/simulator.hpp"
#include "campaign/templates.hpp"
#include "registry/resident.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "voice/recorded_prompts.hpp"

namespace steward::app {
namespace {

using campaign::Campaign;
using campaign::CampaignState;
using campaign::CampaignStore;

const storage::WriteContext kCliContext{"system:cli", storage::Source::kCli};

Result<nlohmann::json> JsonFlag(const std::string& text, const char* name) {
  if (text.empty()) return nlohmann::json();
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("--") + name + " 不是合法的 JSON / --" + name + " is not valid JSON");
  }
  return json;
}

Result<Id> ParseId(const std::string& text) {
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return static_cast<Id>(id);
  } catch (const std::exception&) {
  }
  return Fail(ErrorCode::kInvalidArgument, "外呼任务编号应为数字 / a campaign id is a number");
}

Result<campaign::HolidayCalendar> Calendar(const CampaignFlags& flags) {
  if (flags.holidays.empty()) return campaign::HolidayCalendar{};
  return campaign::HolidayCalendar::Load(flags.holidays);
}

void PrintStatus(const Campaign& campaign, const campaign::Funnel& funnel, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"campaign", campaign::CampaignToJson(campaign)},
                                {"funnel", campaign::FunnelToJson(funnel)}}
                     .dump()
              << "\n";
    return;
  }
  std::printf("外呼任务 %lld「%s」 话术：%s 状态：%s\n", static_cast<long long>(campaign.id),
              campaign.name.c_str(), campaign.script.title.c_str(),
              std::string(campaign::CampaignStateName(campaign.state)).c_str());
  std::printf(
      "目标 %lld 人，已拨打 %lld 人（%lld 次），接通 %lld 人，完成 %lld 人，已结束 %lld 人\n",
      static_cast<long long>(funnel.targeted), static_cast<long long>(funnel.dialled),
      static_cast<long long>(funnel.attempts), static_cast<long long>(funnel.answered),
      static_cast<long long>(funnel.completed), static_cast<long long>(funnel.done));
  for (const auto& [outcome, count] : funnel.outcomes) {
    auto parsed = campaign::ParseOutcome(outcome);
    std::printf("  %-24s %-14s %lld\n", outcome.c_str(),
                parsed ? std::string(campaign::OutcomeLabel(*parsed)).c_str() : "",
                static_cast<long long>(count));
  }
  for (const auto& [slot, values] : funnel.answers) {
    std::printf("  问题 %s:", slot.c_str());
    for (const auto& [value, count] : values) {
      std::printf(" %s=%lld", value.c_str(), static_cast<long long>(count));
    }
    std::printf("\n");
  }
}

// Runs a `sip` campaign in this process in real time: calls go out through the trunk, prompts are
// spoken by espeak-ng (or the [speech] TTS server), keys come back over RTP or SIP INFO (and
// spoken answers through the [speech] ASR server); returns when it is over and no call is left
// (or after its schedule's last day).
int RunOnPhoneLine(Runtime& rt, Id campaign_id, const CampaignFlags& flags, bool json) {
  const std::string trunk = flags.trunk.empty() ? rt.config.sip_trunk : flags.trunk;
  if (trunk.empty()) {
    return Die(
        {ErrorCode::kInvalidArgument,
         "SIP 线路需要 --trunk 或 [voice] trunk，例如 sip:{number}@10.0.0.5:5060 / the SIP line "
         "needs --trunk or [voice] trunk, e.g. sip:{number}@10.0.0.5:5060",
         {}},
        json);
  }
  auto calendar = Calendar(flags);
  if (!calendar) return Die(calendar.error(), json);
  campaign::RealTimers timers;
  const auto tts = TtsFrom(rt.config);
  const auto asr = AsrFrom(rt.config);
  voice::RecordedPrompts recorded(std::filesystem::path(rt.config.data_dir) / "recorded_prompts");
  voice::PromptCache prompts(
      *tts, {.directory = (std::filesystem::path(rt.config.data_dir) / "prompts").string(),
             .recorded = &recorded});
  voice::SipLineOptions line = SipLineOptionsFrom(rt.config);
  line.trunk_uri = trunk;
  if (!flags.recordings.empty()) line.recording_dir = flags.recordings;
  SipChannel channel(timers, prompts, line, rt.config.sip_allowed_prefixes, asr.get());
  if (auto started = channel.Start(); !started) return Die(started.error(), json);
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, timers.clock());
  // The prompts rendered before the first call: the script's fixed pieces and the campaign's
  // values (residents' and units' names follow as calls need them). Without a voice nobody is
  // called: each call would only hear silence.
  if (auto campaign = store.Get(campaign_id)) {
    campaign::Variables known;
    for (const auto& [name, value] : campaign->fields) known["campaign." + name] = value;
    const auto pieces = campaign::PromptPieces(campaign->script, known);
    if (auto rendered = prompts.Render(pieces); !rendered) {
      return Die(
          {ErrorCode::kUnavailable,
           "语音合成不可用，未拨打任何电话 / the speech synthesis failed; nobody was called: " +
               rendered.error().message,
           {}},
          json);
    }
    spdlog::info("campaign: {} prompt pieces ready", pieces.size());
  }
  campaign::CampaignRunner runner(store, channel, timers, *calendar,
                                  campaign::CampaignRunner::UnitsFrom(*rt.database, *rt.vault),
                                  {.node = "node-" + std::to_string(rt.config.node_id),
                                   .tick_ms = 200,
                                   .idle_tick_ms = 1000,
                                   .channel = "sip"});
  timers.Start();
  // The runner lives on the timers' thread: everything that touches it goes through After.
  auto on_timers = [&timers](auto fn) {
    std::promise<decltype(fn())> done;
    timers.After(0, [&] { done.set_value(fn()); });
    return done.get_future().get();
  };
  if (auto started = on_timers([&] { return runner.Start(); }); !started) {
    timers.Stop();
    return Die(started.error(), json);
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto current = store.Get(campaign_id);
    if (!current) break;
    const size_t active = on_timers([&] { return runner.active_calls(); });
    if (current->state != CampaignState::kRunning && active == 0) break;
    if (timers.clock().NowMillis() > current->schedule.EndMillis()) break;
  }
  on_timers([&] {
    runner.Stop();
    return 0;
  });
  channel.Stop();
  timers.Stop();
  if (runner.last_error()) spdlog::warn("campaign: {}", runner.last_error()->ToString());
  auto done = store.Get(campaign_id);
  auto funnel = store.ComputeFunnel(campaign_id);
  if (!done) return Die(done.error(), json);
  if (!funnel) return Die(funnel.error(), json);
  PrintStatus(*done, *funnel, json);
  return 0;
}

// Runs the campaign in this process on the simulator in virtual time, until it is completed or
// cancelled (or paused from elsewhere) and no call is left.
int RunHere(Runtime& rt, Id campaign_id, const CampaignFlags& flags, bool json) {
  auto calendar = Calendar(flags);
  if (!calendar) return Die(calendar.error(), json);
  campaign::VirtualTimers timers(rt.clock.NowMillis());
  campaign::SimulatorChannel channel(timers, flags.seed);
  channel.SetPersonaMix(campaign::DefaultPersonaMix());
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, timers.clock());
  auto first = store.Get(campaign_id);
  if (!first) return Die(first.error(), json);
  if (first->channel == "sip") return RunOnPhoneLine(rt, campaign_id, flags, json);
  campaign::CampaignRunner runner(
      store, channel, timers, *calendar,
      campaign::CampaignRunner::UnitsFrom(*rt.database, *rt.vault),
      {.node = "node-" + std::to_string(rt.config.node_id), .channel = "sim"});
  if (auto started = runner.Start(); !started) return Die(started.error(), json);
  int64_t last_report = 0;
  while (true) {
    timers.RunFor(60'000);
    auto current = store.Get(campaign_id);
    if (!current) return Die(current.error(), json);
    const bool over = current->state != CampaignState::kRunning;
    if (over && runner.active_calls() == 0) break;
    if (timers.now() - last_report >= 3'600'000 && !json) {
      last_report = timers.now();
      auto funnel = store.ComputeFunnel(campaign_id);
      if (funnel) {
        std::fprintf(stderr, "%s 已拨打 %lld / %lld 人，完成 %lld 人\n",
                     FormatIsoMillis(timers.now()).substr(0, 16).c_str(),
                     static_cast<long long>(funnel->dialled),
                     static_cast<long long>(funnel->targeted),
                     static_cast<long long>(funnel->completed));
      }
    }
    if (timers.now() > current->schedule.EndMillis() + 86'400'000) break;  // cannot happen
  }
  runner.Stop();
  if (runner.last_error()) spdlog::warn("campaign: {}", runner.last_error()->ToString());
  auto done = store.Get(campaign_id);
  auto funnel = store.ComputeFunnel(campaign_id);
  if (!done) return Die(done.error(), json);
  if (!funnel) return Die(funnel.error(), json);
  PrintStatus(*done, *funnel, json);
  return 0;
}

}  // namespace

int RunCampaignRun(const Globals& globals, const CampaignFlags& flags) {
  auto query = segment::ParseQuery(flags.segment);
  if (!query) return Die(query.error(), globals.json);
  auto schedule_json = JsonFlag(flags.schedule, "schedule");
  if (!schedule_json) return Die(schedule_json.error(), globals.json);
  auto policy_json = JsonFlag(flags.policy, "policy");
  if (!policy_json) return Die(policy_json.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auto found = LoadScript(rt.database.get(), flags.script);
  if (!found) return Die(found.error(), globals.json);
  const campaign::Script* script = &found->script;
  auto schedule = campaign::Schedule::FromJson(*schedule_json, rt.clock.Today());
  if (!schedule) return Die(schedule.error(), globals.json);
  auto policy = campaign::Policy::FromJson(*policy_json);
  if (!policy) return Die(policy.error(), globals.json);
  campaign::NewCampaign draft;
  draft.name = flags.name.empty() ? script->title + " " + rt.clock.Today().ToString() : flags.name;
  draft.script = *script;
  draft.script_version = found->version;
  draft.segment_query = segment::ToText(*query);
  draft.schedule = *schedule;
  draft.policy = *policy;
  draft.channel = flags.channel;
  draft.priority = flags.priority;
  for (const auto& assignment : flags.vars) {
    const size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Die({ErrorCode::kInvalidArgument, "--var 应为 名称=值 / --var is NAME=VALUE", {}},
                 globals.json);
    }
    draft.fields[assignment.substr(0, equals)] = assignment.substr(equals + 1);
  }
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, rt.clock);
  auto created = store.Create(kCliContext, draft);
  if (!created) return Die(created.error(), globals.json);
  // The audience: the segment evaluated on the read model now (the CLI sees the whole city).
  auto model = rt.database->Read(
      [](storage::Connection& connection) { return segment::ResidentModel::Load(connection); });
  if (!model) return Die(model.error(), globals.json);
  auto selected = (*model)->Evaluate(*query, rt.clock.Today(), rt.clock.NowMillis());
  if (!selected) return Die(selected.error(), globals.json);
  std::vector<Id> residents;
  residents.reserve(selected->cardinality());
  for (auto row : *selected) residents.push_back((*model)->ResidentId(row));
  std::sort(residents.begin(), residents.end());
  auto started = store.Start(kCliContext, created->id, residents, rt.clock.Today());
  if (!started) return Die(started.error(), globals.json);
  std::cout << started->id << std::endl;  // the first line: the campaign id
  AuditCli(rt, "campaign.start", std::to_string(started->id),
           {{"script", started->script_name},
            {"query", started->segment_query},
            {"targeted", started->targeted}});
  if (!flags.wait) {
    if (!globals.json) {
      std::printf(
          "外呼任务已启动，目标 %lld 人；用 steward campaign resume %lld --wait 在本机拨打\n",
          static_cast<long long>(started->targeted), static_cast<long long>(started->id));
    }
    return 0;
  }
  return RunHere(rt, started->id, flags, globals.json);
}

int RunCampaignList(const Globals& globals) {
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, rt.clock);
  auto campaigns = store.List(std::nullopt);
  if (!campaigns) return Die(campaigns.error(), globals.json);
  if (globals.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& campaign : *campaigns) items.push_back(campaign::CampaignToJson(campaign));
    std::cout << nlohmann::json{{"items", items}}.dump() << "\n";
    return 0;
  }
  for (const auto& campaign : *campaigns) {
    std::printf("%lld\t%-10s\t%lld 人\t%s\n", static_cast<long long>(campaign.id),
                std::string(campaign::CampaignStateName(campaign.state)).c_str(),
                static_cast<long long>(campaign.targeted), campaign.name.c_str());
  }
  return 0;
}

int RunCampaignStatus(const Globals& globals, const std::string& id_text) {
  auto id = ParseId(id_text);
  if (!id) return Die(id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, rt.clock);
  auto campaign = store.Get(*id);
  if (!campaign) return Die(campaign.error(), globals.json);
  auto funnel = store.ComputeFunnel(*id);
  if (!funnel) return Die(funnel.error(), globals.json);
  PrintStatus(*campaign, *funnel, globals.json);
  return 0;
}

int RunCampaignControl(const Globals& globals, const std::string& action,
                       const std::string& id_text, const CampaignFlags& flags) {
  auto id = ParseId(id_text);
  if (!id) return Die(id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, rt.clock);
  auto current = store.Get(*id);
  if (!current) return Die(current.error(), globals.json);
  Result<Campaign> changed = *current;
  if (action == "pause") {
    changed = store.Pause(kCliContext, *id);
  } else if (action == "cancel") {
    changed = store.Cancel(kCliContext, *id);
  } else if (current->state != CampaignState::kRunning) {
    // resume: a paused campaign runs again; a running one (after a crash) just goes on.
    changed = store.Resume(kCliContext, *id);
  }
  if (!changed) return Die(changed.error(), globals.json);
  AuditCli(rt, "campaign." + action, std::to_string(*id), {});
  if (action == "resume" && flags.wait) return RunHere(rt, *id, flags, globals.json);
  if (globals.json) {
    std::cout << campaign::CampaignToJson(*changed).dump() << "\n";
  } else {
    std::printf("外呼任务 %lld：%s\n", static_cast<long long>(*id),
                std::string(campaign::CampaignStateName(changed->state)).c_str());
  }
  return 0;
}

int RunCampaignLedger(const Globals& globals, const std::string& id_text, const std::string& out) {
  auto id = ParseId(id_text);
  if (!id) return Die(id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  CampaignStore store(*rt.database, *rt.vault, *rt.ids, rt.clock);
  auto campaign = store.Get(*id);
  if (!campaign) return Die(campaign.error(), globals.json);
  auto funnel = store.ComputeFunnel(*id);
  if (!funnel) return Die(funnel.error(), globals.json);
  auto rows = campaign::WriteLedger(*rt.database, *rt.vault, *campaign, *funnel, out);
  if (!rows) return Die(rows.error(), globals.json);
  AuditCli(rt, "campaign.ledger", std::to_string(*id), {{"rows", *rows}, {"file", out}});
  if (globals.json) {
    std::cout << nlohmann::json{{"rows", *rows}, {"out", out}}.dump() << "\n";
  } else {
    std::printf("台账已导出：%s（%lld 行）\n", out.c_str(), static_cast<long long>(*rows));
  }
  return 0;
}

namespace {

Result<std::optional<Id>> OptionalId(const std::string& text) {
  if (text.empty()) return std::optional<Id>();
  STEWARD_ASSIGN_OR_RETURN(Id id, ParseId(text));
  return std::optional<Id>(id);
}

}  // namespace

int RunChangeList(const Globals& globals, const std::string& campaign_text,
                  const std::string& state) {
  auto campaign_id = OptionalId(campaign_text);
  if (!campaign_id) return Die(campaign_id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  auto changes = (*runtime)->database->Read([&](storage::Connection& connection) {
    return campaign::ListPendingChanges(connection, *campaign_id, state, 1000);
  });
  if (!changes) return Die(changes.error(), globals.json);
  if (globals.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& change : *changes) items.push_back(campaign::PendingChangeToJson(change));
    std::cout << nlohmann::json{{"items", items}}.dump() << "\n";
    return 0;
  }
  for (const auto& change : *changes) {
    std::printf("%lld\t%s\t居民 %lld\t%s → %s\n", static_cast<long long>(change.id),
                change.state.c_str(), static_cast<long long>(change.resident_id),
                change.field.c_str(), change.value.c_str());
  }
  return 0;
}

int RunChangeDecide(const Globals& globals, const std::string& action, const std::string& id_text) {
  auto id = ParseId(id_text);
  if (!id) return Die(id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  registry::ResidentStore residents(*rt.vault, *rt.ids, rt.clock);
  auto decided = action == "accept"
                     ? campaign::AcceptChange(*rt.database, residents, kCliContext, *id, rt.clock)
                     : campaign::RejectChange(*rt.database, kCliContext, *id, rt.clock);
  if (!decided) return Die(decided.error(), globals.json);
  AuditCli(rt, "change." + action, std::to_string(*id),
           {{"resident_id", std::to_string(decided->resident_id)}, {"field", decided->field}});
  if (globals.json) {
    std::cout << campaign::PendingChangeToJson(*decided).dump() << "\n";
  } else {
    std::printf("变更 %lld：%s\n", static_cast<long long>(*id), decided->state.c_str());
  }
  return 0;
}

int RunTaskList(const Globals& globals, const std::string& campaign_text,
                const std::string& state) {
  auto campaign_id = OptionalId(campaign_text);
  if (!campaign_id) return Die(campaign_id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  auto tasks = (*runtime)->database->Read([&](storage::Connection& connection) {
    return campaign::ListTasks(connection, *campaign_id, state, 1000);
  });
  if (!tasks) return Die(tasks.error(), globals.json);
  if (globals.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& task : *tasks) items.push_back(campaign::FollowUpTaskToJson(task));
    std::cout << nlohmann::json{{"items", items}}.dump() << "\n";
    return 0;
  }
  for (const auto& task : *tasks) {
    std::printf("%lld\t%s\t%s\t居民 %lld\t%s\n", static_cast<long long>(task.id),
                task.state.c_str(), task.kind.c_str(), static_cast<long long>(task.resident_id),
                task.detail.c_str());
  }
  return 0;
}

int RunTaskClose(const Globals& globals, const std::string& id_text) {
  auto id = ParseId(id_text);
  if (!id) return Die(id.error(), globals.json);
  auto runtime = OpenRuntime(globals, true);
  if (!runtime) return Die(runtime.error(), globals.json);
  Runtime& rt = **runtime;
  auto closed = campaign::CloseTask(*rt.database, kCliContext, *id, rt.clock);
  if (!closed) return Die(closed.error(), globals.json);
  AuditCli(rt, "task.close", std::to_string(*id), {});
  if (globals.json) {
    std::cout << campaign::FollowUpTaskToJson(*closed).dump() << "\n";
  } else {
    std::printf("任务 %lld：%s\n", static_cast<long long>(*id), closed->state.c_str());
  }
  return 0;
}

}  // namespace steward::app
