// The API's job runner on both engines: old jobs leave with their files (they hold personal data).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "base/id.hpp"
#include "http/jobs.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

class JobsTest : public ::testing::TestWithParam<storage::Engine> {
 protected:
  FakeClock clock_{1795797000000};
  IdGenerator ids_{clock_, 1};
};

TEST_P(JobsTest, JobsUntouchedForTheRetentionAreDeletedWithTheirFiles) {
  auto database = testing::OpenFreshDatabase(GetParam(), clock_);
  ASSERT_TRUE(database);
  // A user to own the jobs (api_job.user_id references app_user).
  ASSERT_TRUE(database->Write({}, [](storage::WriteTransaction& transaction) -> Status {
    return transaction.connection()
        .Execute(
            "INSERT INTO app_user (id, login, display_name, password_hash, disabled, "
            "must_change_password, failed_logins, version, created_at, updated_at) "
            "VALUES (7, 'owner', '', 'x', 0, 0, 0, 1, 0, 0)")
        .map([](int64_t) {});
  }));
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "jobs";
  http::JobRunner runner(*database, ids_, clock_, dir, std::chrono::hours(24 * 7));
  ASSERT_TRUE(runner.Start());
  auto make = [&](const char* name) {
    http::Job job;
    job.kind = "export_residents";
    job.state = "done";
    job.step = "export";
    job.user_id = 7;
    job.file_name = name;
    auto created = runner.Create(job);
    EXPECT_TRUE(created) << created.error().ToString();
    std::ofstream(runner.JobDir(created->id) / "export.xlsx") << "personal data";
    return created->id;
  };
  const Id old_job = make("old.xlsx");
  clock_.Advance(std::chrono::milliseconds(std::chrono::hours(24 * 6)).count());
  const Id recent_job = make("recent.xlsx");
  clock_.Advance(std::chrono::milliseconds(std::chrono::hours(24 * 2)).count());

  auto purged = runner.Purge();
  ASSERT_TRUE(purged) << purged.error().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(std::filesystem::exists(runner.JobDir(old_job)));
  EXPECT_TRUE(std::filesystem::exists(runner.JobDir(recent_job) / "export.xlsx"));
  auto gone = runner.Get(old_job);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto kept = runner.Get(recent_job);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->has_value());
}

INSTANTIATE_TEST_SUITE_P(Engines, JobsTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
