// The call state machine against tests/cases/call_session.tsv.
#include "campaign/session.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <set>
#include <sstream>

#include "campaign/templates.hpp"
#include "tests/cases/table.hpp"

namespace steward::campaign {
namespace {

const Variables kVariables = {{"address", "王阿姨"},
                              {"community", "城东社区"},
                              {"grid_worker", "李明"},
                              {"grid_worker_phone", "13800000000"}};

std::string ActionName(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::kPlay:
      return "play";
    case Action::Kind::kStopPrompt:
      return "stop";
    case Action::Kind::kStartTimer:
      return "timer";
    case Action::Kind::kCommit:
      return "commit";
    case Action::Kind::kHangup:
      return "hangup";
    case Action::Kind::kTransfer:
      return "transfer";
  }
  return "?";
}

// Feeds one event token; returns the session's actions.
std::vector<Action> Feed(CallSession& session, const std::string& token, int64_t at) {
  ChannelEvent event;
  event.call_id = 1;
  event.at_ms = at;
  if (token == "t") return session.OnTimeout(at);
  if (token == "ring") {
    event.kind = ChannelEventKind::kRinging;
  } else if (token == "answer") {
    event.kind = ChannelEventKind::kAnswered;
  } else if (token == "fin") {
    event.kind = ChannelEventKind::kPromptFinished;
  } else if (token == "hup" || token == "lhup") {
    event.kind = ChannelEventKind::kHungUp;
    event.by = token == "hup" ? HangupBy::kRemote : HangupBy::kLocal;
  } else if (token.size() == 2 && token[0] == 'd') {
    event.kind = ChannelEventKind::kDigit;
    event.digit = token[1];
  } else if (token.rfind("say:", 0) == 0) {
    event.kind = ChannelEventKind::kSpeech;
    event.transcript = token.substr(4);
  } else if (token.rfind("fail:", 0) == 0) {
    event.kind = ChannelEventKind::kFailed;
    const std::string cause = token.substr(5);
    event.cause = cause == "no_answer"  ? FailCause::kNoAnswer
                  : cause == "busy"     ? FailCause::kBusy
                  : cause == "declined" ? FailCause::kDeclined
                  : cause == "invalid"  ? FailCause::kInvalidNumber
                                        : FailCause::kNetwork;
  } else {
    ADD_FAILURE() << "unknown event " << token;
  }
  return session.OnEvent(event);
}

TEST(CallSessionTest, Table) {
  const auto rows =
      testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/call_session.tsv",
                         {"script", "speech", "events", "state", "outcome", "slots", "last"});
  ASSERT_GT(rows.size(), 40u);
  for (const auto& row : rows) {
    SCOPED_TRACE("call_session.tsv line " + std::to_string(row.line) + ": " + row.cells[2]);
    auto script = BuiltInScript(row.cells[0]);
    ASSERT_TRUE(script);
    CallSession session(*script, kVariables, row.cells[1] == "on");
    std::istringstream events(row.cells[2]);
    std::string token;
    std::vector<Action> last;
    int64_t at = 1000;
    while (events >> token) last = Feed(session, token, at += 1000);
    EXPECT_EQ(CallStateName(session.state()), row.cells[3]);
    EXPECT_EQ(OutcomeName(session.result().outcome), row.cells[4]);
    std::string slots;
    for (const auto& [slot, value] : session.result().slots) {
      slots += (slots.empty() ? "" : ",") + slot + "=" + value;
    }
    // The table lists slots in the order asked; compare as sets of pairs.
    std::set<std::string> got, want;
    std::istringstream got_stream(slots), want_stream(row.cells[5] == "-" ? "" : row.cells[5]);
    for (std::string pair; std::getline(got_stream, pair, ',');) got.insert(pair);
    for (std::string pair; std::getline(want_stream, pair, ',');) want.insert(pair);
    EXPECT_EQ(got, want);
    EXPECT_EQ(last.empty() ? "-" : ActionName(last.back().kind), row.cells[6]);
  }
}

TEST(CallSessionTest, AnAnswerIsCommittedBeforeTheNextPromptPlays) {
  auto script = BuiltInScript("health_checkin");
  ASSERT_TRUE(script);
  CallSession session(*script, kVariables, false);
  Feed(session, "answer", 1);
  Feed(session, "fin", 2);
  Feed(session, "fin", 3);
  const auto actions = Feed(session, "d2", 4);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].kind, Action::Kind::kCommit);
  EXPECT_EQ(actions[0].answer.slot, "temperature");
  EXPECT_EQ(actions[0].answer.value, "fever");
  EXPECT_EQ(actions[0].answer.raw, "2");
  EXPECT_EQ(actions[1].kind, Action::Kind::kPlay);
  EXPECT_EQ(actions[1].prompt.node_id, "symptoms");
  // Fever asks for a door visit.
  ASSERT_EQ(session.result().follow_ups.size(), 1u);
  EXPECT_EQ(session.result().follow_ups[0].task, "居民报告发热，请网格员上门核实并上报社区");
}

TEST(CallSessionTest, TheOpeningIsRenderedAndCannotBeInterrupted) {
  auto script = BuiltInScript("health_checkin");
  ASSERT_TRUE(script);
  CallSession session(*script, kVariables, false);
  const auto actions = Feed(session, "answer", 1);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_FALSE(actions[0].prompt.interruptible);
  EXPECT_EQ(actions[0].prompt.opt_out_key, 0);
  EXPECT_EQ(actions[0].prompt.text.rfind("王阿姨您好，我是城东社区的AI社工", 0), 0u);
  EXPECT_NE(actions[0].prompt.text.find("录音"), std::string::npos);
}

TEST(CallSessionTest, APromptComesInPiecesTheChannelCanSpliceAndPrepare) {
  auto script = BuiltInScript("health_checkin");
  ASSERT_TRUE(script);
  CallSession session(*script, kVariables, false);
  const auto actions = Feed(session, "answer", 1);
  ASSERT_EQ(actions.size(), 1u);
  const Prompt& opening = actions[0].prompt;
  ASSERT_GE(opening.pieces.size(), 3u);
  EXPECT_EQ(opening.pieces[0], "王阿姨");  // the form of address is a piece of its own
  std::string joined;
  for (const auto& piece : opening.pieces) joined += piece;
  EXPECT_EQ(joined, opening.text);
  // What a channel prepares before the calls: the fixed pieces and the unit's names, never a
  // resident's form of address (not among the known variables).
  Variables unit = kVariables;
  unit.erase("address");
  const auto prepared = PromptPieces(*script, unit);
  for (const auto& piece : opening.pieces) {
    if (piece == "王阿姨") {
      EXPECT_EQ(std::count(prepared.begin(), prepared.end(), piece), 0);
    } else {
      EXPECT_EQ(std::count(prepared.begin(), prepared.end(), piece), 1) << piece;
    }
  }
}

TEST(CallSessionTest, ResidenceAnswersProposeRegistryChangesAndTasks) {
  auto script = BuiltInScript("residence_check");
  ASSERT_TRUE(script);
  CallSession session(*script, kVariables, false);
  for (const char* token : {"answer", "fin", "fin", "d2", "fin", "lhup"}) Feed(session, token, 5);
  const CallResult& result = session.result();
  EXPECT_EQ(result.outcome, Outcome::kAnsweredCompleted);
  ASSERT_EQ(result.updates.size(), 1u);
  EXPECT_EQ(result.updates[0].update.field, "residence_status");
  EXPECT_EQ(result.updates[0].update.value, "registered_only");
  ASSERT_EQ(result.follow_ups.size(), 1u);
  EXPECT_NE(result.follow_ups[0].task.find("核实人户状态"), std::string::npos);
}

TEST(OutcomeTest, RetryPolicyByOutcome) {
  EXPECT_EQ(RetryFor(Outcome::kNoAnswer), RetryRule::kRetryAfterInterval);
  EXPECT_EQ(RetryFor(Outcome::kBusy), RetryRule::kRetryAfterInterval);
  EXPECT_EQ(RetryFor(Outcome::kFailedRetryable), RetryRule::kRetryAfterInterval);
  EXPECT_EQ(RetryFor(Outcome::kHungUpDuringOpening), RetryRule::kRetryAfterInterval);
  for (Outcome final : {Outcome::kDeclined, Outcome::kInvalidNumber, Outcome::kOptedOut,
                        Outcome::kAnsweredCompleted, Outcome::kAnsweredPartial, Outcome::kNoPhone,
                        Outcome::kCapped, Outcome::kDuplicatePhone, Outcome::kOnDoNotCallList}) {
    EXPECT_EQ(RetryFor(final), RetryRule::kFinal) << OutcomeName(final);
  }
  for (const char* name : {"answered_completed", "no_answer", "duplicate_phone", "cancelled"}) {
    auto outcome = ParseOutcome(name);
    ASSERT_TRUE(outcome) << name;
    EXPECT_EQ(OutcomeName(*outcome), name);
  }
  EXPECT_FALSE(ParseOutcome("maybe"));
}

}  // namespace
}  // namespace steward::campaign
