// AuditLog: the append-only, hash-chained record of who saw or changed what (issue 4, "Audit log").
//
// What is recorded: every write; every detail view of a resident; every unmask and every export
// (who, when, which records or which query, which fields, purpose, client address). A list request
// is one entry naming its query, never one entry per row. Entries never hold personal data in plain
// form: `target` names record ids ("resident:123"), and free text such as a query string goes
// through MaskForAudit (audit/mask.hpp) first.
//
// How it is written: Record() hands the entry to an in-memory queue and returns; one writer thread
// per AuditLog drains the queue in batches, each batch in ONE write transaction on the database's
// writer path (storage::Database::Write; audit rows are not change-log changes). Inside that
// transaction the batch first updates the single row of `audit_tail` (last_seq, last_hash): that
// row lock orders batches of concurrent writers (several processes on one PostgreSQL database),
// so sequence numbers stay dense in commit order and every entry links to the one committed just
// before it; SQLite has one writer at a time anyway. Each entry gets
//   seq = previous seq + 1,  prev_hash = previous entry's hash,
//   hash = SHA-256(prev_hash "\n" canonical form)    (audit/internal/chain.hpp).
// Verify (audit/verify.hpp) recomputes the chain; Search (audit/search.hpp) reads it.
//
// Back-pressure, never loss: the queue is bounded (AuditLogOptions::queue_capacity). When it is
// full, Record blocks until the writer makes room, at most `max_block`; if the queue is still full
// then (the database has been unreachable for a while), Record returns kUnavailable and the caller
// must refuse the request rather than perform it unaudited. A batch that fails to commit stays in
// memory and is retried (with back-off) until it commits; nothing accepted by Record is dropped
// while the log is running. The destructor stops accepting, writes what is queued (retrying a few
// times) and only if the database stays unreachable logs how many entries were lost.
//
// Ownership: the AuditLog borrows `database` and `clock`, which must outlive it.
// Thread-safety: Record and Flush may be called from any number of threads at once. The queue and
// counters are guarded by `mutex_`; the writer thread alone touches `in_flight_` outside the lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "storage/database.hpp"

namespace steward::audit {

// One entry of the audit log. Callers fill the "what" fields; the log assigns seq and the hashes.
struct AuditEntry {
  int64_t seq = 0;        // assigned when written: dense from 1
  int64_t at_millis = 0;  // when it happened, epoch ms; 0 = the log's clock at Record
  std::string actor;      // "user:<id>" or "system:<component>"
  // What was done, "<domain>.<verb>": resident.view, resident.list, resident.create,
  // resident.update, resident.delete, pii.unmask, export.residents, import.commit, login.success,
  // login.failure, user.create, ...
  std::string action;
  std::string target;  // the record: "resident:123", "user:7", "import_job:5"; "" for a query
  // Structured facts, e.g. {"query": <masked>, "fields": ["id_number"], "purpose": "...",
  // "rows": 50, "change_seq": 1234}. No plain personal data.
  nlohmann::json detail = nlohmann::json::object();
  std::string client;      // the client's address, e.g. "203.0.113.5"
  std::string request_id;  // the HTTP request id, to join with the access log
  std::string prev_hash;   // assigned when written
  std::string hash;        // assigned when written
};

struct AuditLogOptions {
  size_t queue_capacity = 10000;  // entries waiting to be written
  size_t batch_size = 500;        // entries per transaction at most (SQLite: keep it short)
  // How long the writer lets entries gather before writing a batch that is not full: under load
  // one transaction per many requests instead of one per few. A Flush() or stop cuts it short.
  std::chrono::milliseconds gather{20};
  std::chrono::milliseconds max_block{2000};  // how long Record waits for room in a full queue
  std::chrono::milliseconds retry_first{50};  // back-off after a failed batch, doubling...
  std::chrono::milliseconds retry_max{5000};  // ...up to this
  int stop_attempts = 5;                      // attempts per batch while stopping, before giving up
};

class AuditLog {
 public:
  // Starts the writer thread. `database` must be migrated (audit_log, audit_tail exist).
  AuditLog(storage::Database& database, const Clock& clock, AuditLogOptions options = {});
  // Stops accepting, writes everything queued (see above), joins the writer.
  ~AuditLog();

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues `entry` (seq, prev_hash and hash are ignored). Returns at once unless the queue is full
  // (then waits up to max_block). kUnavailable: still full, the entry was not accepted;
  // kFailedPrecondition: the log is stopping. Text fields that are not valid UTF-8 are repaired
  // (U+FFFD), since PostgreSQL would refuse them.
  Status Record(AuditEntry entry);

  // Waits until every entry accepted before this call is committed. Returns the error of a failed
  // write attempt if one happens while waiting (the entries stay queued and are retried).
  Status Flush();

  // Entries accepted so far / committed so far by this AuditLog (for metrics and tests).
  int64_t accepted() const;
  int64_t written() const;

 private:
  // An accepted entry, already serialised: what the writer inserts and hashes.
  struct Pending {
    int64_t at_millis = 0;
    std::string actor, action, target, detail, client, request_id;
  };

  void WriterLoop();
  // One transaction: numbers, chains and inserts `batch` after the current tail.
  Status WriteBatch(const std::vector<Pending>& batch);
  static Status AppendBatch(storage::Connection& connection, const std::vector<Pending>& batch);

  storage::Database& database_;
  const Clock& clock_;
  const AuditLogOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;  // writer waits: entries queued or stopping
  std::condition_variable room_ready_;  // Record waits: room in the queue
  std::condition_variable progress_;    // Flush waits: entries written or a batch failed
  std::deque<Pending> queue_;           // guarded by mutex_
  int64_t accepted_ = 0;                // guarded by mutex_
  int64_t written_ = 0;                 // guarded by mutex_
  int64_t failures_ = 0;                // guarded by mutex_: failed batch attempts so far
  int flush_waiters_ = 0;               // guarded by mutex_: Flush calls waiting
  Error last_error_;                    // guarded by mutex_
  bool stopping_ = false;               // guarded by mutex_
  bool writer_done_ = false;            // guarded by mutex_

  std::vector<Pending> in_flight_;  // the writer's current batch; writer thread only
  std::thread writer_;              // last: starts after everything above is initialised
};

}  // namespace steward::audit
