// The database layer on both engines: migrations, the write path and the change log.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/change_log.hpp"
#include "storage/migrations.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Engine;
using storage::WriteContext;
using storage::WriteTransaction;

class StorageTest : public ::testing::TestWithParam<Engine> {
 protected:
  FakeClock clock_{1795797000000};
};

TEST_P(StorageTest, MigrationsApplyOnceAndRecordTheirVersion) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  auto version = storage::SchemaVersion(*database);
  ASSERT_TRUE(version) << version.error().ToString();
  EXPECT_EQ(*version, storage::LatestSchemaVersion());
  auto again = storage::Migrate(*database);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->applied.empty());
}

TEST_P(StorageTest, FailedWriteRollsBackEverythingIncludingTheChangeLog) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  auto failed = database->Write(WriteContext{}, [](WriteTransaction& transaction) -> Status {
    STEWARD_TRY(
        transaction.connection().Execute("INSERT INTO meta (key, value) VALUES ('a', '1')"));
    transaction.RecordChange(ChangeRecord{"meta", 1, 1, ChangeOp::kCreate, {}});
    return Fail(ErrorCode::kInvalidArgument, "refused");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "refused");
  auto counts = database->Read([](storage::Connection& connection) -> Result<int64_t> {
    STEWARD_ASSIGN_OR_RETURN(auto meta, connection.QueryInt("SELECT count(*) FROM meta"));
    STEWARD_ASSIGN_OR_RETURN(auto log, connection.QueryInt("SELECT count(*) FROM change_log"));
    STEWARD_ASSIGN_OR_RETURN(auto last, storage::LastChangeSeq(connection));
    return *meta + *log + last;
  });
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, 0);
}

// What the API's answer caches rely on: the generation moves after every write that recorded
// changes in this process, and after another process's writes once PollChanges() looks.
TEST_P(StorageTest, GenerationMovesWithRecordedWritesHereAndElsewhere) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->PollChanges());
  const uint64_t start = database->generation();
  auto write = [](storage::Database& db, const std::string& key, bool record) {
    return db.Write(WriteContext{}, [&](WriteTransaction& transaction) -> Status {
      STEWARD_TRY(
          transaction.connection().Execute("INSERT INTO meta (key, value) VALUES (?, '1')", {key}));
      if (record) transaction.RecordChange(ChangeRecord{"meta", 1, 1, ChangeOp::kCreate, {}});
      return Ok();
    });
  };
  ASSERT_TRUE(write(*database, "unrecorded", false));
  EXPECT_EQ(database->generation(), start) << "a write without changes";
  ASSERT_TRUE(write(*database, "recorded", true));
  const uint64_t after_write = database->generation();
  EXPECT_GT(after_write, start);
  ASSERT_TRUE(database->PollChanges());
  EXPECT_EQ(database->generation(), after_write) << "the poll saw our own write again";
  auto refused = database->Write(WriteContext{}, [](WriteTransaction& transaction) -> Status {
    transaction.RecordChange(ChangeRecord{"meta", 2, 1, ChangeOp::kCreate, {}});
    return Fail(ErrorCode::kInvalidArgument, "refused");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(database->generation(), after_write) << "a rolled-back write";

  // Another process's write, seen only when polled; a poll that finds nothing new moves nothing.
  ASSERT_TRUE(database->PollChanges());
  const uint64_t polled = database->generation();
  ASSERT_TRUE(database->PollChanges());
  EXPECT_EQ(database->generation(), polled);
  auto other = storage::Database::Open(database->url(), clock_);
  ASSERT_TRUE(other) << other.error().ToString();
  ASSERT_TRUE(write(**other, "elsewhere", true));
  EXPECT_EQ(database->generation(), polled);
  ASSERT_TRUE(database->PollChanges());
  EXPECT_GT(database->generation(), polled);
}

TEST_P(StorageTest, UniqueViolationIsAlreadyExistsAndEchoesNoValues) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  auto insert = [&](std::string value) {
    return database->Write(WriteContext{}, [&](WriteTransaction& transaction) -> Status {
      STEWARD_TRY(transaction.connection().Execute(
          "INSERT INTO meta (key, value) VALUES ('secret-key-13800138000', ?)", {value}));
      return Ok();
    });
  };
  ASSERT_TRUE(insert("x"));
  auto second = insert("y");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(second.error().message.find("13800138000"), std::string::npos)
      << second.error().message;
}

TEST_P(StorageTest, BulkInsertRoundTripsAwkwardText) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  const std::string awkward = "tab\there\nnew line \\ backslash '引号' \"quote\" 中文";
  auto written = database->Write(WriteContext{}, [&](WriteTransaction& transaction) -> Status {
    static constexpr std::string_view kColumns[] = {"key", "value"};
    STEWARD_ASSIGN_OR_RETURN(auto bulk, transaction.connection().BeginBulkInsert("meta", kColumns));
    const storage::Value row[] = {"awkward", std::string_view(awkward)};
    STEWARD_TRY(bulk->Add(row));
    return bulk->Finish();
  });
  ASSERT_TRUE(written) << written.error().ToString();
  auto rows = database->Read([](storage::Connection& connection) {
    return connection.Query("SELECT value FROM meta WHERE key = ?", {"awkward"});
  });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->Text(0, 0), awkward);
}

TEST_P(StorageTest, ChangeLogRecordsWhoWhenSourceAndFieldsInOrder) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  const WriteContext context{"user:42", storage::Source::kConsole};
  auto last = database->Write(context, [](WriteTransaction& transaction) -> Status {
    transaction.RecordChange(ChangeRecord{"meta", 7, 1, ChangeOp::kCreate, {{"value", "a"}}});
    transaction.RecordChange(
        ChangeRecord{"meta", 7, 2, ChangeOp::kUpdate, {{"value", {{"old", "a"}, {"new", "b"}}}}});
    return Ok();
  });
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, 2);
  auto history = database->Read(
      [](storage::Connection& connection) { return storage::ReadHistory(connection, "meta", 7); });
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].seq, 1);
  EXPECT_EQ((*history)[0].actor, "user:42");
  EXPECT_EQ((*history)[0].source, "console");
  EXPECT_EQ((*history)[0].at_millis, clock_.NowMillis());
  EXPECT_EQ((*history)[1].op, "update");
  EXPECT_EQ((*history)[1].version, 2);
  EXPECT_EQ((*history)[1].fields["value"]["new"], "b");
}

// Writers commit concurrently (on PostgreSQL really in parallel; on SQLite through the single
// writer path) while a reader follows the log with a cursor. The reader must see every sequence
// number exactly once and never a gap that fills in later.
TEST_P(StorageTest, ChangeLogCursorNeverMissesARowWithConcurrentWriters) {
  storage::DatabaseOptions options;
  options.read_connections = 2;
  options.write_connections = 6;
  auto database = testing::OpenFreshDatabase(GetParam(), clock_, options);
  ASSERT_TRUE(database);
  constexpr int kWriters = 6;
  constexpr int kWritesEach = 60;
  std::atomic<bool> failed{false};
  std::atomic<int> writers_done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kWritesEach && !failed; ++i) {
        auto result =
            database->Write(WriteContext{"system:test", storage::Source::kCli},
                            [&](WriteTransaction& transaction) -> Status {
                              // Writes of different lengths, so commits interleave in varied
                              // orders.
                              for (int k = 0; k <= (w + i) % 3; ++k) {
                                transaction.RecordChange(ChangeRecord{
                                    "meta", w * 1000 + i, k + 1, ChangeOp::kUpdate, {{"k", k}}});
                              }
                              if ((w + i) % 4 == 0)
                                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                              return Ok();
                            });
        if (!result) failed = true;
      }
      ++writers_done;
    });
  }
  int64_t cursor = 0;
  int64_t expected_total = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kWritesEach; ++i) expected_total += (w + i) % 3 + 1;
  }
  bool gap = false;
  for (;;) {
    const bool finished = writers_done == kWriters;
    auto batch = database->Read([&](storage::Connection& connection) {
      return storage::ReadChangesSince(connection, cursor, 50);
    });
    ASSERT_TRUE(batch) << batch.error().ToString();
    for (const auto& entry : *batch) {
      if (entry.seq != cursor + 1) gap = true;
      cursor = entry.seq;
    }
    if (finished && batch->empty()) break;
  }
  for (auto& writer : writers) writer.join();
  EXPECT_FALSE(failed);
  EXPECT_FALSE(gap) << "the reader saw a gap in the change log";
  EXPECT_EQ(cursor, expected_total);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
