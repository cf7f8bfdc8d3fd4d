#include "app/script_cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "campaign/script_check.hpp"
#include "campaign/script_library.hpp"
#include "campaign/session.hpp"
#include "campaign/simulator.hpp"
#include "campaign/templates.hpp"

namespace steward::app {
namespace {

using campaign::Script;

int Fail(const Error& error, bool json) {
  if (json) {
    nlohmann::json details = nlohmann::json::array();
    for (const auto& detail : error.details) {
      details.push_back(
          {{"field", detail.field}, {"code", detail.code}, {"message", detail.message}});
    }
    std::cout << nlohmann::json{{"error",
                                 {{"code", ErrorCodeName(error.code)},
                                  {"message", error.message},
                                  {"details", details}}}}
                     .dump()
              << "\n";
  } else {
    std::cerr << error.message << "\n";
    for (const auto& detail : error.details) {
      std::cerr << "  " << (detail.field.empty() ? "" : detail.field + ": ") << detail.message
                << "\n";
    }
  }
  return 1;
}

// Bad input: exit 2, as Die gives.
int Refuse(const Error& error, bool json) {
  Fail(error, json);
  return 2;
}

// The script a command names, with the database opened only when the name is neither a file nor
// a built-in template (`runtime` keeps it open for the caller).
Result<campaign::SavedScript> NamedScript(const Globals& globals, const std::string& name_or_file,
                                          std::unique_ptr<Runtime>& runtime) {
  std::ifstream file(name_or_file, std::ios::binary);
  if (file || campaign::BuiltInScript(name_or_file)) return LoadScript(nullptr, name_or_file);
  STEWARD_ASSIGN_OR_RETURN(runtime, OpenRuntime(globals, /*need_vault=*/false));
  return LoadScript(runtime->database.get(), name_or_file);
}

// Sample values for the call: the resident from --as, a sample grid, the campaign's fields shown
// as their labels in brackets unless --var gives them.
Result<campaign::Variables> CallVariables(const Script& script, const ScriptTryFlags& flags) {
  std::vector<std::string> parts;
  std::stringstream as(flags.as);
  for (std::string part; std::getline(as, part, ',');) parts.push_back(part);
  std::string name = parts.empty() ? "" : parts[0];
  campaign::Gender gender = campaign::Gender::kUnknown;
  std::optional<int> age;
  if (parts.size() > 1) {
    if (parts[1] == "男" || parts[1] == "male") gender = campaign::Gender::kMale;
    if (parts[1] == "女" || parts[1] == "female") gender = campaign::Gender::kFemale;
  }
  if (parts.size() > 2) {
    try {
      age = std::stoi(parts[2]);
    } catch (const std::exception&) {
      return steward::Fail(ErrorCode::kInvalidArgument,
                           "--as 应为 姓名,性别,年龄 / --as is name,gender,age",
                           {{"as", "format", "例如 王秀英,女,78 / e.g. 王秀英,女,78"}});
    }
  }
  campaign::Variables variables = campaign::SampleVariables(script, name, gender, age);
  for (const auto& assignment : flags.vars) {
    const size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return steward::Fail(ErrorCode::kInvalidArgument, "--var 应为 名称=值 / --var is NAME=VALUE",
                           {{"var", "format", assignment}});
    }
    std::string key = assignment.substr(0, equals);
    if (variables.count(key) == 0 && variables.count("campaign." + key) > 0)
      key = "campaign." + key;
    variables[key] = assignment.substr(equals + 1);
  }
  return variables;
}

std::string Clock(int64_t millis, int64_t start) {
  const int64_t seconds = (millis - start) / 1000;
  char text[32];
  std::snprintf(text, sizeof(text), "%02lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return text;
}

void PrintSummary(const campaign::CallResult& result) {
  std::printf("结果 / outcome: %s\n", std::string(campaign::OutcomeName(result.outcome)).c_str());
  for (const auto& answer : result.answers) {
    std::printf(
        "  %s = %s（%s，第 %d 次询问）\n", answer.slot.c_str(), answer.value.c_str(),
        answer.via == campaign::AnswerVia::kKeypad ? ("按键 " + answer.raw).c_str() : "语音",
        answer.tries);
  }
  for (const auto& follow_up : result.follow_ups) {
    std::printf("  上门任务 / door-visit task: %s\n", follow_up.task.c_str());
  }
  for (const auto& proposed : result.updates) {
    std::printf("  待审核变更 / pending change: %s → %s\n", proposed.update.field.c_str(),
                proposed.update.value.c_str());
  }
}

// A text call in the terminal: prompts are printed; a line of digits is keypad input, other text
// is a spoken answer, an empty line lets the question time out, "挂断" or end of input hangs up.
// With --json the conversation goes to stderr, so stdout holds the JSON alone.
campaign::CallResult TalkInTerminal(const Script& script, const campaign::Variables& variables,
                                    bool json) {
  std::FILE* out = json ? stderr : stdout;
  const bool echo = !isatty(STDIN_FILENO);  // piped answers are shown as if typed
  using campaign::Action;
  using campaign::ChannelEvent;
  using campaign::ChannelEventKind;
  campaign::CallSession session(script, variables, /*speech_enabled=*/true);
  int64_t now = 0;
  auto event = [&](ChannelEventKind kind) {
    ChannelEvent e;
    e.kind = kind;
    e.call_id = 1;
    e.at_ms = now += 1000;
    return e;
  };
  bool prompt_playing = false;
  bool waiting = false;
  auto carry = [&](const std::vector<Action>& actions) {
    for (const auto& action : actions) {
      switch (action.kind) {
        case Action::Kind::kPlay:
          std::fprintf(out, "AI社工：%s\n", action.prompt.text.c_str());
          prompt_playing = true;
          waiting = false;
          break;
        case Action::Kind::kStartTimer:
          waiting = true;
          break;
        case Action::Kind::kCommit:
          std::fprintf(out, "  （已记录 %s = %s）\n", action.answer.slot.c_str(),
                       action.answer.value.c_str());
          break;
        case Action::Kind::kTransfer:
          std::fprintf(out, "（转接至 %s）\n", action.phone.c_str());
          [[fallthrough]];
        case Action::Kind::kHangup:
          prompt_playing = false;
          waiting = false;
          break;
        case Action::Kind::kStopPrompt:
          prompt_playing = false;
          break;
      }
    }
  };
  carry(session.OnEvent(event(ChannelEventKind::kAnswered)));
  while (!session.ended()) {
    if (prompt_playing) {
      prompt_playing = false;
      carry(session.OnEvent(event(ChannelEventKind::kPromptFinished)));
      continue;
    }
    if (session.state() == campaign::CallState::kEnding) {
      auto hung_up = event(ChannelEventKind::kHungUp);
      hung_up.by = campaign::HangupBy::kLocal;
      carry(session.OnEvent(hung_up));
      continue;
    }
    if (!waiting) break;  // nothing left to wait for
    std::fprintf(out, "您：");
    std::fflush(out);
    std::string line;
    const bool read = static_cast<bool>(std::getline(std::cin, line));
    if (echo) std::fprintf(out, "%s\n", read ? line.c_str() : "");
    if (!read || line == "挂断" || line == "hangup") {
      std::fprintf(out, "（挂断）\n");
      auto hung_up = event(ChannelEventKind::kHungUp);
      hung_up.by = campaign::HangupBy::kRemote;
      carry(session.OnEvent(hung_up));
      break;
    }
    if (line.empty()) {
      now += 8000;
      carry(session.OnTimeout(now));
      continue;
    }
    const bool keypad = line.find_first_not_of("0123456789*#") == std::string::npos;
    if (!keypad) {
      auto spoken = event(ChannelEventKind::kSpeech);
      spoken.transcript = line;
      carry(session.OnEvent(spoken));
      continue;
    }
    for (char digit : line) {
      auto pressed = event(ChannelEventKind::kDigit);
      pressed.digit = digit;
      carry(session.OnEvent(pressed));
      if (session.state() != campaign::CallState::kAsking &&
          session.state() != campaign::CallState::kWaiting) {
        break;
      }
    }
  }
  return session.result();
}

}  // namespace

Result<campaign::SavedScript> LoadScript(storage::Database* database,
                                         const std::string& name_or_file) {
  std::ifstream in(name_or_file, std::ios::binary);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    campaign::SavedScript from_file;
    STEWARD_ASSIGN_OR_RETURN(from_file.script, campaign::ParseScriptText(text.str()));
    from_file.name = from_file.script.name;
    return from_file;
  }
  if (database == nullptr) {
    if (auto built_in = campaign::BuiltInScript(name_or_file)) {
      return campaign::SavedScript{.name = built_in->name, .script = *built_in};
    }
    return steward::Fail(
        ErrorCode::kNotFound,
        "没有名为 " + name_or_file + " 的话术或文件 / no script or file named " + name_or_file);
  }
  return database->Read([&](storage::Connection& connection) {
    return campaign::FindScript(connection, name_or_file);
  });
}

int RunScriptList(const Globals& globals) {
  const bool json = globals.json;
  std::vector<campaign::SavedScript> scripts;
  for (const auto& script : campaign::BuiltInScripts()) {
    scripts.push_back({.name = script.name, .script = script});
  }
  auto runtime = OpenRuntime(globals, /*need_vault=*/false);
  if (!runtime) return Fail(runtime.error(), json);
  auto saved = (*runtime)->database->Read(
      [](storage::Connection& connection) { return campaign::ScriptLibrary::List(connection); });
  if (!saved) return Fail(saved.error(), json);
  for (auto& one : *saved) scripts.push_back(std::move(one));
  if (json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& one : scripts) {
      items.push_back({{"name", one.name},
                       {"title", one.script.title},
                       {"scenario", one.script.scenario},
                       {"description", one.script.description},
                       {"built_in", one.built_in()},
                       {"version", one.version},
                       {"created_by", one.created_by}});
    }
    std::cout << nlohmann::json{{"items", items}}.dump() << "\n";
    return 0;
  }
  for (const auto& one : scripts) {
    const std::string version = one.built_in() ? "内置" : "v" + std::to_string(one.version);
    std::printf("%-22s %-6s %-12s %s\n", one.name.c_str(), version.c_str(),
                one.script.scenario.c_str(), one.script.title.c_str());
  }
  return 0;
}

int RunScriptSave(const Globals& globals, const std::string& file) {
  const bool json = globals.json;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Refuse({ErrorCode::kNotFound, "没有这个文件 / no such file: " + file, {}}, json);
  }
  auto loaded = LoadScript(nullptr, file);
  if (!loaded) return Refuse(loaded.error(), json);
  auto runtime = OpenRuntime(globals, /*need_vault=*/false);
  if (!runtime) return Fail(runtime.error(), json);
  Runtime& rt = **runtime;
  const campaign::ScriptLibrary library(rt.clock);
  campaign::SavedScript saved;
  auto written = rt.database->Write(
      {"system:cli", storage::Source::kCli}, [&](storage::WriteTransaction& transaction) -> Status {
        STEWARD_ASSIGN_OR_RETURN(saved, library.Save(transaction, loaded->script));
        return Ok();
      });
  if (!written) {
    const bool refused = written.error().code == ErrorCode::kInvalidArgument ||
                         written.error().code == ErrorCode::kAlreadyExists;
    return refused ? Refuse(written.error(), json) : Fail(written.error(), json);
  }
  AuditCli(rt, "script.save", "script:" + saved.name,
           {{"version", saved.version}, {"title", saved.script.title}});
  if (json) {
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& finding : saved.warnings) {
      warnings.push_back(
          {{"node", finding.node_id}, {"code", finding.code}, {"message", finding.message}});
    }
    std::cout << nlohmann::json{{"name", saved.name},
                                {"version", saved.version},
                                {"warnings", warnings}}
                     .dump()
              << "\n";
    return 0;
  }
  for (const auto& finding : saved.warnings) {
    std::printf("提醒 warning [%s]: %s\n", finding.node_id.c_str(), finding.message.c_str());
  }
  std::printf("已保存到话术库：%s 第 %lld 版 / saved %s as version %lld\n", saved.name.c_str(),
              static_cast<long long>(saved.version), saved.name.c_str(),
              static_cast<long long>(saved.version));
  return 0;
}

int RunScriptValidate(const Globals& globals, const std::string& name) {
  const bool json = globals.json;
  std::unique_ptr<Runtime> runtime;
  auto found = NamedScript(globals, name, runtime);
  if (!found) return Fail(found.error(), json);
  const Script* script = &found->script;
  ScriptTryFlags defaults;
  auto variables = CallVariables(*script, defaults);
  if (!variables) return Fail(variables.error(), json);
  const nlohmann::json report = campaign::CheckReport(*script, *variables);
  const bool errors = !report["valid"].get<bool>();
  if (json) {
    std::cout << report.dump() << "\n";
    return errors ? 1 : 0;
  }
  for (const auto& finding : report["findings"]) {
    const std::string node = finding["node"].get<std::string>();
    std::printf("%s %s%s%s: %s\n", finding["severity"] == "error" ? "错误 error" : "提醒 warning",
                node.empty() ? "" : "[", node.c_str(), node.empty() ? "" : "]",
                finding["message"].get<std::string>().c_str());
  }
  for (const auto& run : report["dry_run"]) {
    std::printf("试拨 dry run  %-20s → %s\n", run["persona"].get<std::string>().c_str(),
                run["outcome"].get<std::string>().c_str());
  }
  std::printf(
      errors ? "话术 %s 有错误，不能使用 / %s has errors\n" : "话术 %s 检查通过 / %s is valid\n",
      script->name.c_str(), script->name.c_str());
  return errors ? 1 : 0;
}

int RunScriptTry(const Globals& globals, const ScriptTryFlags& flags) {
  const bool json = globals.json;
  std::unique_ptr<Runtime> runtime;
  auto found = NamedScript(globals, flags.script, runtime);
  if (!found) return Fail(found.error(), json);
  const Script* script = &found->script;
  if (auto refused = campaign::RefuseScriptErrors(campaign::CheckScript(*script)); !refused) {
    Error error = refused.error();
    error.message =
        "话术有错误，先运行 steward script validate / the "
        "script has errors: run steward script validate";
    return Fail(error, json);
  }
  auto variables = CallVariables(*script, flags);
  if (!variables) return Fail(variables.error(), json);
  campaign::CallResult result;
  if (!flags.persona.empty()) {
    auto kind = campaign::ParsePersona(flags.persona);
    if (!kind) {
      std::string names;
      for (auto each : campaign::AllPersonas()) {
        names += (names.empty() ? "" : ", ") + std::string(campaign::PersonaName(each));
      }
      return Fail({ErrorCode::kInvalidArgument,
                   "没有这种模拟居民 / no such persona: " + flags.persona,
                   {{"persona", "enum", names}}},
                  json);
    }
    result = campaign::SimulateCall(*script, *variables, {*kind}, flags.seed);
    if (!json) {
      const int64_t start = result.transcript.empty() ? 0 : result.transcript.front().at_ms;
      for (const auto& line : result.transcript) {
        std::printf("%s %s：%s\n", Clock(line.at_ms, start).c_str(),
                    line.from_resident ? "居民" : "AI社工", line.text.c_str());
      }
    }
  } else {
    result = TalkInTerminal(*script, *variables, json);
  }
  if (json) {
    std::cout << campaign::CallResultToJson(result).dump() << "\n";
  } else {
    PrintSummary(result);
  }
  return 0;
}

}  // namespace steward::app
