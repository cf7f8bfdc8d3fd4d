// CallSession: the dialogue engine, one per call attempt. A pure state machine: it is fed the
// channel's events and its own timeouts and answers with Actions for the caller (CallDriver) to
// carry out in order. It never blocks, owns no thread and reads no clock except the events' times.
//
// States (docs/life-of-a-call.md has the table, tests/cases/call_session.tsv checks it):
//   dialling → ringing → (answered) opening → playing | asking ⇄ waiting → closing → ended
// The opening (the first say when it is not interruptible) ignores digits and speech; a hang-up
// while it plays is `hung_up_during_opening`. In any later prompt or wait the script's opt-out key
// ends the call as `opted_out`. An answer comes back as a kCommit action *before* the Play of the
// next prompt: the driver persists it first, so an answer heard is never lost to a crash.
// Not thread-safe: one thread (the channel's) drives a session.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "campaign/channel.hpp"
#include "campaign/outcome.hpp"
#include "campaign/script.hpp"
#include "campaign/variables.hpp"

namespace steward::campaign {

enum class CallState {
  kDialling,
  kRinging,
  kPlaying,
  kAsking,
  kWaiting,
  kClosing,
  kEnding,
  kEnded
};

std::string_view CallStateName(CallState state);

enum class AnswerVia { kKeypad, kSpeech };

struct Answer {
  std::string node_id;
  std::string slot;
  std::string value;
  std::string raw;  // the digit pressed or the transcript heard
  AnswerVia via = AnswerVia::kKeypad;
  int tries = 1;  // the question was asked this many times before the answer
  int64_t at_ms = 0;
};

struct TranscriptLine {
  int64_t at_ms = 0;
  bool from_resident = false;
  std::string text;
};

// An answer that asks for a person to follow up (a door-visit task) or proposes a registry change.
struct FollowUp {
  std::string node_id;
  std::string slot;
  std::string value;
  std::string task;
};

struct ProposedUpdate {
  std::string node_id;
  std::string slot;
  FieldUpdate update;
};

// How an update's value may be shown or stored in plain text: masked when it is personal.
std::string ShownValue(const FieldUpdate& update);

// The pieces of speech a call of `script` may need (RenderPieces of every node's texts, then of
// the built-in prompts), the values of `known` variables among them, each once: what a channel
// renders before the calls (Channel::Prepare). Values of variables not in `known` are left out.
std::vector<std::string> PromptPieces(const Script& script, const Variables& known);

struct Action {
  enum class Kind {
    kPlay,        // channel.Play(prompt)
    kStopPrompt,  // channel.StopPrompt()
    kStartTimer,  // call OnTimeout after timer_ms, replacing any earlier timer of this session
    kCommit,      // persist `answer` before carrying out the next action
    kHangup,      // channel.Hangup()
    kTransfer,    // channel.Transfer(phone)
  };
  Kind kind = Kind::kPlay;
  Prompt prompt;
  int64_t timer_ms = 0;
  Answer answer;
  std::string phone;
};

// What became of one call, for the ledger.
struct CallResult {
  Outcome outcome = Outcome::kFailedRetryable;
  int64_t answered_at_ms = 0;  // 0 when not answered
  int64_t ended_at_ms = 0;
  std::map<std::string, std::string> slots;
  std::vector<Answer> answers;
  std::vector<TranscriptLine> transcript;
  std::vector<FollowUp> follow_ups;
  std::vector<ProposedUpdate> updates;
  std::string last_node;  // the node the call was at when it ended
  std::string recording;  // the recording's file name in the recordings folder (empty: none)
};

class CallSession {
 public:
  // `script` must outlive the session and should have passed CheckScript; the session copes with
  // one that did not (a missing node ends the call as answered_partial).
  CallSession(const Script& script, Variables variables, bool speech_enabled);

  std::vector<Action> OnEvent(const ChannelEvent& event);
  // The timer of the last kStartTimer action fired.
  std::vector<Action> OnTimeout(int64_t now_ms);

  CallState state() const { return state_; }
  bool ended() const { return state_ == CallState::kEnded; }
  const CallResult& result() const { return result_; }

 private:
  void Enter(const std::string& node_id, int64_t now_ms, std::vector<Action>& out);
  void Ask(const Node& node, RenderedText before, int64_t now_ms, std::vector<Action>& out);
  void Close(RenderedText spoken, Outcome outcome, int64_t now_ms, std::vector<Action>& out);
  void Keyed(char digit, int64_t now_ms, std::vector<Action>& out);
  void Entered(std::string digits, const std::string& heard, AnswerVia via, int64_t now_ms,
               std::vector<Action>& out);
  void Input(const std::string& raw, AnswerVia via, const std::string& value, bool matched,
             int64_t now_ms, std::vector<Action>& out, const FieldUpdate* entered = nullptr);
  void Retry(bool no_input, int64_t now_ms, std::vector<Action>& out);
  void Play(const Node& node, RenderedText spoken, bool interruptible, bool expects_input,
            int64_t now_ms, std::vector<Action>& out);
  void Finish(int64_t now_ms);
  std::string MatchSpeech(const Node& node, const std::string& transcript) const;
  std::string ValueOfDigit(const Node& node, char digit) const;

  const Script& script_;
  Variables variables_;
  bool speech_enabled_;
  CallState state_ = CallState::kDialling;
  const Node* current_ = nullptr;
  bool in_opening_ = false;
  bool reached_end_ = false;  // a hangup or transfer node was reached
  bool opted_out_ = false;
  bool transfer_pending_ = false;
  std::string transfer_phone_;
  int tries_ = 0;      // times the current question was asked
  int retries_ = 0;    // no-input and no-match repeats of the current question
  int repeats_ = 0;    // repeats the resident asked for
  std::string keyed_;  // a digits ask: the keys pressed so far
  CallResult result_;
};

}  // namespace steward::campaign

#include <nlohmann/json.hpp>

namespace steward::campaign {

// The result as the API and `--json` show it: times in epoch ms, answers with the node and how
// they were given. The transcript may hold personal data (a new phone said aloud): never log it.
nlohmann::json CallResultToJson(const CallResult& result);

}  // namespace steward::campaign
