// The simulator channel and the call driver in virtual time: every template against every persona,
// determinism, commit-before-play, and a thousand calls at once.
#include "campaign/simulator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "campaign/call_driver.hpp"
#include "campaign/templates.hpp"

namespace steward::campaign {
namespace {

const Variables kVariables = {{"address", "王阿姨"},
                              {"community", "城东社区"},
                              {"grid_worker", "李明"},
                              {"grid_worker_phone", "13800000000"},
                              {"campaign.date", "12月8日"},
                              {"campaign.time", "上午九点"},
                              {"campaign.place", "社区服务中心"},
                              {"campaign.notice", "本周六起垃圾分类新规实施"}};

// The outcome each persona must reach. Someone who hangs up after the first answer leaves a
// one-question script completed (its goodbye already plays) and a longer one partial.
Outcome Expected(PersonaKind kind, size_t questions_when_quick) {
  switch (kind) {
    case PersonaKind::kQuick:
    case PersonaKind::kNeedsRepeat:
    case PersonaKind::kWrongKey:
    case PersonaKind::kRandom:
      return Outcome::kAnsweredCompleted;
    case PersonaKind::kSilent:
      return Outcome::kAnsweredPartial;
    case PersonaKind::kNeverAnswers:
      return Outcome::kNoAnswer;
    case PersonaKind::kBusy:
      return Outcome::kBusy;
    case PersonaKind::kDeclines:
      return Outcome::kDeclined;
    case PersonaKind::kInvalidNumber:
      return Outcome::kInvalidNumber;
    case PersonaKind::kHangsUpInOpening:
      return Outcome::kHungUpDuringOpening;
    case PersonaKind::kHangsUpMidway:
      return questions_when_quick > 1 ? Outcome::kAnsweredPartial : Outcome::kAnsweredCompleted;
    case PersonaKind::kOptsOut:
      return Outcome::kOptedOut;
  }
  return Outcome::kFailedRetryable;
}

TEST(SimulatorTest, EveryTemplateRunsToItsEndAgainstEveryPersona) {
  for (const auto& script : BuiltInScripts()) {
    const CallResult quick = SimulateCall(script, kVariables, {PersonaKind::kQuick}, 1);
    ASSERT_FALSE(quick.answers.empty()) << script.name;
    for (PersonaKind kind : AllPersonas()) {
      SCOPED_TRACE(script.name + " as " + std::string(PersonaName(kind)));
      Persona persona{kind};
      const CallResult result = SimulateCall(script, kVariables, persona, 7);
      EXPECT_EQ(OutcomeName(result.outcome), OutcomeName(Expected(kind, quick.answers.size())));
      EXPECT_GT(result.ended_at_ms, 0);
      if (IsAnswered(result.outcome)) {
        EXPECT_GT(result.answered_at_ms, 0);
        ASSERT_FALSE(result.transcript.empty());
        EXPECT_NE(result.transcript.front().text.find("录音"), std::string::npos);
      } else {
        EXPECT_EQ(result.answered_at_ms, 0);
        EXPECT_TRUE(result.answers.empty());
      }
      if (kind == PersonaKind::kNeedsRepeat || kind == PersonaKind::kWrongKey) {
        ASSERT_FALSE(result.answers.empty());
        EXPECT_GE(result.answers.front().tries, 2);
      }
      if (kind == PersonaKind::kQuick) {
        for (const auto& answer : result.answers) EXPECT_EQ(answer.tries, 1);
      }
    }
  }
}

TEST(SimulatorTest, PresetAnswersAndSpeechAreUsed) {
  auto script = BuiltInScript("residence_check");
  ASSERT_TRUE(script);
  Persona moved{PersonaKind::kQuick};
  moved.answers["residence"] = "moved_away";
  CallResult result = SimulateCall(*script, kVariables, moved, 3);
  EXPECT_EQ(result.slots["residence"], "moved_away");
  ASSERT_EQ(result.updates.size(), 1u);

  Persona speaking{PersonaKind::kQuick};
  speaking.says["residence"] = "我还住这里";
  speaking.says["alone"] = "就我一个人住";
  result = SimulateCall(*script, kVariables, speaking, 3, /*speech=*/true);
  EXPECT_EQ(result.outcome, Outcome::kAnsweredCompleted);
  EXPECT_EQ(result.slots["residence"], "here");
  EXPECT_EQ(result.slots["lives_alone"], "yes");
  ASSERT_EQ(result.answers.size(), 2u);
  EXPECT_EQ(result.answers[0].via, AnswerVia::kSpeech);
  EXPECT_EQ(result.answers[0].raw, "我还住这里");
}

TEST(SimulatorTest, ANewPhoneTypedByKeypadIsProposedAndNeverShownInPlain) {
  auto script = BuiltInScript("contact_update");
  ASSERT_TRUE(script);
  Persona changed{PersonaKind::kQuick};
  changed.answers["phone_status"] = "changed";
  changed.answers["new_phone"] = "13905781234";
  CallResult result = SimulateCall(*script, kVariables, changed, 5);
  EXPECT_EQ(result.outcome, Outcome::kAnsweredCompleted);
  EXPECT_EQ(result.last_node, "goodbye_new");
  EXPECT_EQ(result.slots["new_phone"], "139****1234");
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(result.updates[0].update.field, "phone");
  EXPECT_EQ(result.updates[0].update.value, "13905781234");  // for the sealed pending change
  EXPECT_TRUE(result.updates[0].update.personal);
  const std::string shown = CallResultToJson(result).dump();
  EXPECT_EQ(shown.find("13905781234"), std::string::npos) << shown;
  EXPECT_NE(shown.find("139****1234"), std::string::npos);

  // A wrong key first (one digit, then a pause), then the number: asked twice, one answer.
  changed.kind = PersonaKind::kWrongKey;
  result = SimulateCall(*script, kVariables, changed, 5);
  EXPECT_EQ(result.outcome, Outcome::kAnsweredCompleted);
  EXPECT_EQ(result.slots["new_phone"], "139****1234");
  EXPECT_EQ(result.answers.back().tries, 2);

  // Too few digits every time: the ask gives up to its on_fail, nothing is proposed.
  changed.kind = PersonaKind::kQuick;
  changed.answers["new_phone"] = "1390";
  result = SimulateCall(*script, kVariables, changed, 5);
  EXPECT_EQ(result.last_node, "no_number");
  EXPECT_TRUE(result.updates.empty());
  EXPECT_EQ(result.slots.count("new_phone"), 0u);
}

TEST(SimulatorTest, OneSeedGivesTheSameCall) {
  auto script = BuiltInScript("health_check_invite");
  ASSERT_TRUE(script);
  const CallResult one = SimulateCall(*script, kVariables, {PersonaKind::kRandom}, 42);
  const CallResult two = SimulateCall(*script, kVariables, {PersonaKind::kRandom}, 42);
  EXPECT_EQ(one.slots, two.slots);
  EXPECT_EQ(one.ended_at_ms, two.ended_at_ms);
  ASSERT_EQ(one.transcript.size(), two.transcript.size());
}

// Records the commands the driver gives, in order, around a simulator channel.
class RecordingChannel final : public Channel {
 public:
  RecordingChannel(Channel& inner, std::vector<std::string>& log) : inner_(inner), log_(log) {}
  Status Dial(const DialRequest& request, CallSink* sink) override {
    log_.push_back("dial");
    return inner_.Dial(request, sink);
  }
  void Play(int64_t call_id, const Prompt& prompt) override {
    log_.push_back("play:" + prompt.node_id);
    inner_.Play(call_id, prompt);
  }
  void StopPrompt(int64_t call_id) override { inner_.StopPrompt(call_id); }
  void Hangup(int64_t call_id) override {
    log_.push_back("hangup");
    inner_.Hangup(call_id);
  }
  void Transfer(int64_t call_id, const std::string& phone) override {
    log_.push_back("transfer:" + phone);
    inner_.Transfer(call_id, phone);
  }
  bool HasSpeech() const override { return inner_.HasSpeech(); }

 private:
  Channel& inner_;
  std::vector<std::string>& log_;
};

TEST(CallDriverTest, CommitsEachAnswerBeforeTheNextPromptAndStopsWhenACommitFails) {
  auto script = BuiltInScript("health_checkin");
  ASSERT_TRUE(script);
  for (bool commit_fails : {false, true}) {
    SCOPED_TRACE(commit_fails ? "commit fails" : "commit works");
    VirtualTimers timers(0);
    SimulatorChannel simulator(timers, 5);
    Persona fever{PersonaKind::kQuick};
    fever.answers["temperature"] = "fever";
    fever.answers["offer_transfer"] = "yes";
    simulator.SetFallback(fever);
    std::vector<std::string> log;
    RecordingChannel channel(simulator, log);
    CallResult result;
    CallDriver driver(9, *script, kVariables, channel, timers,
                      {[&](const Answer& answer) -> Status {
                         log.push_back("commit:" + answer.slot);
                         if (commit_fails) return Fail(ErrorCode::kUnavailable, "db down");
                         return Ok();
                       },
                       [&](CallDriver& call) { result = call.session().result(); }});
    ASSERT_TRUE(driver.Start("13900000000", 30000));
    timers.RunUntilIdle();
    if (commit_fails) {
      EXPECT_EQ(log, (std::vector<std::string>{"dial", "play:opening", "play:temperature",
                                               "commit:temperature", "hangup"}));
      EXPECT_EQ(result.outcome, Outcome::kAnsweredPartial);
      continue;
    }
    EXPECT_EQ(log, (std::vector<std::string>{
                       "dial", "play:opening", "play:temperature", "commit:temperature",
                       "play:symptoms", "commit:symptoms", "play:offer_transfer",
                       "commit:wants_grid_worker", "play:transfer", "transfer:13800000000"}));
    EXPECT_EQ(result.outcome, Outcome::kAnsweredCompleted);
  }
}

TEST(CallDriverTest, AThousandCallsAtOnceEachEndOnceWithItsPersonasOutcome) {
  auto script = BuiltInScript("health_checkin");
  ASSERT_TRUE(script);
  VirtualTimers timers(0);
  SimulatorChannel channel(timers, 11);
  const auto& personas = AllPersonas();
  constexpr int kCalls = 1000;
  std::vector<std::unique_ptr<CallDriver>> drivers;
  std::map<int64_t, int> ended;
  std::map<int64_t, Outcome> outcomes;
  size_t most_active = 0;
  for (int i = 0; i < kCalls; ++i) {
    const std::string phone = "139" + std::to_string(10000000 + i);
    channel.SetPersona(phone, Persona{personas[i % personas.size()]});
    drivers.push_back(std::make_unique<CallDriver>(
        i + 1, *script, kVariables, channel, timers,
        CallDriver::Hooks{nullptr, [&](CallDriver& call) {
                            ++ended[call.call_id()];
                            outcomes[call.call_id()] = call.session().result().outcome;
                          }}));
    ASSERT_TRUE(drivers.back()->Start(phone, 30000));
  }
  while (timers.RunFor(1000) > 0 || timers.pending() > 0) {
    most_active = std::max(most_active, channel.active_calls());
  }
  EXPECT_EQ(channel.active_calls(), 0u);
  // All were up together but the busy and invalid numbers (2 personas in 12), gone within a second.
  EXPECT_GE(most_active, 800u);
  ASSERT_EQ(ended.size(), static_cast<size_t>(kCalls));
  const CallResult quick = SimulateCall(*script, kVariables, {PersonaKind::kQuick}, 1);
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(ended[i + 1], 1);
    EXPECT_EQ(OutcomeName(outcomes[i + 1]),
              OutcomeName(Expected(personas[i % personas.size()], quick.answers.size())))
        << "call " << i + 1 << " as " << PersonaName(personas[i % personas.size()]);
  }
}

}  // namespace
}  // namespace steward::campaign
