#include "audit/audit_log.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "audit/internal/chain.hpp"

namespace steward::audit {

namespace {

using internal::ValidUtf8;

// Audit rows are not record changes: the context only names who writes them.
const storage::WriteContext kWriterContext{"system:audit", storage::Source::kCli};

constexpr std::chrono::milliseconds kStoppingBackoff{1000};

}  // namespace

AuditLog::AuditLog(storage::Database& database, const Clock& clock, AuditLogOptions options)
    : database_(database), clock_(clock), options_(options) {
  writer_ = std::thread([this] { WriterLoop(); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  room_ready_.notify_all();
  writer_.join();
}

Status AuditLog::Record(AuditEntry entry) {
  // Serialise outside the lock: the request thread pays for its own entry, the queue stays short.
  Pending pending;
  pending.at_millis = entry.at_millis != 0 ? entry.at_millis : clock_.NowMillis();
  pending.actor = ValidUtf8(entry.actor);
  pending.action = ValidUtf8(entry.action);
  pending.target = ValidUtf8(entry.target);
  pending.detail = internal::DetailText(entry.detail);
  pending.client = ValidUtf8(entry.client);
  pending.request_id = ValidUtf8(entry.request_id);

  std::unique_lock lock(mutex_);
  const bool room = room_ready_.wait_for(lock, options_.max_block, [&] {
    return stopping_ || queue_.size() < options_.queue_capacity;
  });
  if (stopping_) return Fail(ErrorCode::kFailedPrecondition, "the audit log is stopping");
  if (!room) {
    return Fail(ErrorCode::kUnavailable,
                "the audit log cannot keep up (database unavailable?): request refused");
  }
  queue_.push_back(std::move(pending));
  ++accepted_;
  // Wake the writer only when it waits for this: a first entry, or a full batch while gathering
  // (a wake-up per entry would cost a context switch per request).
  const bool wake = queue_.size() == 1 || queue_.size() >= options_.batch_size;
  lock.unlock();
  if (wake) work_ready_.notify_one();
  return Ok();
}

Status AuditLog::Flush() {
  std::unique_lock lock(mutex_);
  const int64_t target = accepted_;
  const int64_t failures_before = failures_;
  ++flush_waiters_;
  lock.unlock();
  work_ready_.notify_one();  // ends the writer's gathering
  lock.lock();
  progress_.wait(
      lock, [&] { return written_ >= target || failures_ != failures_before || writer_done_; });
  --flush_waiters_;
  if (written_ >= target) return Ok();
  if (failures_ != failures_before) return tl::unexpected(last_error_);
  return Fail(ErrorCode::kUnavailable, "the audit log stopped before writing every entry");
}

int64_t AuditLog::accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

int64_t AuditLog::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

void AuditLog::WriterLoop() {
  std::chrono::milliseconds backoff = options_.retry_first;
  int attempts_while_stopping = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (in_flight_.empty()) {
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and nothing left
      work_ready_.wait_for(lock, options_.gather, [&] {
        return stopping_ || flush_waiters_ > 0 || queue_.size() >= options_.batch_size;
      });
      const size_t count = std::min(queue_.size(), std::max<size_t>(1, options_.batch_size));
      in_flight_.assign(std::make_move_iterator(queue_.begin()),
                        std::make_move_iterator(queue_.begin() + static_cast<long>(count)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
      lock.unlock();
      room_ready_.notify_all();
      lock.lock();
    }

    lock.unlock();
    Status written = WriteBatch(in_flight_);
    lock.lock();

    if (written) {
      written_ += static_cast<int64_t>(in_flight_.size());
      in_flight_.clear();
      backoff = options_.retry_first;
      attempts_while_stopping = 0;
      progress_.notify_all();
      continue;
    }
    ++failures_;
    last_error_ = written.error();
    progress_.notify_all();
    spdlog::error("audit: writing {} entries failed, retrying in {} ms: {}", in_flight_.size(),
                  backoff.count(), last_error_.ToString());
    if (stopping_ && ++attempts_while_stopping >= options_.stop_attempts) {
      const size_t lost = in_flight_.size() + queue_.size();
      spdlog::critical("audit: stopping with {} entries unwritten: the database stayed unavailable",
                       lost);
      in_flight_.clear();
      queue_.clear();
      break;
    }
    // Wait out the back-off; a stop request cuts it short, and while stopping waits are short so
    // the destructor returns within seconds even with the database gone.
    const bool was_stopping = stopping_;
    work_ready_.wait_for(lock, was_stopping ? std::min(backoff, kStoppingBackoff) : backoff,
                         [&] { return stopping_ != was_stopping; });
    backoff = std::min(backoff * 2, options_.retry_max);
  }
  writer_done_ = true;
  progress_.notify_all();
}

Status AuditLog::WriteBatch(const std::vector<Pending>& batch) {
  auto written = database_.Write(kWriterContext, [&](storage::WriteTransaction& transaction) {
    return AppendBatch(transaction.connection(), batch);
  });
  if (!written) return tl::unexpected(std::move(written).error());
  return Ok();
}

Status AuditLog::AppendBatch(storage::Connection& connection, const std::vector<Pending>& batch) {
  const auto count = static_cast<int64_t>(batch.size());
  // The batch's first statement: the tail row's lock orders concurrent writers until COMMIT.
  STEWARD_ASSIGN_OR_RETURN(auto tail,
                           connection.Query("UPDATE audit_tail SET last_seq = last_seq + ? "
                                            "WHERE id = 1 RETURNING last_seq, last_hash",
                                            {count}));
  if (tail.size() != 1) {
    return Fail(ErrorCode::kFailedPrecondition, "audit_tail missing: run migrate");
  }
  int64_t seq = tail.Int(0, 0) - count;
  std::string prev_hash = tail.Text(0, 1);

  static constexpr std::string_view kColumns[] = {"seq",       "at",     "actor",  "action",
                                                  "target",    "detail", "client", "request_id",
                                                  "prev_hash", "hash"};
  STEWARD_ASSIGN_OR_RETURN(auto bulk, connection.BeginBulkInsert("audit_log", kColumns));
  for (const Pending& entry : batch) {
    ++seq;
    const internal::ChainFields fields{seq,          entry.at_millis, entry.actor,
                                       entry.action, entry.target,    entry.detail,
                                       entry.client, entry.request_id};
    std::string hash = internal::ChainHash(prev_hash, internal::CanonicalForm(fields));
    const storage::Value row[] = {seq,
                                  entry.at_millis,
                                  std::string_view(entry.actor),
                                  std::string_view(entry.action),
                                  std::string_view(entry.target),
                                  std::string_view(entry.detail),
                                  std::string_view(entry.client),
                                  std::string_view(entry.request_id),
                                  std::string_view(prev_hash),
                                  std::string_view(hash)};
    STEWARD_TRY(bulk->Add(row));
    prev_hash = std::move(hash);
  }
  STEWARD_TRY(bulk->Finish());
  STEWARD_TRY(connection.Execute("UPDATE audit_tail SET last_hash = ? WHERE id = 1",
                                 {std::string_view(prev_hash)}));
  return Ok();
}

}  // namespace steward::audit
