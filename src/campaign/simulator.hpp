// The simulator channel: plays the far end of calls in software, on VirtualTimers, so scripts can
// be tried by staff ("try this script as 王阿姨, 78, lives alone") and campaigns tested and
// benchmarked in virtual time. Each number dialled is a simulated resident with a persona; what
// they answer is chosen by the persona, their preset answers and a seeded random generator, so a
// run with one seed is the same every time.
// Not thread-safe: runs on the thread that runs its Timers (VirtualTimers in tests, the server's
// RealTimers when staff run a campaign on the simulator).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "campaign/channel.hpp"
#include "campaign/session.hpp"
#include "campaign/timers.hpp"

namespace steward::campaign {

enum class PersonaKind {
  kQuick,          // answers every question at once with the first choice (or a preset one)
  kNeedsRepeat,    // asks for each question again once (the repeat key, or silence), then answers
  kWrongKey,       // presses a key that means nothing first, then answers
  kSilent,         // picks up and never presses anything
  kNeverAnswers,   // rings until the ring timeout
  kBusy,           // the line is busy
  kDeclines,       // rejects the call while it rings
  kInvalidNumber,  // the number does not exist
  kHangsUpInOpening,  // hangs up while the opening plays
  kHangsUpMidway,     // hangs up after the first answer
  kOptsOut,           // presses the opt-out key at the first question
  kRandom,            // answers each question with a seeded random choice
};

std::string_view PersonaName(PersonaKind kind);
std::optional<PersonaKind> ParsePersona(std::string_view name);
const std::vector<PersonaKind>& AllPersonas();

struct Persona {
  PersonaKind kind = PersonaKind::kQuick;
  // node id -> value to answer (by the key that means it), overriding the persona's own choice;
  // for an ask taking digits, the digits typed (else a mobile number made from the seed).
  std::map<std::string, std::string> answers;
  // node id -> words to say instead of pressing a key (used when the channel has speech).
  std::map<std::string, std::string> says;
  int ring_ms = 4000;  // rings this long before answering
};

class SimulatorChannel final : public Channel {
 public:
  // `speech`: whether simulated residents may answer in words (as if ASR were configured).
  SimulatorChannel(Timers& timers, uint64_t seed, bool speech = false);

  // The persona for calls to `phone`; other numbers get `fallback` (kQuick unless set).
  void SetPersona(const std::string& phone, Persona persona);
  void SetFallback(Persona persona) { fallback_ = std::move(persona); }
  // Numbers without a persona of their own get one by weight, chosen from the number and the
  // seed (the same resident behaves the same on every attempt). Empty: the fallback.
  void SetPersonaMix(std::vector<std::pair<PersonaKind, int>> weights) {
    mix_ = std::move(weights);
  }

  Status Dial(const DialRequest& request, CallSink* sink) override;
  void Play(int64_t call_id, const Prompt& prompt) override;
  void StopPrompt(int64_t call_id) override;
  void Hangup(int64_t call_id) override;
  void Transfer(int64_t call_id, const std::string& phone) override;
  bool HasSpeech() const override { return speech_; }

  size_t active_calls() const { return calls_.size(); }
  // Milliseconds a prompt of this text takes to say (about 4.5 characters a second).
  static int64_t SpeakingMillis(const std::string& text);

 private:
  struct Call {
    CallSink* sink = nullptr;
    Persona persona;
    bool answered = false;
    bool answered_once = false;  // kHangsUpMidway: an answer was given
    Timers::TimerId prompt_timer = 0;
    Timers::TimerId reply_timer = 0;
    std::vector<Timers::TimerId> key_timers;  // the keys of a number being typed
    std::set<Timers::TimerId> others;
    std::map<std::string, int> asked;  // node id -> times asked
  };

  Timers::TimerId Later(int64_t call_id, int64_t delay_ms, ChannelEvent event);
  void Emit(int64_t call_id, ChannelEvent event);
  void End(int64_t call_id, ChannelEvent event);
  void Reply(int64_t call_id, Call& call, const Prompt& prompt, int64_t prompt_ms);
  void TypeDigits(int64_t call_id, Call& call, const Prompt& prompt, int64_t delay_ms);
  void CancelAll(Call& call);

  Timers& timers_;
  std::mt19937_64 random_;
  bool speech_;
  Persona fallback_;
  std::map<std::string, Persona> personas_;
  std::map<int64_t, Call> calls_;
  std::vector<std::pair<PersonaKind, int>> mix_;
  uint64_t seed_ = 0;
};

// A plausible mix of residents for trying a campaign: most answer, some need a repeat or press a
// wrong key, some never answer or are busy, a few decline, hang up or opt out.
std::vector<std::pair<PersonaKind, int>> DefaultPersonaMix();

// The validator's report on a script, as the CLI and the API give it: {name, valid, findings:
// [{severity, node, code, message}], dry_run: [{persona, outcome, outcome_label, answers,
// last_node}]}, the dry run being one simulated call per persona with `variables`, made only when
// the script has no errors.
nlohmann::json CheckReport(const Script& script, const Variables& variables);

// One simulated call of `script` to a resident with `persona`, run to its end in virtual time;
// what the CLI's `script try --persona` and the validator's dry run use.
CallResult SimulateCall(const Script& script, const Variables& variables, const Persona& persona,
                        uint64_t seed, bool speech = false);

}  // namespace steward::campaign
