#include "campaign/session.hpp"

#include <regex>
#include <set>

#include "campaign/understand.hpp"
#include "registry/phone.hpp"

namespace steward::campaign {
namespace {

constexpr const char* kOptOutText = "好的，已为您登记，今后不再拨打此类电话。再见。";
constexpr const char* kGiveUpText = "抱歉，没能收到您的回答，稍后工作人员会与您联系。再见。";
constexpr const char* kNoInputText = "抱歉，没有收到您的按键。";
constexpr const char* kNoMatchText = "抱歉，没有这个选项。";
constexpr const char* kDigitsNoMatchText = "抱歉，您输入的号码不对。";
constexpr const char* kBrokenText = "抱歉，系统出了点问题，稍后工作人员会与您联系。再见。";
constexpr int kMaxRepeats = 3;  // repeats asked for by the resident, beyond which it is a no-match

Outcome OutcomeOfFailure(FailCause cause) {
  switch (cause) {
    case FailCause::kNoAnswer:
      return Outcome::kNoAnswer;
    case FailCause::kBusy:
      return Outcome::kBusy;
    case FailCause::kDeclined:
      return Outcome::kDeclined;
    case FailCause::kInvalidNumber:
      return Outcome::kInvalidNumber;
    case FailCause::kNetwork:
      return Outcome::kFailedRetryable;
  }
  return Outcome::kFailedRetryable;
}

// Keys entered for a phone, as transcripts and ledgers show them: the first 3 and last 4 kept.
std::string MaskDigits(const std::string& digits) {
  if (digits.size() < 8) return std::string(digits.size(), '*');
  return digits.substr(0, 3) + std::string(digits.size() - 7, '*') +
         digits.substr(digits.size() - 4);
}

}  // namespace

std::string ShownValue(const FieldUpdate& update) {
  if (!update.personal) return update.value;
  auto phone = registry::NormalizePhone(update.value);
  return phone ? registry::MaskPhone(*phone) : MaskDigits(update.value);
}

std::vector<std::string> PromptPieces(const Script& script, const Variables& known) {
  std::vector<std::string> pieces;
  std::set<std::string> seen;
  auto add = [&](std::string_view text) {
    for (auto& piece : RenderPieces(text, known).pieces) {
      if (seen.insert(piece).second) pieces.push_back(std::move(piece));
    }
  };
  for (const Node& node : script.nodes) {
    add(node.text);
    add(node.no_input_text);
    add(node.no_match_text);
  }
  for (const char* text :
       {kOptOutText, kGiveUpText, kNoInputText, kNoMatchText, kDigitsNoMatchText, kBrokenText}) {
    add(text);
  }
  return pieces;
}

namespace {

bool HasValue(const Node& node, const std::string& value) {
  for (const auto& key : node.keys) {
    if (key.value == value) return true;
  }
  return false;
}

}  // namespace

std::string_view CallStateName(CallState state) {
  switch (state) {
    case CallState::kDialling:
      return "dialling";
    case CallState::kRinging:
      return "ringing";
    case CallState::kPlaying:
      return "playing";
    case CallState::kAsking:
      return "asking";
    case CallState::kWaiting:
      return "waiting";
    case CallState::kClosing:
      return "closing";
    case CallState::kEnding:
      return "ending";
    case CallState::kEnded:
      return "ended";
  }
  return "ended";
}

CallSession::CallSession(const Script& script, Variables variables, bool speech_enabled)
    : script_(script), variables_(std::move(variables)), speech_enabled_(speech_enabled) {}

void CallSession::Play(const Node& node, RenderedText spoken, bool interruptible,
                       bool expects_input, int64_t now_ms, std::vector<Action>& out) {
  Action play;
  play.kind = Action::Kind::kPlay;
  play.prompt.node_id = node.id;
  play.prompt.recording = spoken.text == Render(node.text, variables_) ? node.recording : "";
  play.prompt.text = std::move(spoken.text);
  play.prompt.pieces = std::move(spoken.pieces);
  play.prompt.interruptible = interruptible;
  play.prompt.expects_input = expects_input;
  if (expects_input) play.prompt.keys = node.keys;
  if (expects_input && node.digits) {
    play.prompt.max_digits = node.digits->max_length;
    play.prompt.end_key = node.digits->end_key;
  }
  if (interruptible) play.prompt.opt_out_key = script_.opt_out_key;
  result_.transcript.push_back({now_ms, false, play.prompt.text});
  out.push_back(std::move(play));
}

void CallSession::Enter(const std::string& node_id, int64_t now_ms, std::vector<Action>& out) {
  std::string id = node_id;
  // set and branch nodes say nothing: follow them at once (bounded, in case of a cycle).
  for (size_t hops = 0; hops <= script_.nodes.size(); ++hops) {
    const Node* node = id.empty() ? nullptr : script_.Find(id);
    if (!node) {
      Close(RenderedText::Fixed(kBrokenText), Outcome::kAnsweredPartial, now_ms, out);
      return;
    }
    current_ = node;
    result_.last_node = node->id;
    switch (node->type) {
      case NodeType::kSet:
        result_.slots[node->slot] = Render(node->value, variables_);
        id = node->next;
        continue;
      case NodeType::kBranch: {
        auto slot = result_.slots.find(node->slot);
        id = node->otherwise;
        if (slot != result_.slots.end()) {
          for (const auto& [value, target] : node->cases) {
            if (value == slot->second) id = target;
          }
        }
        continue;
      }
      case NodeType::kSay:
        in_opening_ = !node->interruptible && result_.answers.empty() && result_.transcript.empty();
        state_ = CallState::kPlaying;
        Play(*node, RenderPieces(node->text, variables_), node->interruptible, false, now_ms, out);
        return;
      case NodeType::kAsk:
        tries_ = 0;
        retries_ = 0;
        repeats_ = 0;
        keyed_.clear();
        Ask(*node, {}, now_ms, out);
        return;
      case NodeType::kTransfer:
        reached_end_ = true;
        transfer_pending_ = true;
        transfer_phone_ = Render(node->phone, variables_);
        Close(RenderPieces(node->text, variables_), Outcome::kAnsweredCompleted, now_ms, out);
        return;
      case NodeType::kHangup:
        reached_end_ = true;
        Close(RenderPieces(node->text, variables_), Outcome::kAnsweredCompleted, now_ms, out);
        return;
    }
  }
  Close(RenderedText::Fixed(kBrokenText), Outcome::kAnsweredPartial, now_ms, out);
}

void CallSession::Ask(const Node& node, RenderedText before, int64_t now_ms,
                      std::vector<Action>& out) {
  ++tries_;
  state_ = CallState::kAsking;
  before += RenderPieces(node.text, variables_);
  Play(node, std::move(before), true, true, now_ms, out);
}

void CallSession::Close(RenderedText spoken, Outcome outcome, int64_t now_ms,
                        std::vector<Action>& out) {
  result_.outcome = outcome;
  state_ = CallState::kClosing;
  if (!spoken.text.empty()) {
    Action play;
    play.kind = Action::Kind::kPlay;
    play.prompt.node_id = current_ ? current_->id : "";
    play.prompt.text = std::move(spoken.text);
    play.prompt.pieces = std::move(spoken.pieces);
    play.prompt.interruptible = false;
    result_.transcript.push_back({now_ms, false, play.prompt.text});
    out.push_back(std::move(play));
    return;
  }
  // Nothing to say: leave at once.
  state_ = CallState::kEnding;
  Action leave;
  leave.kind = transfer_pending_ ? Action::Kind::kTransfer : Action::Kind::kHangup;
  leave.phone = transfer_phone_;
  out.push_back(std::move(leave));
}

std::string CallSession::ValueOfDigit(const Node& node, char digit) const {
  for (const auto& key : node.keys) {
    if (key.digit == digit) return key.value;
  }
  return {};
}

std::string CallSession::MatchSpeech(const Node& node, const std::string& transcript) const {
  // The longest keyword heard wins, so 没发烧 (normal) beats 发烧 (fever) and 不正常 beats 正常.
  const SpeechIntent* best = nullptr;
  size_t best_length = 0;
  for (const auto& intent : node.speech) {
    for (const auto& keyword : intent.keywords) {
      if (keyword.size() > best_length && transcript.find(keyword) != std::string::npos) {
        best = &intent;
        best_length = keyword.size();
      }
    }
  }
  if (best) return best->value;
  for (const auto& intent : node.speech) {
    for (const auto& pattern : intent.patterns) {
      try {
        if (std::regex_search(transcript, std::regex(pattern))) return intent.value;
      } catch (const std::regex_error&) {
        // CheckScript refuses bad patterns; a script saved before that check just never matches.
      }
    }
  }
  switch (node.understand) {
    case Understanding::kYesNo: {
      const YesNo answer = UnderstandYesNo(transcript);
      if (answer == YesNo::kYes && HasValue(node, "yes")) return "yes";
      if (answer == YesNo::kNo && HasValue(node, "no")) return "no";
      break;
    }
    case Understanding::kNumber:
      if (auto number = FindNumber(transcript)) {
        const std::string value = std::to_string(*number);
        if (node.keys.empty() || HasValue(node, value)) return value;
      }
      break;
    case Understanding::kTime:
      if (auto time = UnderstandTime(transcript)) {
        if (HasValue(node, time->period)) return time->period;
        if (!HasValue(node, "morning") && !HasValue(node, "afternoon")) return time->ToValue();
      }
      break;
    case Understanding::kNone:
      break;
  }
  if (IsRepeatRequest(transcript)) return kRepeatValue;
  return {};
}

void CallSession::Retry(bool no_input, int64_t now_ms, std::vector<Action>& out) {
  const Node& node = *current_;
  ++retries_;
  if (retries_ > node.max_retries) {
    if (!node.on_fail.empty()) {
      Enter(node.on_fail, now_ms, out);
    } else {
      Close(RenderedText::Fixed(kGiveUpText), Outcome::kAnsweredPartial, now_ms, out);
    }
    return;
  }
  std::string before = no_input ? node.no_input_text : node.no_match_text;
  if (before.empty()) {
    before = no_input ? kNoInputText : node.digits ? kDigitsNoMatchText : kNoMatchText;
  }
  Ask(node, RenderPieces(before, variables_), now_ms, out);
}

// A key on a digits ask: kept until the end key, the most keys, or a pause (the timer) ends it.
void CallSession::Keyed(char digit, int64_t now_ms, std::vector<Action>& out) {
  const DigitEntry& entry = *current_->digits;
  if (state_ == CallState::kAsking) {
    out.push_back({Action::Kind::kStopPrompt, {}, 0, {}, {}});
    state_ = CallState::kWaiting;
  }
  if (digit != entry.end_key && digit >= '0' && digit <= '9') keyed_ += digit;
  if (digit == entry.end_key || static_cast<int>(keyed_.size()) >= entry.max_length) {
    Entered(keyed_, keyed_, AnswerVia::kKeypad, now_ms, out);
    return;
  }
  out.push_back({Action::Kind::kStartTimer, {}, entry.inter_digit_ms, {}, {}});
}

// The digits of a digits ask, pressed or said: its answer when they fit, else a no-match. A phone
// number never appears in plain text outside the proposed update (sealed when it is stored).
void CallSession::Entered(std::string digits, const std::string& heard, AnswerVia via,
                          int64_t now_ms, std::vector<Action>& out) {
  const Node& node = *current_;
  const DigitEntry& entry = *node.digits;
  keyed_.clear();
  const bool phone = entry.format == "phone";
  const std::string shown = phone ? MaskDigits(digits) : digits;
  const std::string raw = via == AnswerVia::kKeypad || phone ? shown : heard;
  bool fits = static_cast<int>(digits.size()) >= entry.min_length &&
              static_cast<int>(digits.size()) <= entry.max_length;
  FieldUpdate update;
  std::string value = shown;
  if (fits && phone) {
    auto normalized = registry::NormalizePhone(digits);
    fits = normalized.has_value();
    if (fits) {
      value = registry::MaskPhone(*normalized);
      update = {node.update_field, normalized->normalized, /*personal=*/true};
    }
  }
  const bool proposes = fits && !node.update_field.empty();
  Input(raw, via, fits ? value : "", fits, now_ms, out, proposes ? &update : nullptr);
}

void CallSession::Input(const std::string& raw, AnswerVia via, const std::string& value,
                        bool matched, int64_t now_ms, std::vector<Action>& out,
                        const FieldUpdate* entered) {
  const Node& node = *current_;
  if (state_ == CallState::kAsking) out.push_back({Action::Kind::kStopPrompt, {}, 0, {}, {}});
  result_.transcript.push_back({now_ms, true, via == AnswerVia::kKeypad ? "按键 " + raw : raw});
  if (matched && value == kRepeatValue && repeats_ < kMaxRepeats) {
    ++repeats_;
    Ask(node, {}, now_ms, out);
    return;
  }
  if (!matched || value == kRepeatValue) {
    Retry(false, now_ms, out);
    return;
  }
  Answer answer{node.id, node.slot, value, raw, via, tries_, now_ms};
  result_.slots[node.slot] = value;
  result_.answers.push_back(answer);
  if (auto task = node.follow_up.find(value); task != node.follow_up.end()) {
    result_.follow_ups.push_back({node.id, node.slot, value, Render(task->second, variables_)});
  }
  if (auto update = node.updates.find(value); update != node.updates.end()) {
    result_.updates.push_back({node.id, node.slot, update->second});
  }
  if (entered) result_.updates.push_back({node.id, node.slot, *entered});
  Action commit;
  commit.kind = Action::Kind::kCommit;
  commit.answer = std::move(answer);
  out.push_back(std::move(commit));
  Enter(node.next, now_ms, out);
}

void CallSession::Finish(int64_t now_ms) {
  state_ = CallState::kEnded;
  result_.ended_at_ms = now_ms;
}

std::vector<Action> CallSession::OnEvent(const ChannelEvent& event) {
  std::vector<Action> out;
  if (state_ == CallState::kEnded) return out;
  const int64_t now = event.at_ms;
  switch (event.kind) {
    case ChannelEventKind::kRinging:
    case ChannelEventKind::kEarlyMedia:
      if (state_ == CallState::kDialling) state_ = CallState::kRinging;
      break;
    case ChannelEventKind::kAnswered:
      if (state_ != CallState::kDialling && state_ != CallState::kRinging) break;
      result_.answered_at_ms = now;
      result_.outcome = Outcome::kAnsweredPartial;
      Enter(script_.start, now, out);
      break;
    case ChannelEventKind::kPromptFinished:
      if (state_ == CallState::kPlaying) {
        in_opening_ = false;
        Enter(current_->next, now, out);
      } else if (state_ == CallState::kAsking) {
        state_ = CallState::kWaiting;
        out.push_back({Action::Kind::kStartTimer, {}, current_->timeout_ms, {}, {}});
      } else if (state_ == CallState::kClosing) {
        state_ = CallState::kEnding;
        Action leave;
        leave.kind = transfer_pending_ ? Action::Kind::kTransfer : Action::Kind::kHangup;
        leave.phone = transfer_phone_;
        out.push_back(std::move(leave));
      }
      break;
    case ChannelEventKind::kDigit:
    case ChannelEventKind::kSpeech: {
      const bool listening = state_ == CallState::kAsking || state_ == CallState::kWaiting ||
                             (state_ == CallState::kPlaying && current_ && current_->interruptible);
      if (!listening) break;  // the opening and the closing words are not interrupted
      const bool keypad = event.kind == ChannelEventKind::kDigit;
      if (!keypad && !speech_enabled_) break;
      if (keypad && event.digit == script_.opt_out_key) {
        opted_out_ = true;
        if (state_ != CallState::kWaiting)
          out.push_back({Action::Kind::kStopPrompt, {}, 0, {}, {}});
        result_.transcript.push_back({now, true, std::string("按键 ") + event.digit});
        Close(RenderedText::Fixed(kOptOutText), Outcome::kOptedOut, now, out);
        break;
      }
      if (state_ == CallState::kPlaying) break;  // a say is not a question: nothing to answer
      if (current_->digits) {
        if (keypad) {
          Keyed(event.digit, now, out);
        } else if (IsRepeatRequest(event.transcript)) {
          Input(event.transcript, AnswerVia::kSpeech, kRepeatValue, true, now, out);
        } else {
          Entered(SpokenDigits(event.transcript), event.transcript, AnswerVia::kSpeech, now, out);
        }
        break;
      }
      const std::string raw = keypad ? std::string(1, event.digit) : event.transcript;
      const std::string value =
          keypad ? ValueOfDigit(*current_, event.digit) : MatchSpeech(*current_, event.transcript);
      Input(raw, keypad ? AnswerVia::kKeypad : AnswerVia::kSpeech, value, !value.empty(), now, out);
      break;
    }
    case ChannelEventKind::kHungUp:
      result_.recording = event.recording;
      if (event.by == HangupBy::kRemote && !reached_end_ && !opted_out_) {
        result_.outcome = in_opening_ ? Outcome::kHungUpDuringOpening : Outcome::kAnsweredPartial;
      }
      Finish(now);
      break;
    case ChannelEventKind::kFailed:
      result_.outcome =
          result_.answered_at_ms > 0 ? Outcome::kAnsweredPartial : OutcomeOfFailure(event.cause);
      Finish(now);
      break;
  }
  return out;
}

std::vector<Action> CallSession::OnTimeout(int64_t now_ms) {
  std::vector<Action> out;
  if (state_ != CallState::kWaiting) return out;
  if (current_ && current_->digits && !keyed_.empty()) {  // a pause after some keys ends them
    Entered(keyed_, keyed_, AnswerVia::kKeypad, now_ms, out);
    return out;
  }
  result_.transcript.push_back({now_ms, true, "（无应答）"});
  Retry(true, now_ms, out);
  return out;
}

}  // namespace steward::campaign

namespace steward::campaign {

nlohmann::json CallResultToJson(const CallResult& result) {
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& answer : result.answers) {
    answers.push_back({{"node", answer.node_id},
                       {"slot", answer.slot},
                       {"value", answer.value},
                       {"raw", answer.raw},
                       {"via", answer.via == AnswerVia::kKeypad ? "keypad" : "speech"},
                       {"tries", answer.tries},
                       {"at_ms", answer.at_ms}});
  }
  nlohmann::json transcript = nlohmann::json::array();
  for (const auto& line : result.transcript) {
    transcript.push_back({{"at_ms", line.at_ms},
                          {"who", line.from_resident ? "resident" : "ai"},
                          {"text", line.text}});
  }
  nlohmann::json follow_ups = nlohmann::json::array();
  for (const auto& follow_up : result.follow_ups) {
    follow_ups.push_back({{"node", follow_up.node_id},
                          {"slot", follow_up.slot},
                          {"value", follow_up.value},
                          {"task", follow_up.task}});
  }
  nlohmann::json updates = nlohmann::json::array();
  for (const auto& proposed : result.updates) {
    updates.push_back({{"node", proposed.node_id},
                       {"slot", proposed.slot},
                       {"field", proposed.update.field},
                       {"value", ShownValue(proposed.update)}});
  }
  return {
      {"outcome", OutcomeName(result.outcome)},
      {"answered_at_ms", result.answered_at_ms},
      {"ended_at_ms", result.ended_at_ms},
      {"duration_ms", result.answered_at_ms > 0 ? result.ended_at_ms - result.answered_at_ms : 0},
      {"slots", result.slots},
      {"answers", answers},
      {"transcript", transcript},
      {"follow_ups", follow_ups},
      {"updates", updates},
      {"last_node", result.last_node}};
}

}  // namespace steward::campaign
