// Campaigns on real SQLite and PostgreSQL, in virtual time: a test city's residents called by the
// simulator at 1,000 calls at once end in exactly one final state each, consistent with the policy
// (attempts, retry intervals, caps, windows, the do-not-call list, shared phones); the ledger's
// answers agree with the call log; a crash at 20 points loses no committed answer and calls no one
// beyond policy; two nodes share a campaign without double-dialling.
#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "campaign/campaign_store.hpp"
#include "campaign/ledger.hpp"
#include "campaign/review.hpp"
#include "campaign/runner.hpp"
#include "campaign/simulator.hpp"
#include "campaign/templates.hpp"
#include "crypto/pii_vault.hpp"
#include "registry/resident.hpp"
#include "segment/query.hpp"
#include "segment/read_model.hpp"
#include "sheet/reader.hpp"
#include "storage/change_log.hpp"
#include "tests/integration/demo_city.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using campaign::Campaign;
using campaign::CampaignRunner;
using campaign::CampaignState;
using campaign::CampaignStore;
using storage::Engine;
using storage::RowView;
using storage::Value;

constexpr int64_t kResidents = 2500;
// 2026-12-07 08:00 in Beijing, a Monday.
constexpr int64_t kStart = 1796601600000;

struct Attempt {
  Id id;
  int64_t round;
  Id resident;
  int64_t number;
  int64_t started, ended;
  std::string outcome;
  std::string node;
};

class CampaignTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    demo::DemoOptions options;
    options.residents = kResidents;
    options.seed = 8;
    auto built = testing::BuildDemoCity(*database_, *vault_, ids_, clock_, options);
    ASSERT_TRUE(built) << built.error().ToString();
  }

  std::vector<Id> AllResidents() {
    std::vector<Id> ids;
    auto status = database_->Read([&](storage::Connection& connection) {
      return connection.QueryEach("SELECT id FROM resident WHERE deleted_at IS NULL ORDER BY id",
                                  {}, [&](const RowView& row) { ids.push_back(row.Int(0)); });
    });
    EXPECT_TRUE(status);
    return ids;
  }

  int64_t Count(const std::string& sql, std::vector<Value> params = {}) {
    int64_t count = -1;
    auto status = database_->Read([&](storage::Connection& connection) {
      return connection.QueryEach(sql, params, [&](const RowView& row) { count = row.Int(0); });
    });
    EXPECT_TRUE(status) << sql;
    return count;
  }

  // A resident's history, oldest first (empty, with a failure, when it cannot be read).
  std::vector<storage::ChangeEntry> History(Id resident_id) {
    auto history = database_->Read([&](storage::Connection& connection) {
      return storage::ReadHistory(connection, "resident", resident_id);
    });
    EXPECT_TRUE(history && !history->empty()) << "resident " << resident_id;
    return history ? *history : std::vector<storage::ChangeEntry>{};
  }

  std::vector<Attempt> Attempts(Id campaign_id) {
    std::vector<Attempt> attempts;
    auto status = database_->Read([&](storage::Connection& connection) {
      return connection.QueryEach(
          "SELECT id, round, resident_id, attempt, started_at, ended_at, outcome, node FROM "
          "call_attempt WHERE campaign_id = ? ORDER BY resident_id, round, attempt",
          std::vector<Value>{campaign_id}, [&](const RowView& row) {
            attempts.push_back({row.Int(0), row.Int(1), row.Int(2), row.Int(3), row.Int(4),
                                row.IsNull(5) ? -1 : row.Int(5),
                                row.IsNull(6) ? "" : std::string(row.Text(6)),
                                std::string(row.Text(7))});
          });
    });
    EXPECT_TRUE(status);
    return attempts;
  }

  Campaign Create(CampaignStore& store, const std::string& script_name, nlohmann::json policy,
                  std::vector<Id> residents) {
    auto script = campaign::BuiltInScript(script_name);
    EXPECT_TRUE(script);
    campaign::NewCampaign draft;
    draft.name = "测试 " + script_name;
    draft.script = *script;
    draft.segment_query = "age >= 0";
    for (const auto& field : script->fields) draft.fields[field.name] = "【" + field.label + "】";
    auto parsed_policy = campaign::Policy::FromJson(policy);
    EXPECT_TRUE(parsed_policy) << parsed_policy.error().ToString();
    draft.policy = *parsed_policy;
    Date start;
    Date::Parse("2026-12-07", &start);
    draft.schedule = campaign::Schedule::Default(start, Date::FromDays(start.ToDays() + 6));
    auto created = store.Create(context_, draft);
    if (!created) {
      ADD_FAILURE() << created.error().ToString();
      return {};
    }
    auto started = store.Start(context_, created->id, residents, clock_.Today());
    if (!started) {
      ADD_FAILURE() << started.error().ToString();
      return {};
    }
    return *started;
  }

  // Runs the campaign on `runner` until it leaves `running` and no call is left, sampling the
  // number of calls up at once. Returns false if it did not finish in two virtual weeks.
  bool RunToEnd(CampaignStore& store, CampaignRunner& runner, campaign::VirtualTimers& timers,
                Id campaign_id, size_t* most_active = nullptr) {
    for (int minute = 0; minute < 14 * 24 * 60; ++minute) {
      for (int second = 0; second < 60; ++second) {
        timers.RunFor(1000);
        if (most_active) *most_active = std::max(*most_active, runner.active_calls());
      }
      auto current = store.Get(campaign_id);
      if (!current) return false;
      if (current->state != CampaignState::kRunning && runner.active_calls() == 0) return true;
    }
    return false;
  }

  CampaignRunner::UnitLookup Units() { return CampaignRunner::UnitsFrom(*database_, *vault_); }

  FakeClock clock_{kStart};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("campaign-test");
  std::unique_ptr<storage::Database> database_;
  storage::WriteContext context_{"system:test", storage::Source::kCli};
  campaign::HolidayCalendar calendar_;
};

TEST_P(CampaignTest, EveryResidentEndsOnceConsistentWithThePolicy) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 42);
  channel.SetPersonaMix(campaign::DefaultPersonaMix());
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  const auto residents = AllResidents();
  const nlohmann::json policy = {
      {"max_concurrent", 1000}, {"max_calls_per_second", 200},
      {"max_attempts", 3},      {"per_day_cap", 2},
      {"per_week_cap", 5},      {"retry_after_min", {{"no_answer", 90}, {"busy", 20}}}};
  const Campaign campaign = Create(store, "health_checkin", policy, residents);
  ASSERT_EQ(campaign.targeted, static_cast<int64_t>(residents.size()));
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  size_t most_active = 0;
  ASSERT_TRUE(RunToEnd(store, runner, timers, campaign.id, &most_active));
  EXPECT_EQ(store.Get(campaign.id)->state, CampaignState::kCompleted);
  EXPECT_FALSE(runner.last_error()) << runner.last_error()->ToString();
  EXPECT_GT(most_active, 900u);
  EXPECT_LE(most_active, 1000u);

  // One row and one final outcome per resident; nothing in flight.
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ?", {campaign.id}),
            static_cast<int64_t>(residents.size()));
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND (state <> "
                  "'done' OR outcome IS NULL)",
                  {campaign.id}),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL"), 0);

  std::map<Id, std::string> final_outcome;
  std::map<Id, int64_t> recorded_attempts;
  std::map<Id, std::string> phone_of;
  ASSERT_TRUE(database_->Read([&](storage::Connection& connection) {
    return connection.QueryEach(
        "SELECT resident_id, outcome, attempts, phone_hash FROM campaign_target WHERE "
        "campaign_id = ?",
        std::vector<Value>{campaign.id}, [&](const RowView& row) {
          final_outcome[row.Int(0)] = std::string(row.Text(1));
          recorded_attempts[row.Int(0)] = row.Int(2);
          if (!row.IsNull(3)) phone_of[row.Int(0)] = std::string(row.Text(3));
        });
  }));
  const auto attempts = Attempts(campaign.id);
  std::map<Id, std::vector<Attempt>> by_resident;
  for (const auto& attempt : attempts) by_resident[attempt.resident].push_back(attempt);
  const int64_t dialled = static_cast<int64_t>(by_resident.size());
  const auto parsed_policy = campaign::Policy::FromJson(policy);
  std::map<std::string, int64_t> outcomes;
  for (const auto& [resident, outcome] : final_outcome) {
    SCOPED_TRACE("resident " + std::to_string(resident) + " " + outcome);
    ++outcomes[outcome];
    auto found = by_resident.find(resident);
    const std::vector<Attempt> none;
    const auto& calls = found == by_resident.end() ? none : found->second;
    ASSERT_EQ(static_cast<int64_t>(calls.size()), recorded_attempts[resident]);
    ASSERT_LE(calls.size(), 3u);
    auto parsed = campaign::ParseOutcome(outcome);
    ASSERT_TRUE(parsed);
    if (campaign::IsNeverDialled(*parsed)) {
      EXPECT_TRUE(calls.empty());
      continue;
    }
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back().outcome, outcome);
    std::map<int64_t, int> per_day;
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i].number, static_cast<int64_t>(i + 1));
      EXPECT_TRUE(campaign.schedule.InWindow(calls[i].started, calendar_));
      ++per_day[campaign::LocalDate(calls[i].started).ToDays()];
      if (i + 1 < calls.size()) {
        // Only retryable outcomes are tried again, never before their interval.
        auto previous = campaign::ParseOutcome(calls[i].outcome);
        ASSERT_TRUE(previous);
        EXPECT_EQ(campaign::RetryFor(*previous), campaign::RetryRule::kRetryAfterInterval);
        EXPECT_GE(calls[i + 1].started - calls[i].ended,
                  int64_t{parsed_policy->RetryAfterMinutes(*previous)} * 60'000);
      }
    }
    for (const auto& [day, count] : per_day) EXPECT_LE(count, 2);
    if (campaign::RetryFor(*parsed) == campaign::RetryRule::kRetryAfterInterval) {
      EXPECT_EQ(calls.size(), 3u);  // retried until the attempts ran out
    }
  }
  EXPECT_GT(outcomes["answered_completed"], static_cast<int64_t>(residents.size()) / 3);
  EXPECT_GT(outcomes["no_answer"], 0);
  EXPECT_GT(outcomes["opted_out"], 0);
  // A phone shared by several residents is called once, for the first of them.
  std::map<std::string, int> dialled_per_phone;
  for (const auto& [resident, hash] : phone_of) {
    if (by_resident.count(resident) > 0) ++dialled_per_phone[hash];
  }
  for (const auto& [hash, count] : dialled_per_phone) EXPECT_EQ(count, 1);
  // Opted-out phones are on the list; unreachable and refused residents got door-visit tasks.
  EXPECT_EQ(Count("SELECT count(*) FROM do_not_call"), outcomes["opted_out"]);
  EXPECT_EQ(Count("SELECT count(*) FROM follow_up_task WHERE kind = 'unreachable'"),
            outcomes["no_answer"] + outcomes["busy"] + outcomes["failed_retryable"] +
                outcomes["invalid_number"]);
  EXPECT_EQ(Count("SELECT count(*) FROM follow_up_task WHERE kind = 'refused'"),
            outcomes["declined"] + outcomes["hung_up_during_opening"]);
  EXPECT_EQ(Count("SELECT count(*) FROM follow_up_task WHERE kind = 'answer'"),
            Count("SELECT count(*) FROM call_answer WHERE (slot = 'temperature' AND value = "
                  "'fever') OR (slot = 'symptoms' AND value = 'some')"));
  // Last contact for every dialled resident.
  EXPECT_EQ(Count("SELECT count(*) FROM resident_contact"), dialled);

  // The funnel and the ledger agree with the call log.
  auto funnel = store.ComputeFunnel(campaign.id);
  ASSERT_TRUE(funnel);
  EXPECT_EQ(funnel->targeted, static_cast<int64_t>(residents.size()));
  EXPECT_EQ(funnel->dialled, dialled);
  EXPECT_EQ(funnel->attempts, static_cast<int64_t>(attempts.size()));
  EXPECT_EQ(funnel->completed, outcomes["answered_completed"]);
  EXPECT_EQ(funnel->answered, Count("SELECT count(DISTINCT resident_id) FROM call_attempt WHERE "
                                    "answered_at IS NOT NULL"));
  int64_t community_total = 0;
  for (const auto& [unit, counts] : funnel->by_community) community_total += counts.targeted;
  EXPECT_EQ(community_total, funnel->targeted);
  const std::string path = testing::TempDir() + "/ledger.csv";
  auto written = campaign::WriteLedger(*database_, *vault_, *store.Get(campaign.id), *funnel, path);
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_EQ(*written, static_cast<int64_t>(residents.size()));
  auto reader = sheet::OpenSheet(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  std::map<std::string, int64_t> fevers_in_ledger;
  int64_t rows = 0;
  int temperature_column = -1;
  while (true) {
    auto row = (*reader)->Next();
    ASSERT_TRUE(row) << row.error().ToString();
    if (!*row) break;
    const auto& cells = (**row).cells;
    if (temperature_column < 0) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].text == "体温") temperature_column = static_cast<int>(i);  // the ask's label
      }
      continue;
    }
    ++rows;
    if (static_cast<int>(cells.size()) > temperature_column) {
      ++fevers_in_ledger[cells[temperature_column].text];
    }
  }
  EXPECT_EQ(rows, static_cast<int64_t>(residents.size()));
  // The answers as the script labels them: 发热 for "fever", 正常 for "normal".
  EXPECT_GT(funnel->answers["temperature"]["fever"], 0);
  EXPECT_EQ(fevers_in_ledger["发热"], funnel->answers["temperature"]["fever"]);
  EXPECT_EQ(fevers_in_ledger["正常"], funnel->answers["temperature"]["normal"]);
  EXPECT_EQ(funnel->answers["temperature"]["fever"] + funnel->answers["temperature"]["normal"],
            Count("SELECT count(DISTINCT resident_id) FROM call_answer WHERE slot = "
                  "'temperature'"));
}

// Two nodes on one database: node-a dies mid-campaign and stays down. node-b leaves a's calls in
// flight alone while a's heartbeat is fresh, ends them as failed attempts once the lease has run
// out, and finishes the campaign: every resident once, within max_attempts, never two calls to
// one resident at a time.
TEST_P(CampaignTest, ADeadNodesCallsAreTakenOverAfterTheLease) {
  auto residents = AllResidents();
  residents.resize(120);
  Id campaign_id = 0;
  int64_t crashed_at = 0;
  int64_t open_at_crash = 0;
  const int64_t lease = 120'000;
  {
    campaign::VirtualTimers timers(kStart);
    campaign::SimulatorChannel channel(timers, 5);
    CampaignStore store(*database_, *vault_, ids_, timers.clock());
    campaign_id = Create(store, "health_checkin", {{"max_concurrent", 30}}, residents).id;
    CampaignRunner::Options options{"node-a"};
    options.lease_ms = lease;
    CampaignRunner runner(store, channel, timers, calendar_, Units(), options);
    ASSERT_TRUE(runner.Start());
    for (int second = 0; second < 6 * 3600 && runner.active_calls() < 20; ++second) {
      timers.RunFor(1000);
    }
    ASSERT_GE(runner.active_calls(), 20u);
    crashed_at = timers.now();
    open_at_crash = Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL");
    ASSERT_GE(open_at_crash, 20);
  }  // node-a is gone: its calls stay open in the database, as after kill -9
  campaign::VirtualTimers timers(crashed_at + 30'000);
  campaign::SimulatorChannel channel(timers, 6);
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  CampaignRunner::Options options{"node-b"};
  options.lease_ms = lease;
  CampaignRunner runner(store, channel, timers, calendar_, Units(), options);
  ASSERT_TRUE(runner.Start());
  timers.RunFor(60'000);  // a's heartbeat is at most 90 s old: its calls are left alone
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL AND node = 'node-a'"),
            open_at_crash);
  ASSERT_TRUE(RunToEnd(store, runner, timers, campaign_id));
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE node = 'node-a' AND outcome = "
                  "'failed_retryable' AND ended_at >= ?",
                  {crashed_at + lease}),
            open_at_crash);
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND state <> 'done'",
                  {campaign_id}),
            0);
  auto current = store.Get(campaign_id);
  ASSERT_TRUE(current);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT resident_id FROM call_attempt WHERE campaign_id = "
                  "? GROUP BY resident_id, round HAVING count(*) > ?) t",
                  {campaign_id, int64_t{current->policy.max_attempts}}),
            0);
  // No resident had two calls at once: each attempt began after the one before it ended.
  const auto attempts = Attempts(campaign_id);
  for (size_t i = 1; i < attempts.size(); ++i) {
    if (attempts[i].resident != attempts[i - 1].resident ||
        attempts[i].round != attempts[i - 1].round) {
      continue;
    }
    EXPECT_GE(attempts[i].started, attempts[i - 1].ended) << attempts[i].resident;
  }
}

// A household's shared phone: the one resident called opts out, and the segment model's next
// catch-up counts everyone on that phone as opted out (not only at its next full reload).
TEST_P(CampaignTest, AnOptOutOnASharedPhoneReachesEveryoneOnIt) {
  // Two residents with phones; the second is given the first one's number (a shared landline).
  std::vector<Id> sharing;
  auto found = database_->Read([&](storage::Connection& connection) {
    return connection.QueryEach(
        "SELECT DISTINCT resident_id FROM resident_phone ORDER BY resident_id LIMIT 2", {},
        [&](const RowView& row) { sharing.push_back(row.Int(0)); });
  });
  ASSERT_TRUE(found);
  ASSERT_EQ(sharing.size(), 2u);
  registry::ResidentStore residents(*vault_, ids_, clock_);
  auto shared = database_->Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto first, residents.Get(transaction.connection(), sharing[0]));
    STEWARD_ASSIGN_OR_RETURN(auto second, residents.Get(transaction.connection(), sharing[1]));
    STEWARD_ASSIGN_OR_RETURN(std::string plain, residents.RevealPhone(first.phones[0]));
    STEWARD_ASSIGN_OR_RETURN(auto phone, registry::NormalizePhone(plain));
    registry::ResidentPatch patch;
    patch.phones = std::vector<registry::PhoneInfo>{phone};
    return residents.Update(transaction, second.id, second.version, patch).transform([](auto&&) {});
  });
  ASSERT_TRUE(shared) << shared.error().ToString();
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 3);
  channel.SetFallback({campaign::PersonaKind::kOptsOut});
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  auto model = database_->Read(
      [](storage::Connection& connection) { return segment::ResidentModel::Load(connection); });
  ASSERT_TRUE(model);
  const Campaign campaign = Create(store, "residence_check", {}, sharing);
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  ASSERT_TRUE(RunToEnd(store, runner, timers, campaign.id));
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE campaign_id = ?", {campaign.id}), 1);
  auto caught_up = database_->Read([&](storage::Connection& connection) {
    return segment::ResidentModel::CatchUp(*model, connection, {});
  });
  ASSERT_TRUE(caught_up) << caught_up.error().ToString();
  auto query = segment::ParseQuery("opted_out");
  ASSERT_TRUE(query);
  auto selected = (*caught_up)->Evaluate(*query, clock_.Today(), timers.now());
  ASSERT_TRUE(selected);
  EXPECT_EQ(selected->cardinality(), sharing.size());
}

// contact_update: residents who changed number key the new one in; it is proposed for review,
// stored only masked and sealed, and replaces the first phone once a reviewer accepts it.
TEST_P(CampaignTest, ANewPhoneKeyedInIsStoredSealedAndReplacesTheOldOneOnlyWhenAccepted) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 11);
  campaign::Persona changed{campaign::PersonaKind::kQuick};
  changed.answers["phone_status"] = "changed";  // the number typed is made from the seed
  channel.SetFallback(changed);
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  auto residents = AllResidents();
  residents.resize(40);
  const Campaign campaign = Create(store, "contact_update", {{"max_concurrent", 20}}, residents);
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  ASSERT_TRUE(RunToEnd(store, runner, timers, campaign.id));
  const int64_t keyed = Count("SELECT count(*) FROM call_answer WHERE slot = 'new_phone'");
  ASSERT_GT(keyed, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM pending_change WHERE field = 'phone' AND state = "
                  "'pending' AND value_sealed IS NOT NULL"),
            keyed);
  EXPECT_EQ(Count("SELECT count(*) FROM call_answer WHERE slot = 'new_phone' AND value NOT LIKE "
                  "'1__****____'"),
            0);
  // No resident's phone changed before review.
  EXPECT_EQ(Count("SELECT count(*) FROM resident r JOIN pending_change p ON p.resident_id = r.id "
                  "WHERE r.version <> 1"),
            0);
  auto pending = database_->Read([](storage::Connection& connection) {
    return campaign::ListPendingChanges(connection, std::nullopt, "pending", 1000);
  });
  ASSERT_TRUE(pending);
  ASSERT_FALSE(pending->empty());
  // The plain numbers appear nowhere but sealed: not in answers, changes or the change log.
  for (const auto& change : *pending) {
    auto plain = vault_->Open("phone", change.value_sealed);
    ASSERT_TRUE(plain) << plain.error().ToString();
    auto phone = registry::NormalizePhone(*plain);
    ASSERT_TRUE(phone);
    EXPECT_EQ(change.value, registry::MaskPhone(*phone));
    const std::string like = "%" + *plain + "%";
    EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE fields LIKE ?", {like}), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM call_answer WHERE value LIKE ?", {like}), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM pending_change WHERE value LIKE ?", {like}), 0);
  }
  const campaign::PendingChange change = pending->front();
  const std::string plain = *vault_->Open("phone", change.value_sealed);
  registry::ResidentStore resident_store(*vault_, ids_, clock_);
  auto before = database_->Read([&](storage::Connection& connection) {
    return resident_store.Get(connection, change.resident_id);
  });
  ASSERT_TRUE(before);
  storage::WriteContext reviewer{"user:42", storage::Source::kConsole};
  auto accepted = campaign::AcceptChange(*database_, resident_store, reviewer, change.id, clock_);
  ASSERT_TRUE(accepted) << accepted.error().ToString();
  auto after = database_->Read([&](storage::Connection& connection) {
    return resident_store.Get(connection, change.resident_id);
  });
  ASSERT_TRUE(after);
  ASSERT_FALSE(after->phones.empty());
  EXPECT_EQ(*resident_store.RevealPhone(after->phones[0]), plain);
  EXPECT_EQ(after->phones[0].masked, change.value);
  EXPECT_EQ(after->phones.size(), std::max<size_t>(before->phones.size(), 1));
  const auto history = History(change.resident_id);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().source, "call");
  EXPECT_EQ(history.back().actor, "user:42");
  EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE fields LIKE ?", {"%" + plain + "%"}), 0);
}

TEST_P(CampaignTest, AnswersBecomePendingChangesAndOptOutsHoldForTheNextCampaign) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 7);
  channel.SetPersonaMix(
      {{campaign::PersonaKind::kRandom, 8}, {campaign::PersonaKind::kOptsOut, 2}});
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  auto residents = AllResidents();
  residents.resize(400);
  auto model = database_->Read(
      [](storage::Connection& connection) { return segment::ResidentModel::Load(connection); });
  ASSERT_TRUE(model);
  const Campaign first = Create(store, "residence_check", {{"max_concurrent", 100}}, residents);
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  ASSERT_TRUE(RunToEnd(store, runner, timers, first.id));
  // The segment model follows the contact history from the change log.
  auto caught_up = database_->Read([&](storage::Connection& connection) {
    return segment::ResidentModel::CatchUp(*model, connection, {});
  });
  ASSERT_TRUE(caught_up) << caught_up.error().ToString();
  auto count = [&](const char* text) {
    auto query = segment::ParseQuery(text);
    EXPECT_TRUE(query);
    auto selected = (*caught_up)->Evaluate(*query, clock_.Today(), timers.now());
    EXPECT_TRUE(selected) << selected.error().ToString();
    return static_cast<int64_t>(selected->cardinality());
  };
  EXPECT_EQ(count("called_within(2d)"), Count("SELECT count(*) FROM resident_contact"));
  EXPECT_EQ(count("answered_within(2d)"),
            Count("SELECT count(*) FROM resident_contact WHERE last_answered_at IS NOT NULL"));
  // Opted out: everyone with an opted-out phone, a shared one included, as a reload would find.
  EXPECT_EQ(count("opted_out"),
            Count("SELECT count(DISTINCT p.resident_id) FROM resident_phone p JOIN do_not_call d "
                  "ON d.phone_hash = p.phone_hash"));
  EXPECT_GT(Count("SELECT count(*) FROM do_not_call"), 0);
  const int64_t moved = Count(
      "SELECT count(*) FROM call_answer WHERE slot = 'residence' AND "
      "value IN ('moved_within_city', 'moved_away')");
  const int64_t alone =
      Count("SELECT count(*) FROM call_answer WHERE slot = 'lives_alone' AND value = 'yes'");
  ASSERT_GT(moved, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM pending_change WHERE field = 'residence_status' AND "
                  "value = 'registered_only' AND state = 'pending'"),
            moved);
  EXPECT_EQ(Count("SELECT count(*) FROM pending_change WHERE field = 'tag:lives_alone'"), alone);
  // Nothing reached the registry: every resident keeps the status the demo gave.
  EXPECT_EQ(Count("SELECT count(*) FROM resident r JOIN pending_change p ON p.resident_id = r.id "
                  "WHERE r.version <> 1"),
            0);
  // A reviewer accepts one residence change and one lives-alone tag and rejects another change:
  // only the accepted ones reach the registry, with the call as their source in its history.
  auto pending = database_->Read([](storage::Connection& connection) {
    return campaign::ListPendingChanges(connection, std::nullopt, "pending", 1000);
  });
  ASSERT_TRUE(pending);
  const campaign::PendingChange* moved_change = nullptr;
  const campaign::PendingChange* tag_change = nullptr;
  const campaign::PendingChange* other = nullptr;
  for (const auto& change : *pending) {
    if (change.field == "residence_status" && !moved_change) {
      moved_change = &change;
    } else if (change.field == "tag:lives_alone" && !tag_change) {
      tag_change = &change;
    } else if (!other) {
      other = &change;
    }
  }
  ASSERT_TRUE(moved_change && other);
  registry::ResidentStore resident_store(*vault_, ids_, clock_);
  storage::WriteContext reviewer{"user:42", storage::Source::kConsole};
  auto accepted =
      campaign::AcceptChange(*database_, resident_store, reviewer, moved_change->id, clock_);
  ASSERT_TRUE(accepted) << accepted.error().ToString();
  EXPECT_EQ(accepted->state, "accepted");
  EXPECT_EQ(accepted->reviewed_by, "user:42");
  auto again =
      campaign::AcceptChange(*database_, resident_store, reviewer, moved_change->id, clock_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto rejected = campaign::RejectChange(*database_, reviewer, other->id, clock_);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->state, "rejected");
  const auto history = History(moved_change->resident_id);
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history.back().source, "call");
  EXPECT_EQ(history.back().actor, "user:42");
  EXPECT_EQ(history.back().fields["residence_status"]["new"], "registered_only");
  auto resident = database_->Read([&](storage::Connection& connection) {
    return resident_store.Get(connection, moved_change->resident_id);
  });
  ASSERT_TRUE(resident);
  EXPECT_EQ(resident->residence_status, registry::ResidenceStatus::kRegisteredOnly);
  if (tag_change) {
    ASSERT_TRUE(
        campaign::AcceptChange(*database_, resident_store, reviewer, tag_change->id, clock_));
    auto tagged = database_->Read([&](storage::Connection& connection) {
      return resident_store.Get(connection, tag_change->resident_id);
    });
    ASSERT_TRUE(tagged);
    EXPECT_NE(std::find(tagged->tags.begin(), tagged->tags.end(), "lives_alone"),
              tagged->tags.end());
  }
  // The rejected change left its resident as the demo made them.
  if (other->resident_id != moved_change->resident_id &&
      (!tag_change || other->resident_id != tag_change->resident_id)) {
    EXPECT_EQ(Count("SELECT version FROM resident WHERE id = ?", {other->resident_id}), 1);
  }
  // Door-visit tasks are listed and closed once.
  auto tasks = database_->Read([](storage::Connection& connection) {
    return campaign::ListTasks(connection, std::nullopt, "open", 10);
  });
  ASSERT_TRUE(tasks);
  ASSERT_FALSE(tasks->empty());
  auto closed = campaign::CloseTask(*database_, reviewer, tasks->front().id, clock_);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->state, "done");
  EXPECT_FALSE(campaign::CloseTask(*database_, reviewer, tasks->front().id, clock_));
  // The task done is the resident's door visit: visited_within finds them, by catch-up and by a
  // fresh load alike, and no one else.
  auto visited = database_->Read([&](storage::Connection& connection) {
    return segment::ResidentModel::CatchUp(*caught_up, connection, {});
  });
  ASSERT_TRUE(visited) << visited.error().ToString();
  auto reloaded = database_->Read(
      [](storage::Connection& connection) { return segment::ResidentModel::Load(connection); });
  ASSERT_TRUE(reloaded);
  auto within_a_day = segment::ParseQuery("visited_within(1d)");
  ASSERT_TRUE(within_a_day);
  for (const auto* one : {&*visited, &*reloaded}) {
    auto selected = (*one)->Evaluate(*within_a_day, clock_.Today(), clock_.NowMillis());
    ASSERT_TRUE(selected);
    ASSERT_EQ(selected->cardinality(), 1u);
    const auto row = (*one)->RowOf(tasks->front().resident_id);
    ASSERT_TRUE(row);
    EXPECT_TRUE(selected->contains(*row));
    // A week later it is no longer "within a day".
    auto later =
        (*one)->Evaluate(*within_a_day, clock_.Today(), clock_.NowMillis() + 7 * 86'400'000);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->cardinality(), 0u);
  }

  const int64_t opted = Count("SELECT count(*) FROM do_not_call");
  ASSERT_GT(opted, 0);
  // The next campaign over the same residents does not call them.
  const Campaign second = Create(store, "policy_notice", {}, residents);
  (void)second;
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND outcome = "
                  "'on_do_not_call_list'",
                  {second.id}),
            opted);
}

// The simulator behind a voice that can fail: NotReady while `down`, and what Prepare was given.
class FailingVoiceChannel final : public campaign::Channel {
 public:
  explicit FailingVoiceChannel(campaign::Channel& inner) : inner_(inner) {}
  Status Dial(const campaign::DialRequest& request, campaign::CallSink* sink) override {
    ++dialled;
    return inner_.Dial(request, sink);
  }
  void Play(int64_t call_id, const campaign::Prompt& prompt) override {
    inner_.Play(call_id, prompt);
  }
  void StopPrompt(int64_t call_id) override { inner_.StopPrompt(call_id); }
  void Hangup(int64_t call_id) override { inner_.Hangup(call_id); }
  void Transfer(int64_t call_id, const std::string& phone) override {
    inner_.Transfer(call_id, phone);
  }
  bool HasSpeech() const override { return inner_.HasSpeech(); }
  void Prepare(const std::vector<std::string>& texts) override {
    prepared.insert(prepared.end(), texts.begin(), texts.end());
  }
  std::string NotReady() override { return down ? "the voice is down" : ""; }

  bool down = true;
  int dialled = 0;
  std::vector<std::string> prepared;

 private:
  campaign::Channel& inner_;
};

TEST_P(CampaignTest, NobodyIsDialledWhileTheVoiceIsDownAndCallsGoOnOnceItSpeaks) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel simulator(timers, 7);
  FailingVoiceChannel channel(simulator);
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  auto residents = AllResidents();
  residents.resize(50);
  const Campaign campaign = Create(
      store, "policy_notice", {{"max_concurrent", 10}, {"max_calls_per_second", 5}}, residents);
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  timers.RunFor(3600 * 1000 + 60 * 1000);  // an hour into the window (it opens at 9:00)
  // Its prompts were handed over before any call; nobody was dialled, no attempt spent.
  EXPECT_NE(std::find(channel.prepared.begin(), channel.prepared.end(), "感谢您的收听，再见。"),
            channel.prepared.end());
  EXPECT_EQ(channel.dialled, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt"), 0);
  EXPECT_EQ(runner.Waiting(), "the voice is down");  // what the campaign's monitor shows
  channel.down = false;
  timers.RunFor(2000);
  EXPECT_EQ(runner.Waiting(), "");
  size_t most_active = 0;
  ASSERT_TRUE(RunToEnd(store, runner, timers, campaign.id, &most_active));
  EXPECT_EQ(store.Get(campaign.id)->state, CampaignState::kCompleted);
  EXPECT_GT(channel.dialled, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND state <> 'done'",
                  {campaign.id}),
            0);
}

TEST_P(CampaignTest, CancelEndsWhatIsLeftAndPauseHoldsCalls) {
  campaign::VirtualTimers timers(kStart);
  campaign::SimulatorChannel channel(timers, 3);
  CampaignStore store(*database_, *vault_, ids_, timers.clock());
  auto residents = AllResidents();
  residents.resize(300);
  const Campaign campaign = Create(
      store, "policy_notice", {{"max_concurrent", 10}, {"max_calls_per_second", 1}}, residents);
  CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
  ASSERT_TRUE(runner.Start());
  timers.RunFor(3600 * 1000 + 60 * 1000);  // an hour into the window (it opens at 9:00)
  ASSERT_TRUE(store.Pause(context_, campaign.id));
  timers.RunFor(5 * 60 * 1000);  // calls in progress end; no new ones
  const int64_t paused = Count("SELECT count(*) FROM call_attempt");
  EXPECT_GT(paused, 0);
  timers.RunFor(30 * 60 * 1000);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt"), paused);
  EXPECT_FALSE(store.Pause(context_, campaign.id));  // already paused: kConflict
  ASSERT_TRUE(store.Resume(context_, campaign.id));
  timers.RunFor(10 * 60 * 1000);
  EXPECT_GT(Count("SELECT count(*) FROM call_attempt"), paused);
  ASSERT_TRUE(store.Cancel(context_, campaign.id));
  timers.RunFor(10 * 60 * 1000);
  EXPECT_EQ(store.Get(campaign.id)->state, CampaignState::kCancelled);
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND state <> 'done'",
                  {campaign.id}),
            0);
  EXPECT_GT(Count("SELECT count(*) FROM campaign_target WHERE outcome = 'cancelled'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL"), 0);
}

// A crash (the runner and channel dropped mid-call, as kill -9 would) at 20 points of one
// campaign; after each, a new runner recovers and goes on. No resident is called beyond policy,
// every committed answer survives, and the campaign finishes.
TEST_P(CampaignTest, CrashesAtTwentyPointsLoseNoAnswerAndCallNoOneBeyondPolicy) {
  auto residents = AllResidents();
  residents.resize(600);
  Id campaign_id = 0;
  {
    campaign::VirtualTimers timers(kStart);
    CampaignStore store(*database_, *vault_, ids_, timers.clock());
    campaign_id = Create(store, "health_checkin",
                         {{"max_concurrent", 60}, {"max_calls_per_second", 5}, {"max_attempts", 3}},
                         residents)
                      .id;
  }
  std::mt19937_64 random(99);
  int64_t answers_before = 0;
  int64_t now = kStart + 3600 * 1000;  // 9:00, when the window opens
  int64_t interrupted = 0;
  for (int crash = 0; crash <= 20; ++crash) {
    // A new process: its own timers, channel, store and runner; the database is all it keeps.
    campaign::VirtualTimers timers(now);
    campaign::SimulatorChannel channel(timers, 100 + crash);
    channel.SetPersonaMix(campaign::DefaultPersonaMix());
    CampaignStore store(*database_, *vault_, ids_, timers.clock());
    const int64_t in_flight = Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL");
    CampaignRunner runner(store, channel, timers, calendar_, Units(), {"node-a"});
    ASSERT_TRUE(runner.Start());
    interrupted += in_flight;
    // Everything committed before the crash is still there after the recovery.
    EXPECT_EQ(Count("SELECT count(*) FROM call_answer"), answers_before);
    EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL"), 0);
    if (crash == 20) {
      ASSERT_TRUE(RunToEnd(store, runner, timers, campaign_id));
      break;
    }
    timers.RunFor(std::uniform_int_distribution<int64_t>(2'000, 20'000)(random));
    answers_before = Count("SELECT count(*) FROM call_answer");
    now = timers.now();
    // The crash: the runner, its calls and the channel vanish without another write.
  }
  EXPECT_GE(interrupted, 100);  // most crashes hit calls in flight
  CampaignStore store(*database_, *vault_, ids_, clock_);
  EXPECT_EQ(store.Get(campaign_id)->state, CampaignState::kCompleted);
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND state <> 'done'",
                  {campaign_id}),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM call_attempt WHERE outcome IS NULL"), 0);
  // Interrupted calls counted as attempts, and no one got more than three.
  EXPECT_GE(Count("SELECT count(*) FROM call_attempt WHERE outcome = 'failed_retryable'"),
            interrupted);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT resident_id FROM call_attempt GROUP BY "
                  "resident_id HAVING count(*) > 3) over_policy"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target t WHERE t.attempts <> (SELECT count(*) "
                  "FROM call_attempt a WHERE a.campaign_id = t.campaign_id AND a.resident_id = "
                  "t.resident_id)"),
            0);
}

// Two nodes, each with its own database connections, channel and thread, share one campaign.
TEST_P(CampaignTest, TwoNodesShareACampaignWithoutDoubleDialling) {
  auto residents = AllResidents();
  residents.resize(800);
  Id campaign_id = 0;
  {
    campaign::VirtualTimers timers(kStart);
    CampaignStore store(*database_, *vault_, ids_, timers.clock());
    campaign_id = Create(store, "policy_notice",
                         {{"max_concurrent", 100}, {"max_calls_per_second", 40}}, residents)
                      .id;
  }
  auto node = [&](const std::string& name, uint64_t seed) {
    auto database = storage::Database::Open(database_->url(), clock_);
    ASSERT_TRUE(database) << database.error().ToString();
    IdGenerator ids(clock_, name == "node-a" ? 2 : 3);
    campaign::VirtualTimers timers(kStart);
    campaign::SimulatorChannel channel(timers, seed);
    CampaignStore store(**database, *vault_, ids, timers.clock());
    CampaignRunner runner(store, channel, timers, calendar_,
                          CampaignRunner::UnitsFrom(**database, *vault_), {name});
    ASSERT_TRUE(runner.Start());
    ASSERT_TRUE(RunToEnd(store, runner, timers, campaign_id));
    EXPECT_FALSE(runner.last_error()) << runner.last_error()->ToString();
  };
  std::thread a(node, "node-a", 1);
  std::thread b(node, "node-b", 2);
  a.join();
  b.join();
  const auto attempts = Attempts(campaign_id);
  std::set<std::pair<Id, int64_t>> seen;
  std::set<std::string> nodes;
  for (const auto& attempt : attempts) {
    EXPECT_TRUE(seen.emplace(attempt.resident, attempt.number).second)
        << "resident " << attempt.resident << " attempt " << attempt.number << " placed twice";
    nodes.insert(attempt.node);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM campaign_target WHERE campaign_id = ? AND state <> 'done'",
                  {campaign_id}),
            0);
  if (GetParam() == Engine::kPostgres) {
    EXPECT_EQ(nodes, (std::set<std::string>{"node-a", "node-b"}));
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, CampaignTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
