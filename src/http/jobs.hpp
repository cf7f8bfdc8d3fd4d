// Background jobs of the API: resident imports and exports, run off the request path.
//
// What for: an import of a city's sheet takes minutes; a request must not. A handler creates a
// job (a row of api_job, migration 0006), and Submit()s a step of work (an import's dry run or
// commit, an export); one background thread runs the steps in order, and handlers read a job's
// state, step and progress with Get() and follow it with WaitForChange() (Server-Sent Events).
// The runner knows nothing of imports or exports: a step is a function that reports progress,
// watches `cancelled()` and returns its result as JSON (or an error, kept as the job's text).
// Each job has a folder (JobDir) under the runner's folder for its upload, report or export.
//
// Life cycle: Start() marks the jobs an earlier process left `running` as failed (the import's
// own half-applied rows are rolled back by registry::RecoverInterruptedImports, which `steward
// serve` runs first), purges old jobs (below) and starts the thread. Stop() takes no more work,
// asks the running step to cancel (an import stops between chunks and rolls itself back), marks it
// and any queued step `cancelled`, and joins the thread. The destructor stops.
//
// States: uploaded (an import waiting for its dry run or commit) -> running -> done | failed |
// cancelled; an import may run again (another dry run, then the commit) from done or failed, but
// never after a committed step finished (done) and never while running.
//
// Retention: uploads, reports and exports hold personal data, so a job not running or queued and
// untouched for `retention` (default 7 days) is deleted with its folder: at Start() and then
// hourly while the runner lives (Purge()).
//
// Ownership: the caller owns the runner and what it references (database, clock, ids), which
// outlive it. Threads: every method is thread-safe; steps run on the runner's one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "storage/database.hpp"

namespace steward::http {

struct Job {
  Id id = 0;
  std::string kind;         // import_residents | export_residents
  std::string state;        // uploaded | running | done | failed | cancelled
  std::string step;         // preview | dry_run | commit | export
  Id user_id = 0;           // the owner: only they see the job
  std::string file_name;    // as uploaded (imports), or the download's name (exports)
  std::string input_path;   // the stored upload
  std::string output_path;  // the report workbook (imports) or the exported file
  nlohmann::json options = nlohmann::json::object();
  double progress = 0;  // 0..1 of the current step
  int64_t rows_done = 0;
  nlohmann::json result;  // the last finished step's result; null before
  std::string error;      // why the last step failed or was cancelled ("中文 / English")
  int64_t created_at = 0;
  int64_t updated_at = 0;

  bool running() const { return state == "running"; }
  bool finished() const { return state == "done" || state == "failed" || state == "cancelled"; }
  // The API's shape: ids as strings, no paths.
  nlohmann::json ToJson() const;
};

// What a running step sees of its job.
class JobProgress {
 public:
  // Progress of the step (0..1) and rows handled so far; cheap, call it often.
  virtual void Report(double fraction, int64_t rows) = 0;
  // True once the runner is stopping: return an error soon (imports roll themselves back).
  virtual bool cancelled() const = 0;

 protected:
  ~JobProgress() = default;
};

// One step of work; its result becomes the job's `result`.
using JobWork = std::function<Result<nlohmann::json>(JobProgress&)>;

class JobRunner {
 public:
  JobRunner(storage::Database& database, IdGenerator& ids, const Clock& clock,
            std::filesystem::path dir,
            std::chrono::milliseconds retention = std::chrono::hours(24 * 7));
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Creates the folder, fails the jobs left running, starts the thread. Returns how many jobs
  // were failed. Call once.
  Result<int64_t> Start();
  // Idempotent; see the contract above. Returns once the running step has ended.
  void Stop();
  // Deletes the jobs (rows and folders) neither running nor queued whose last change is older
  // than the retention. Returns how many.
  Result<int64_t> Purge();

  const std::filesystem::path& dir() const { return dir_; }
  // A job's own folder (created by Create).
  std::filesystem::path JobDir(Id id) const;

  // Stores a new job (id, times filled in; state as given, "uploaded" when empty).
  Result<Job> Create(Job job);
  // The job with its live progress, or nullopt.
  Result<std::optional<Job>> Get(Id id);
  // Saves the fields a handler may change before a step runs: file paths and options.
  Status Save(const Job& job);
  // Queues a step: the job becomes `running` with `step` and progress 0. kConflict while it runs
  // or is queued; kUnavailable once stopping.
  Status Submit(Id id, std::string step, JobWork work);

  // A counter that moves whenever a job's progress or state changes. WaitForChange blocks until
  // it moves past `seen` or `timeout` passes, and returns its value.
  uint64_t changes() const;
  uint64_t WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  struct Queued {
    Id id;
    JobWork work;
  };
  class Progress;

  void Loop();
  void RunOne(Queued queued);
  Status Finish(Id id, std::string state, const nlohmann::json& result, std::string error,
                double progress, int64_t rows);
  void Bump();

  storage::Database& database_;
  IdGenerator& ids_;
  const Clock& clock_;
  const std::filesystem::path dir_;
  const std::chrono::milliseconds retention_;

  // Guarded by mutex_.
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;  // queue, stop flag and `changes_`
  std::deque<Queued> queue_;
  std::optional<Id> running_id_;
  double running_progress_ = 0;
  int64_t running_rows_ = 0;
  uint64_t changes_ = 0;
  bool stopping_ = false;
  bool started_ = false;

  std::thread thread_;
};

}  // namespace steward::http
