#include "http/jobs.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace steward::http {
namespace {

const storage::WriteContext kJobContext{"system:jobs", storage::Source::kConsole};

constexpr std::string_view kColumns =
    "id, kind, state, step, user_id, file_name, input_path, output_path, options, progress, "
    "rows_done, result, error, created_at, updated_at";

Job JobFrom(const storage::Rows& rows, size_t i) {
  Job job;
  job.id = rows.Int(i, 0);
  job.kind = rows.Text(i, 1);
  job.state = rows.Text(i, 2);
  job.step = rows.Text(i, 3);
  job.user_id = rows.Int(i, 4);
  job.file_name = rows.Text(i, 5);
  job.input_path = rows.OptText(i, 6).value_or("");
  job.output_path = rows.OptText(i, 7).value_or("");
  job.options = nlohmann::json::parse(rows.Text(i, 8), nullptr, false);
  if (job.options.is_discarded()) job.options = nlohmann::json::object();
  job.progress = rows.Real(i, 9);
  job.rows_done = rows.Int(i, 10);
  if (auto result = rows.OptText(i, 11)) {
    job.result = nlohmann::json::parse(*result, nullptr, false);
    if (job.result.is_discarded()) job.result = nullptr;
  }
  job.error = rows.OptText(i, 12).value_or("");
  job.created_at = rows.Int(i, 13);
  job.updated_at = rows.Int(i, 14);
  return job;
}

}  // namespace

nlohmann::json Job::ToJson() const {
  return {{"id", std::to_string(id)},
          {"kind", kind},
          {"state", state},
          {"step", step},
          {"file_name", file_name},
          {"options", options},
          {"progress", progress},
          {"rows", rows_done},
          {"result", result},
          {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

// The running step's view of its job; progress goes to memory (readers overlay it), not to the
// database, so reporting often costs nothing.
class JobRunner::Progress final : public JobProgress {
 public:
  explicit Progress(JobRunner& runner) : runner_(runner) {}
  void Report(double fraction, int64_t rows) override {
    {
      std::lock_guard lock(runner_.mutex_);
      runner_.running_progress_ = std::clamp(fraction, 0.0, 1.0);
      runner_.running_rows_ = rows;
      ++runner_.changes_;
    }
    runner_.changed_.notify_all();
  }
  bool cancelled() const override {
    std::lock_guard lock(runner_.mutex_);
    return runner_.stopping_;
  }

 private:
  JobRunner& runner_;
};

JobRunner::JobRunner(storage::Database& database, IdGenerator& ids, const Clock& clock,
                     std::filesystem::path dir, std::chrono::milliseconds retention)
    : database_(database), ids_(ids), clock_(clock), dir_(std::move(dir)), retention_(retention) {}

JobRunner::~JobRunner() { Stop(); }

Result<int64_t> JobRunner::Start() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create the jobs folder " + dir_.string() + ": " + ec.message());
  }
  int64_t failed = 0;
  STEWARD_TRY(database_.Write(kJobContext, [&](storage::WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        failed, transaction.connection().Execute(
                    "UPDATE api_job SET state = 'failed', error = ?, updated_at = ? "
                    "WHERE state = 'running'",
                    {"服务在任务运行时停止，任务未完成；导入已写入的行已回滚，请重新提交 / the "
                     "server stopped while the job ran; rows an import had written were rolled "
                     "back, submit it again",
                     clock_.NowMillis()}));
    return Ok();
  }));
  if (failed > 0) spdlog::warn("jobs: {} job(s) left running by an earlier process failed", failed);
  if (auto purged = Purge(); !purged) {
    spdlog::warn("jobs: cannot purge old jobs: {}", purged.error().ToString());
  }
  {
    std::lock_guard lock(mutex_);
    if (started_) return Fail(ErrorCode::kFailedPrecondition, "job runner already started");
    started_ = true;
  }
  thread_ = std::thread([this] { Loop(); });
  return failed;
}

void JobRunner::Stop() {
  std::deque<Queued> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
    ++changes_;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& queued : dropped) {
    auto finished = Finish(queued.id, "cancelled", nullptr,
                           "服务停止，任务未运行 / the server stopped before the job ran", 0, 0);
    if (!finished) spdlog::error("jobs: job {}: {}", queued.id, finished.error().ToString());
  }
}

std::filesystem::path JobRunner::JobDir(Id id) const { return dir_ / std::to_string(id); }

Result<Job> JobRunner::Create(Job job) {
  job.id = ids_.Next();
  job.created_at = job.updated_at = clock_.NowMillis();
  if (job.state.empty()) job.state = "uploaded";
  std::error_code ec;
  std::filesystem::create_directories(JobDir(job.id), ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create a job folder: " + ec.message());
  const std::string options = job.options.dump();
  STEWARD_TRY(database_.Write(kJobContext, [&](storage::WriteTransaction& transaction) -> Status {
    return transaction.connection()
        .Execute(
            "INSERT INTO api_job (id, kind, state, step, user_id, file_name, input_path, "
            "output_path, options, progress, rows_done, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0.0, 0, ?, ?)",
            {job.id, job.kind, job.state, job.step, job.user_id, job.file_name, job.input_path,
             job.output_path, options, job.created_at, job.updated_at})
        .map([](int64_t) {});
  }));
  return job;
}

Result<std::optional<Job>> JobRunner::Get(Id id) {
  STEWARD_ASSIGN_OR_RETURN(auto rows, database_.Read([&](storage::Connection& connection) {
    return connection.Query("SELECT " + std::string(kColumns) + " FROM api_job WHERE id = ?", {id});
  }));
  if (rows.empty()) return std::optional<Job>();
  Job job = JobFrom(rows, 0);
  std::lock_guard lock(mutex_);
  if (running_id_ == id && job.running()) {
    job.progress = running_progress_;
    job.rows_done = running_rows_;
  }
  return std::optional<Job>(std::move(job));
}

Status JobRunner::Save(const Job& job) {
  const std::string options = job.options.dump();
  return database_
      .Write(kJobContext,
             [&](storage::WriteTransaction& transaction) -> Status {
               return transaction.connection()
                   .Execute(
                       "UPDATE api_job SET file_name = ?, input_path = ?, output_path = ?, "
                       "options = ?, updated_at = ? WHERE id = ?",
                       {job.file_name, job.input_path, job.output_path, options, clock_.NowMillis(),
                        job.id})
                   .map([](int64_t) {});
             })
      .map([](int64_t) {});
}

Status JobRunner::Submit(Id id, std::string step, JobWork work) {
  std::unique_lock lock(mutex_);
  if (stopping_ || !started_) {
    return Fail(ErrorCode::kUnavailable, "服务正在停止 / the server is stopping");
  }
  const bool queued = running_id_ == id || std::any_of(queue_.begin(), queue_.end(),
                                                       [&](const Queued& q) { return q.id == id; });
  if (queued) return Fail(ErrorCode::kConflict, "任务正在运行 / the job is already running");
  // Marked running before it is queued, so a reader never sees it idle in between; the lock
  // keeps a second Submit of the same job out meanwhile.
  int64_t changed = 0;
  STEWARD_TRY(database_.Write(kJobContext, [&](storage::WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(changed,
                             transaction.connection().Execute(
                                 "UPDATE api_job SET state = 'running', step = ?, "
                                 "progress = 0.0, rows_done = 0, result = NULL, error = NULL, "
                                 "updated_at = ? WHERE id = ? AND state <> 'running'",
                                 {step, clock_.NowMillis(), id}));
    return Ok();
  }));
  if (changed != 1) return Fail(ErrorCode::kConflict, "任务正在运行 / the job is already running");
  queue_.push_back(Queued{id, std::move(work)});
  ++changes_;
  lock.unlock();
  changed_.notify_all();
  return Ok();
}

uint64_t JobRunner::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

uint64_t JobRunner::WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return changes_ != seen || stopping_; });
  return changes_;
}

void JobRunner::Bump() {
  {
    std::lock_guard lock(mutex_);
    ++changes_;
  }
  changed_.notify_all();
}

Result<int64_t> JobRunner::Purge() {
  const int64_t cutoff = clock_.NowMillis() - retention_.count();
  std::vector<Id> old;
  STEWARD_TRY(database_.Read([&](storage::Connection& connection) {
    const storage::Value params[] = {cutoff};
    return connection.QueryEach(
        "SELECT id FROM api_job WHERE state <> 'running' AND updated_at < ?", params,
        [&](const storage::RowView& row) { old.push_back(row.Int(0)); });
  }));
  int64_t purged = 0;
  for (Id id : old) {
    {
      std::lock_guard lock(mutex_);
      const bool busy =
          running_id_ == id ||
          std::any_of(queue_.begin(), queue_.end(), [&](const Queued& q) { return q.id == id; });
      if (busy) continue;
    }
    std::error_code ignored;
    std::filesystem::remove_all(JobDir(id), ignored);
    STEWARD_TRY(database_.Write(kJobContext, [&](storage::WriteTransaction& transaction) -> Status {
      return transaction.connection()
          .Execute("DELETE FROM api_job WHERE id = ? AND state <> 'running' AND updated_at < ?",
                   {id, cutoff})
          .map([](int64_t) {});
    }));
    ++purged;
  }
  if (purged > 0) spdlog::info("jobs: purged {} job(s) older than the retention", purged);
  return purged;
}

void JobRunner::Loop() {
  auto next_purge = std::chrono::steady_clock::now() + std::chrono::hours(1);
  for (;;) {
    Queued next;
    {
      std::unique_lock lock(mutex_);
      changed_.wait_until(lock, next_purge, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;  // Stop() cancels what is queued
      if (queue_.empty()) {
        lock.unlock();
        if (auto purged = Purge(); !purged) {
          spdlog::warn("jobs: cannot purge old jobs: {}", purged.error().ToString());
        }
        next_purge = std::chrono::steady_clock::now() + std::chrono::hours(1);
        continue;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
      running_id_ = next.id;
      running_progress_ = 0;
      running_rows_ = 0;
    }
    RunOne(std::move(next));
  }
}

void JobRunner::RunOne(Queued queued) {
  Progress progress(*this);
  Result<nlohmann::json> result = Fail(ErrorCode::kInternal, "the job did not run");
  try {
    result = queued.work(progress);
  } catch (const std::exception& e) {
    spdlog::error("jobs: job {} threw: {}", queued.id, e.what());
  }
  double fraction;
  int64_t rows;
  {
    std::lock_guard lock(mutex_);
    fraction = running_progress_;
    rows = running_rows_;
  }
  Status finished = Ok();
  if (result) {
    finished = Finish(queued.id, "done", *result, "", 1.0, rows);
  } else if (progress.cancelled()) {
    finished = Finish(queued.id, "cancelled", nullptr,
                      "服务停止，任务已取消（导入已写入的行已回滚）/ the server stopped; the job "
                      "was cancelled (rows an import had written were rolled back)",
                      fraction, rows);
  } else {
    if (result.error().code == ErrorCode::kInternal) {
      spdlog::error("jobs: job {} failed: {}", queued.id, result.error().ToString());
    }
    finished = Finish(queued.id, "failed", nullptr, result.error().message, fraction, rows);
  }
  if (!finished) spdlog::error("jobs: job {}: {}", queued.id, finished.error().ToString());
  {
    std::lock_guard lock(mutex_);
    running_id_.reset();
  }
  Bump();
}

Status JobRunner::Finish(Id id, std::string state, const nlohmann::json& result, std::string error,
                         double progress, int64_t rows) {
  const storage::Value result_value =
      result.is_null() ? storage::Value(nullptr) : storage::Value(result.dump());
  const storage::Value error_value =
      error.empty() ? storage::Value(nullptr) : storage::Value(std::move(error));
  return database_
      .Write(kJobContext,
             [&](storage::WriteTransaction& transaction) -> Status {
               return transaction.connection()
                   .Execute(
                       "UPDATE api_job SET state = ?, progress = ?, rows_done = ?, "
                       "result = ?, error = ?, updated_at = ? WHERE id = ?",
                       {state, progress, rows, result_value, error_value, clock_.NowMillis(), id})
                   .map([](int64_t) {});
             })
      .map([](int64_t) {});
}

}  // namespace steward::http
