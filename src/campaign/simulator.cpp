#include "campaign/simulator.hpp"

#include "campaign/script_check.hpp"

#include <array>
#include <memory>
#include <utility>

#include "campaign/call_driver.hpp"

namespace steward::campaign {
namespace {

constexpr std::array<std::pair<PersonaKind, std::string_view>, 12> kPersonaNames = {{
    {PersonaKind::kQuick, "quick"},
    {PersonaKind::kNeedsRepeat, "needs_repeat"},
    {PersonaKind::kWrongKey, "wrong_key"},
    {PersonaKind::kSilent, "silent"},
    {PersonaKind::kNeverAnswers, "never_answers"},
    {PersonaKind::kBusy, "busy"},
    {PersonaKind::kDeclines, "declines"},
    {PersonaKind::kInvalidNumber, "invalid_number"},
    {PersonaKind::kHangsUpInOpening, "hangs_up_in_opening"},
    {PersonaKind::kHangsUpMidway, "hangs_up_midway"},
    {PersonaKind::kOptsOut, "opts_out"},
    {PersonaKind::kRandom, "random"},
}};

constexpr int64_t kRingAfterMs = 500;
// 2026-01-05 09:00 China Standard Time: a Monday morning, for calls simulated alone.
constexpr int64_t kSimulatedStart = 1767574800000;

ChannelEvent Event(ChannelEventKind kind) {
  ChannelEvent event;
  event.kind = kind;
  return event;
}

ChannelEvent Failure(FailCause cause) {
  ChannelEvent event = Event(ChannelEventKind::kFailed);
  event.cause = cause;
  return event;
}

ChannelEvent HungUp(HangupBy by) {
  ChannelEvent event = Event(ChannelEventKind::kHungUp);
  event.by = by;
  return event;
}

}  // namespace

std::string_view PersonaName(PersonaKind kind) {
  for (const auto& [value, name] : kPersonaNames) {
    if (value == kind) return name;
  }
  return "quick";
}

std::optional<PersonaKind> ParsePersona(std::string_view name) {
  for (const auto& [value, text] : kPersonaNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

const std::vector<PersonaKind>& AllPersonas() {
  static const std::vector<PersonaKind> kAll = [] {
    std::vector<PersonaKind> all;
    for (const auto& [value, name] : kPersonaNames) all.push_back(value);
    return all;
  }();
  return kAll;
}

SimulatorChannel::SimulatorChannel(Timers& timers, uint64_t seed, bool speech)
    : timers_(timers), random_(seed), speech_(speech), seed_(seed) {}

std::vector<std::pair<PersonaKind, int>> DefaultPersonaMix() {
  return {{PersonaKind::kQuick, 50},        {PersonaKind::kRandom, 10},
          {PersonaKind::kNeedsRepeat, 8},   {PersonaKind::kWrongKey, 4},
          {PersonaKind::kSilent, 2},        {PersonaKind::kNeverAnswers, 10},
          {PersonaKind::kBusy, 5},          {PersonaKind::kDeclines, 3},
          {PersonaKind::kInvalidNumber, 2}, {PersonaKind::kHangsUpInOpening, 3},
          {PersonaKind::kHangsUpMidway, 2}, {PersonaKind::kOptsOut, 1}};
}

void SimulatorChannel::SetPersona(const std::string& phone, Persona persona) {
  personas_[phone] = std::move(persona);
}

int64_t SimulatorChannel::SpeakingMillis(const std::string& text) {
  int64_t characters = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++characters;
  }
  const int64_t millis = 300 + characters * 220;
  return millis < 600 ? 600 : millis;
}

Timers::TimerId SimulatorChannel::Later(int64_t call_id, int64_t delay_ms, ChannelEvent event) {
  auto found = calls_.find(call_id);
  if (found == calls_.end()) return 0;
  auto id = std::make_shared<Timers::TimerId>(0);
  *id = timers_.After(delay_ms, [this, call_id, id, event]() mutable {
    auto it = calls_.find(call_id);
    if (it == calls_.end()) return;
    it->second.others.erase(*id);
    if (event.kind == ChannelEventKind::kHungUp || event.kind == ChannelEventKind::kFailed) {
      End(call_id, std::move(event));
    } else {
      Emit(call_id, std::move(event));
    }
  });
  found->second.others.insert(*id);
  return *id;
}

void SimulatorChannel::Emit(int64_t call_id, ChannelEvent event) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  if (event.kind == ChannelEventKind::kAnswered) it->second.answered = true;
  event.call_id = call_id;
  event.at_ms = timers_.clock().NowMillis();
  it->second.sink->OnChannelEvent(event);
}

void SimulatorChannel::CancelAll(Call& call) {
  for (auto id : call.others) timers_.Cancel(id);
  call.others.clear();
  call.prompt_timer = 0;
  call.reply_timer = 0;
}

void SimulatorChannel::End(int64_t call_id, ChannelEvent event) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  CancelAll(it->second);
  CallSink* sink = it->second.sink;
  calls_.erase(it);
  event.call_id = call_id;
  event.at_ms = timers_.clock().NowMillis();
  sink->OnChannelEvent(event);
}

Status SimulatorChannel::Dial(const DialRequest& request, CallSink* sink) {
  if (calls_.count(request.call_id) > 0) {
    return Fail(ErrorCode::kAlreadyExists, "该通话已在进行 / the call is already in progress");
  }
  auto persona = personas_.find(request.phone);
  Call call;
  call.sink = sink;
  call.persona = persona == personas_.end() ? fallback_ : persona->second;
  if (persona == personas_.end() && !mix_.empty()) {
    int total = 0;
    for (const auto& [kind, weight] : mix_) total += weight;
    // FNV-1a of the number and the seed: stable across attempts and runs.
    uint64_t hash = 1469598103934665603ull ^ seed_;
    for (unsigned char c : request.phone) hash = (hash ^ c) * 1099511628211ull;
    int pick = static_cast<int>(hash % static_cast<uint64_t>(total > 0 ? total : 1));
    for (const auto& [kind, weight] : mix_) {
      if (pick < weight) {
        call.persona.kind = kind;
        break;
      }
      pick -= weight;
    }
  }
  const PersonaKind kind = call.persona.kind;
  const int64_t ring_ms = call.persona.ring_ms;
  calls_.emplace(request.call_id, std::move(call));
  switch (kind) {
    case PersonaKind::kInvalidNumber:
      Later(request.call_id, 300, Failure(FailCause::kInvalidNumber));
      return Ok();
    case PersonaKind::kBusy:
      Later(request.call_id, 600, Failure(FailCause::kBusy));
      return Ok();
    case PersonaKind::kDeclines:
      Later(request.call_id, kRingAfterMs, Event(ChannelEventKind::kRinging));
      Later(request.call_id, 3000, Failure(FailCause::kDeclined));
      return Ok();
    default:
      break;
  }
  Later(request.call_id, kRingAfterMs, Event(ChannelEventKind::kRinging));
  if (kind == PersonaKind::kNeverAnswers || ring_ms >= request.ring_timeout_ms) {
    Later(request.call_id, request.ring_timeout_ms, Failure(FailCause::kNoAnswer));
  } else {
    Later(request.call_id, kRingAfterMs + ring_ms, Event(ChannelEventKind::kAnswered));
  }
  return Ok();
}

void SimulatorChannel::Reply(int64_t call_id, Call& call, const Prompt& prompt, int64_t prompt_ms) {
  const int times = ++call.asked[prompt.node_id];
  const int64_t think_ms = std::uniform_int_distribution<int64_t>(600, 2000)(random_);
  const Persona& persona = call.persona;
  std::vector<const KeyOption*> choices;
  const KeyOption* repeat = nullptr;
  for (const auto& key : prompt.keys) {
    if (key.value == kRepeatValue) {
      repeat = &key;
    } else {
      choices.push_back(&key);
    }
  }
  auto press = [&](char digit, int64_t delay) {
    ChannelEvent event = Event(ChannelEventKind::kDigit);
    event.digit = digit;
    call.reply_timer = Later(call_id, delay, event);
  };
  switch (persona.kind) {
    case PersonaKind::kSilent:
      return;
    case PersonaKind::kOptsOut:
      if (prompt.opt_out_key != 0) press(prompt.opt_out_key, prompt_ms / 2);
      return;
    case PersonaKind::kNeedsRepeat:
      if (times == 1) {
        if (repeat) press(repeat->digit, prompt_ms + think_ms);
        return;  // without a repeat key: silence, and the question comes again
      }
      break;
    case PersonaKind::kWrongKey:
      if (times == 1) {
        for (char digit : std::string("0123456789#")) {
          bool used = digit == prompt.opt_out_key;
          for (const auto& key : prompt.keys) used = used || key.digit == digit;
          if (!used) {
            press(digit, prompt_ms + think_ms);
            return;
          }
        }
      }
      break;
    case PersonaKind::kHangsUpMidway:
      if (call.answered_once) {
        call.reply_timer = Later(call_id, think_ms, HungUp(HangupBy::kRemote));
        return;
      }
      call.answered_once = true;
      break;
    default:
      break;
  }
  if (prompt.max_digits > 0) {
    TypeDigits(call_id, call, prompt, prompt_ms + think_ms);
    return;
  }
  if (choices.empty()) return;
  if (speech_) {
    if (auto words = persona.says.find(prompt.node_id); words != persona.says.end()) {
      ChannelEvent event = Event(ChannelEventKind::kSpeech);
      event.transcript = words->second;
      call.reply_timer = Later(call_id, prompt_ms + think_ms, event);
      return;
    }
  }
  const KeyOption* chosen = choices.front();
  if (persona.kind == PersonaKind::kRandom) {
    chosen = choices[std::uniform_int_distribution<size_t>(0, choices.size() - 1)(random_)];
  }
  if (auto preset = persona.answers.find(prompt.node_id); preset != persona.answers.end()) {
    for (const auto* key : choices) {
      if (key->value == preset->second) chosen = key;
    }
  }
  press(chosen->digit, prompt_ms + think_ms);
}

// An ask taking digits: the persona's preset digits, else a mobile number from the seed, one key
// every 300 ms, then the end key when the number is shorter than the most the ask takes.
void SimulatorChannel::TypeDigits(int64_t call_id, Call& call, const Prompt& prompt,
                                  int64_t delay_ms) {
  std::string digits;
  if (auto preset = call.persona.answers.find(prompt.node_id);
      preset != call.persona.answers.end()) {
    digits = preset->second;
  } else {
    digits = "139";
    while (digits.size() < 11) {
      digits += static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(random_));
    }
  }
  if (prompt.end_key != 0 && static_cast<int>(digits.size()) < prompt.max_digits) {
    digits += prompt.end_key;
  }
  for (char digit : digits) {
    ChannelEvent event = Event(ChannelEventKind::kDigit);
    event.digit = digit;
    call.key_timers.push_back(Later(call_id, delay_ms, event));
    delay_ms += 300;
  }
}

void SimulatorChannel::Play(int64_t call_id, const Prompt& prompt) {
  auto it = calls_.find(call_id);
  if (it == calls_.end() || !it->second.answered) return;
  Call& call = it->second;
  if (call.prompt_timer != 0) timers_.Cancel(call.prompt_timer);
  if (call.reply_timer != 0) timers_.Cancel(call.reply_timer);
  call.reply_timer = 0;
  for (auto id : call.key_timers) timers_.Cancel(id);  // keys left over from the last question
  call.key_timers.clear();
  const int64_t prompt_ms = SpeakingMillis(prompt.text);
  call.prompt_timer = Later(call_id, prompt_ms, Event(ChannelEventKind::kPromptFinished));
  if (call.persona.kind == PersonaKind::kHangsUpInOpening && !prompt.interruptible &&
      call.asked.empty()) {
    call.reply_timer = Later(call_id, prompt_ms / 2, HungUp(HangupBy::kRemote));
    return;
  }
  if (prompt.expects_input) Reply(call_id, call, prompt, prompt_ms);
}

void SimulatorChannel::StopPrompt(int64_t call_id) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  if (it->second.prompt_timer != 0) timers_.Cancel(it->second.prompt_timer);
  it->second.prompt_timer = 0;
}

void SimulatorChannel::Hangup(int64_t call_id) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  CancelAll(it->second);
  Later(call_id, 20, HungUp(HangupBy::kLocal));
}

void SimulatorChannel::Transfer(int64_t call_id, const std::string& /*phone*/) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  CancelAll(it->second);
  Later(call_id, 800, HungUp(HangupBy::kLocal));
}

CallResult SimulateCall(const Script& script, const Variables& variables, const Persona& persona,
                        uint64_t seed, bool speech) {
  VirtualTimers timers(kSimulatedStart);
  SimulatorChannel channel(timers, seed, speech);
  channel.SetFallback(persona);
  CallResult result;
  bool ended = false;
  CallDriver driver(1, script, variables, channel, timers, {nullptr, [&](CallDriver& call) {
                                                              result = call.session().result();
                                                              ended = true;
                                                            }});
  if (!driver.Start("10000000000", 30000)) return result;
  // An hour of virtual time ends any call; a script that loops longer is cut off.
  timers.RunFor(3600 * 1000);
  if (!ended) {
    channel.Hangup(1);
    timers.RunUntilIdle();
  }
  return result;
}

nlohmann::json CheckReport(const Script& script, const Variables& variables) {
  const auto findings = CheckScript(script);
  nlohmann::json found = nlohmann::json::array();
  for (const auto& finding : findings) {
    found.push_back({{"severity", finding.severity == Severity::kError ? "error" : "warning"},
                     {"node", finding.node_id},
                     {"code", finding.code},
                     {"message", finding.message}});
  }
  const bool errors = HasErrors(findings);
  nlohmann::json dry_run = nlohmann::json::array();
  if (!errors) {
    for (auto kind : AllPersonas()) {
      const auto result = SimulateCall(script, variables, {kind}, 1);
      dry_run.push_back({{"persona", PersonaName(kind)},
                         {"outcome", OutcomeName(result.outcome)},
                         {"outcome_label", OutcomeLabel(result.outcome)},
                         {"answers", result.answers.size()},
                         {"last_node", result.last_node}});
    }
  }
  return {{"name", script.name},
          {"valid", !errors},
          {"findings", std::move(found)},
          {"dry_run", std::move(dry_run)}};
}

}  // namespace steward::campaign
