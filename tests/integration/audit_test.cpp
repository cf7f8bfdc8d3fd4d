// The audit log on both engines: entries recorded from many threads all land, densely numbered and
// chained; Verify finds an edited, a removed and a truncated entry; two writers (two Database
// objects, as two processes would have) share one chain; Search filters and pages.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "audit/audit_log.hpp"
#include "audit/internal/chain.hpp"
#include "audit/search.hpp"
#include "audit/verify.hpp"
#include "storage/migrations.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using audit::AuditEntry;
using audit::AuditFilter;
using audit::AuditLog;
using audit::AuditLogOptions;
using audit::ChainProblem;
using storage::Engine;

constexpr int64_t kNow = 1795797000000;  // 2026-11-28

AuditEntry Entry(std::string actor, std::string action, std::string target, int number) {
  AuditEntry entry;
  entry.actor = std::move(actor);
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.detail = {{"n", number}, {"purpose", "核查"}};
  entry.client = "203.0.113.5";
  entry.request_id = "req-" + std::to_string(number);
  return entry;
}

class AuditTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = testing::FreshDatabaseUrl(GetParam());
    ASSERT_FALSE(url_.empty());
    database_ = Open();
    ASSERT_TRUE(database_);
  }

  std::unique_ptr<storage::Database> Open() {
    auto database = storage::Database::Open(url_, clock_);
    EXPECT_TRUE(database) << database.error().ToString();
    if (!database) return nullptr;
    auto migrated = storage::Migrate(**database);
    EXPECT_TRUE(migrated) << migrated.error().ToString();
    if (!migrated) return nullptr;
    return std::move(*database);
  }

  void Sql(const std::string& sql) {
    auto done = database_->Write({"system:test", storage::Source::kCli},
                                 [&](storage::WriteTransaction& transaction) -> Status {
                                   STEWARD_TRY(transaction.connection().Execute(sql));
                                   return Ok();
                                 });
    ASSERT_TRUE(done) << done.error().ToString();
  }

  audit::VerifyReport VerifyNow() {
    auto report = audit::Verify(*database_);
    EXPECT_TRUE(report) << report.error().ToString();
    return report ? *report : audit::VerifyReport{};
  }

  std::vector<AuditEntry> Find(const AuditFilter& filter) {
    auto found = database_->Read(
        [&](storage::Connection& connection) { return audit::Search(connection, filter); });
    EXPECT_TRUE(found) << found.error().ToString();
    return found ? *found : std::vector<AuditEntry>{};
  }

  // Records `count` entries (seq 1..count) through one AuditLog and flushes.
  void RecordSome(int count) {
    AuditLog log(*database_, clock_);
    for (int i = 1; i <= count; ++i) {
      ASSERT_TRUE(log.Record(Entry("user:" + std::to_string(i % 3), "resident.view",
                                   "resident:" + std::to_string(i), i)));
      clock_.Advance(1000);
    }
    ASSERT_TRUE(log.Flush());
  }

  FakeClock clock_{kNow};
  std::string url_;
  std::unique_ptr<storage::Database> database_;
};

TEST_P(AuditTest, AnEmptyLogVerifies) {
  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok()) << report.ToText();
  EXPECT_EQ(report.entries_checked, 0);
  EXPECT_EQ(report.ToText(), "audit log ok: 0 entries, head seq 0 hash -");
}

TEST_P(AuditTest, EntriesFromManyThreadsAllLandDenseAndChained) {
  constexpr int kThreads = 8;
  constexpr int kEach = 250;
  {
    AuditLogOptions options;
    options.queue_capacity = 64;  // small: recording meets back-pressure, nothing is dropped
    options.batch_size = 100;
    AuditLog log(*database_, clock_, options);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          const int number = t * kEach + i;
          if (!log.Record(Entry("user:" + std::to_string(t), "resident.list", "", number))) {
            ++failures;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, 0);
    ASSERT_TRUE(log.Flush());
    EXPECT_EQ(log.accepted(), kThreads * kEach);
    EXPECT_EQ(log.written(), kThreads * kEach);
  }  // the destructor stops the writer with nothing left to write

  auto stored = database_->Read([](storage::Connection& connection) {
    return connection.Query(
        "SELECT count(*), min(seq), max(seq), count(DISTINCT request_id) "
        "FROM audit_log");
  });
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->Int(0, 0), kThreads * kEach);
  EXPECT_EQ(stored->Int(0, 1), 1);
  EXPECT_EQ(stored->Int(0, 2), kThreads * kEach);
  EXPECT_EQ(stored->Int(0, 3), kThreads * kEach);  // every entry exactly once

  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok()) << report.ToText();
  EXPECT_EQ(report.entries_checked, kThreads * kEach);
  EXPECT_EQ(report.last_seq, kThreads * kEach);
  EXPECT_EQ(report.head_hash.size(), 64u);
}

TEST_P(AuditTest, AnEditedEntryIsReportedAtItsSeq) {
  RecordSome(30);
  ASSERT_TRUE(VerifyNow().ok());
  Sql("UPDATE audit_log SET detail = '{\"n\":999}' WHERE seq = 17");
  const auto report = VerifyNow();
  EXPECT_EQ(report.problem, ChainProblem::kHashMismatch) << report.ToText();
  EXPECT_EQ(report.broken_seq, 17);
  EXPECT_EQ(report.entries_checked, 16);
  EXPECT_NE(report.ToText().find("BROKEN at seq 17 (hash_mismatch)"), std::string::npos)
      << report.ToText();
}

TEST_P(AuditTest, ARewrittenHashBreaksTheNextLink) {
  RecordSome(10);
  // A forger edits entry 4 and stores the hash that matches the edit: entry 5 no longer links.
  Sql("UPDATE audit_log SET target = 'resident:1' WHERE seq = 4");
  auto row = database_->Read([](storage::Connection& connection) {
    return connection.Query(
        "SELECT seq, at, actor, action, target, detail, client, request_id, prev_hash "
        "FROM audit_log WHERE seq = 4");
  });
  ASSERT_TRUE(row && row->size() == 1);
  const audit::internal::ChainFields fields{row->Int(0, 0),  row->Int(0, 1),  row->Text(0, 2),
                                            row->Text(0, 3), row->Text(0, 4), row->Text(0, 5),
                                            row->Text(0, 6), row->Text(0, 7)};
  const std::string forged =
      audit::internal::ChainHash(row->Text(0, 8), audit::internal::CanonicalForm(fields));
  Sql("UPDATE audit_log SET hash = '" + forged + "' WHERE seq = 4");
  const auto report = VerifyNow();
  EXPECT_EQ(report.problem, ChainProblem::kPrevHashMismatch) << report.ToText();
  EXPECT_EQ(report.broken_seq, 5);
}

TEST_P(AuditTest, ADeletedEntryIsAGap) {
  RecordSome(30);
  Sql("DELETE FROM audit_log WHERE seq = 12");
  const auto report = VerifyNow();
  EXPECT_EQ(report.problem, ChainProblem::kGap) << report.ToText();
  EXPECT_EQ(report.broken_seq, 12);
}

TEST_P(AuditTest, RemovingTheNewestEntriesIsSeenThroughTheTail) {
  RecordSome(30);
  Sql("DELETE FROM audit_log WHERE seq >= 28");
  const auto report = VerifyNow();
  EXPECT_EQ(report.problem, ChainProblem::kTailMismatch) << report.ToText();
  EXPECT_EQ(report.broken_seq, 28);
}

TEST_P(AuditTest, TheChainContinuesAcrossLogInstances) {
  RecordSome(5);
  RecordSome(5);  // a new AuditLog (a restart) continues at seq 6, linked to entry 5
  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok()) << report.ToText();
  EXPECT_EQ(report.last_seq, 10);
}

TEST_P(AuditTest, TwoWritersOnOneDatabaseShareOneChain) {
  // Two Database objects on one URL behave as two processes would: separate connections,
  // separate writer threads, one audit_tail row between them.
  auto other = Open();
  ASSERT_TRUE(other);
  constexpr int kEach = 600;
  {
    AuditLogOptions options;
    options.batch_size = 7;  // many small batches, so the two writers interleave
    AuditLog first(*database_, clock_, options);
    AuditLog second(*other, clock_, options);
    std::thread a([&] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(first.Record(Entry("user:1", "a.x", "", i)));
    });
    std::thread b([&] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(second.Record(Entry("user:2", "b.x", "", i)));
    });
    a.join();
    b.join();
    ASSERT_TRUE(first.Flush());
    ASSERT_TRUE(second.Flush());
    // Whether the racing writers above interleaved depends on timing; these turns always do.
    for (int turn = 0; turn < 10; ++turn) {
      ASSERT_TRUE(first.Record(Entry("user:1", "a.x", "", kEach + turn)));
      ASSERT_TRUE(first.Flush());
      ASSERT_TRUE(second.Record(Entry("user:2", "b.x", "", kEach + turn)));
      ASSERT_TRUE(second.Flush());
    }
  }
  const auto report = VerifyNow();
  EXPECT_TRUE(report.ok()) << report.ToText();
  EXPECT_EQ(report.entries_checked, 2 * kEach + 20);
  auto switches = database_->Read([](storage::Connection& connection) {
    return connection.QueryInt(
        "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 "
        "WHERE a.actor <> b.actor");
  });
  ASSERT_TRUE(switches);
  EXPECT_GE(switches->value_or(0), 19);
}

TEST_P(AuditTest, SearchFiltersAndPagesNewestFirst) {
  {
    AuditLog log(*database_, clock_);
    const char* actions[] = {"resident.view", "resident.update", "pii.unmask", "login.success"};
    for (int i = 1; i <= 40; ++i) {
      AuditEntry entry = Entry("user:" + std::to_string(i % 2), actions[i % 4],
                               "resident:" + std::to_string(i % 5), i);
      entry.at_millis = kNow + i * 1000;
      ASSERT_TRUE(log.Record(std::move(entry)));
    }
    ASSERT_TRUE(log.Flush());
  }
  auto seqs = [](const std::vector<AuditEntry>& entries) {
    std::vector<int64_t> out;
    for (const auto& entry : entries) out.push_back(entry.seq);
    return out;
  };

  AuditFilter filter;
  filter.limit = 5;
  auto page = Find(filter);
  EXPECT_EQ(seqs(page), (std::vector<int64_t>{40, 39, 38, 37, 36}));
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(page[0].detail["n"], 40);
  EXPECT_EQ(page[0].detail["purpose"], "核查");
  EXPECT_EQ(page[0].client, "203.0.113.5");
  EXPECT_EQ(page[0].request_id, "req-40");
  EXPECT_EQ(page[0].at_millis, kNow + 40000);
  EXPECT_EQ(page[0].prev_hash, page[1].hash);
  filter.before_seq = page.back().seq;
  EXPECT_EQ(seqs(Find(filter)), (std::vector<int64_t>{35, 34, 33, 32, 31}));

  AuditFilter by_actor;
  by_actor.actor = "user:1";
  by_actor.limit = 100;
  const auto odd = Find(by_actor);
  EXPECT_EQ(odd.size(), 20u);
  for (const auto& entry : odd) EXPECT_EQ(entry.seq % 2, 1);

  AuditFilter by_action;
  by_action.action = "pii.unmask";
  by_action.limit = 100;
  EXPECT_EQ(Find(by_action).size(), 10u);
  by_action.action = "resident.";  // a prefix: view and update
  EXPECT_EQ(Find(by_action).size(), 20u);

  AuditFilter by_target;
  by_target.target = "resident:3";
  by_target.limit = 100;
  EXPECT_EQ(seqs(Find(by_target)), (std::vector<int64_t>{38, 33, 28, 23, 18, 13, 8, 3}));

  AuditFilter by_time;
  by_time.from_millis = kNow + 10000;
  by_time.to_millis = kNow + 13000;  // exclusive
  EXPECT_EQ(seqs(Find(by_time)), (std::vector<int64_t>{12, 11, 10}));

  AuditFilter combined;
  combined.actor = "user:0";
  combined.action = "resident.";
  combined.target = "resident:0";
  combined.limit = 100;
  // Even i, i % 4 in {0, 1} -> i % 4 == 0 -> action resident.view; i % 5 == 0: i in {20, 40}.
  EXPECT_EQ(seqs(Find(combined)), (std::vector<int64_t>{40, 20}));

  AuditFilter bad;
  bad.limit = 0;
  auto refused = database_->Read(
      [&](storage::Connection& connection) { return audit::Search(connection, bad); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(AuditTest, AFullQueueRefusesRatherThanDrops) {
  AuditLogOptions options;
  options.queue_capacity = 2;
  options.batch_size = 1;
  options.max_block = std::chrono::milliseconds(20);
  AuditLog log(*database_, clock_, options);
  // Another transaction holds the tail row (and on SQLite the writer path), so the log's writer
  // stalls on its first batch as it would with a stuck database.
  std::promise<void> holding;
  std::promise<void> release;
  std::thread holder([&] {
    auto held = database_->Write({"system:test", storage::Source::kCli},
                                 [&](storage::WriteTransaction& transaction) -> Status {
                                   STEWARD_TRY(transaction.connection().Execute(
                                       "UPDATE audit_tail SET last_seq = last_seq WHERE id = 1"));
                                   holding.set_value();
                                   release.get_future().wait();
                                   return Ok();
                                 });
    EXPECT_TRUE(held) << held.error().ToString();
  });
  holding.get_future().wait();
  int accepted = 0;
  Status refused = Ok();
  for (int i = 0; i < 10 && refused; ++i) {
    refused = log.Record(Entry("user:1", "resident.view", "resident:1", i));
    if (refused) ++accepted;
  }
  ASSERT_FALSE(refused) << "a full queue never refused";
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_GE(accepted, 2);  // the queue's capacity, plus the batch the writer may hold
  EXPECT_LE(accepted, 3);
  release.set_value();
  holder.join();
  ASSERT_TRUE(log.Flush());
  EXPECT_EQ(log.written(), accepted);  // everything accepted is written
  EXPECT_EQ(VerifyNow().last_seq, accepted);
}

TEST_P(AuditTest, InvalidTextIsRepairedNotRefused) {
  AuditLog log(*database_, clock_);
  AuditEntry entry = Entry("user:1", "resident.list", "", 1);
  entry.detail["query"] = std::string("name=\xff\xfe");
  entry.client = std::string("bad\0client", 10);
  ASSERT_TRUE(log.Record(std::move(entry)));
  ASSERT_TRUE(log.Flush());
  EXPECT_TRUE(VerifyNow().ok());
  AuditFilter filter;
  const auto found = Find(filter);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].client,
            "bad\xEF\xBF\xBD"
            "client");
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
