// Database: the pool of connections to one database, and the only way domain code writes.
//
// Access model (ARCHITECTURE.md, "Database access"):
// - Database calls block. They never run on network threads: http/ hands them to a worker pool.
// - Reads borrow a pooled connection (Read). Writes run in a transaction on the writer path
//   (Write): on SQLite one writer connection behind a mutex (WAL allows one writer at a time); on
//   PostgreSQL any pooled connection, writers running side by side.
// - A write transaction should stay short (well under a second on SQLite): long jobs such as
//   imports and the demo generator write in chunks of a few thousand rows.
// - Every write records its changes (WriteTransaction::RecordChange); at commit they are appended
//   to the change log in commit order (storage/change_log.hpp), which is also the history.
//
// Thread-safety: Database is thread-safe; a borrowed Connection or a WriteTransaction belongs to
// the calling thread until the callback returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/connection.hpp"

namespace steward::storage {

// Where a change came from (history's "source").
enum class Source { kConsole, kImport, kField, kCall, kDemo, kCli };
const char* SourceName(Source source);

// Who makes a write and through which channel.
struct WriteContext {
  std::string actor = "system:cli";  // "user:<id>" or "system:<component>"
  Source source = Source::kCli;
};

enum class ChangeOp { kCreate, kUpdate, kDelete };
const char* ChangeOpName(ChangeOp op);

// One changed record, as the history and the change log keep it. `fields` maps a field name to
// its new value (create) or to {"old": ..., "new": ...} (update). Personal fields carry sealed
// (encrypted) values only.
struct ChangeRecord {
  std::string entity;  // table name, e.g. "resident", "org_unit"
  Id entity_id = 0;
  int64_t version = 0;  // the record's version after this change
  ChangeOp op = ChangeOp::kUpdate;
  nlohmann::json fields = nlohmann::json::object();
};

class WriteTransaction {
 public:
  WriteTransaction(Connection& connection, const WriteContext& context)
      : connection_(connection), context_(context) {}
  Connection& connection() { return connection_; }
  const WriteContext& context() const { return context_; }
  void RecordChange(ChangeRecord change) { changes_.push_back(std::move(change)); }
  const std::vector<ChangeRecord>& changes() const { return changes_; }

 private:
  Connection& connection_;
  const WriteContext& context_;
  std::vector<ChangeRecord> changes_;
};

// Marks a long job (an import) as alive for as long as this object lives or the process runs: a
// crashed job's lock is free, a running one's is not, whichever process asks. PostgreSQL: a
// session advisory lock on a connection of its own; SQLite: flock(2) on a file beside the
// database. Either is released by the system when the process dies, even by kill -9.
class JobLock {
 public:
  virtual ~JobLock() = default;
};

struct DatabaseOptions {
  int read_connections = 4;
  // PostgreSQL: how many connections writers may hold at once.
  int write_connections = 4;
};

class Database {
 public:
  // `url`: "sqlite:PATH" (the file and its folder are created when missing) or
  // "postgresql://..." / "postgres://...". The clock stamps change-log entries.
  static Result<std::unique_ptr<Database>> Open(const std::string& url, const Clock& clock,
                                                DatabaseOptions options = {});
  ~Database();

  Engine engine() const { return engine_; }
  const std::string& url() const { return url_; }

  // Lends a connection for reads to `fn`, then takes it back.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
    STEWARD_ASSIGN_OR_RETURN(Lease lease, Borrow(read_pool_));
    return fn(*lease.connection);
  }

  // Runs `fn` in one transaction on the writer path. When `fn` succeeds, its recorded changes are
  // appended to the change log and the transaction commits; otherwise everything rolls back.
  // Returns the change-log sequence number of the last recorded change (0 if none).
  Result<int64_t> Write(const WriteContext& context,
                        const std::function<Status(WriteTransaction&)>& fn);

  // Takes the lock of job `job_id`, or returns nullptr when another holder (another process, or
  // another JobLock in this one) has it.
  Result<std::unique_ptr<JobLock>> TryLockJob(Id job_id);

  // A number that moves whenever the data may have changed: after every commit of this process
  // that recorded changes, and when PollChanges() sees the change log moved (another process's
  // writes). Caches of answers computed from the database (http/) keep an answer while this stays
  // put, without a query per request. Read it BEFORE computing what you cache: a write that
  // commits meanwhile then moves it past your entry. Never goes backwards.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Reads the change log's last sequence number and moves generation() if it moved since the
  // last poll. `steward serve` calls it a few times a second, which bounds how long a cache can
  // miss a write made by another process.
  Status PollChanges();
  // SQLite: folds the write-ahead log back into the database file and empties it (a large WAL
  // slows every read). Best effort: a busy database is left as it is. PostgreSQL: nothing.
  Status Checkpoint();

 private:
  struct Pool {
    std::mutex mutex;
    std::condition_variable available;
    std::vector<std::unique_ptr<Connection>> idle;
    int created = 0;
    int limit = 1;
    std::function<Result<std::unique_ptr<Connection>>()> open;
  };
  struct Lease {
    Pool* pool = nullptr;
    std::unique_ptr<Connection> connection;
    Lease() = default;
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
  };

  Database(Engine engine, std::string url, const Clock& clock);
  Result<Lease> Borrow(Pool& pool);
  Result<int64_t> AppendChanges(Connection& connection, const WriteContext& context,
                                const std::vector<ChangeRecord>& changes);

  Engine engine_;
  std::string url_;
  std::string sqlite_path_;  // SQLite only
  const Clock& clock_;
  Pool read_pool_;
  Pool write_pool_;  // SQLite: limit 1, so this pool is the single writer path
  std::atomic<uint64_t> generation_{1};
  std::atomic<int64_t> polled_seq_{-1};  // the change log's last seq at the last PollChanges()
};

// Runs `fn` (returning Result<T>) in one write transaction on `database` and hands back its value,
// or the error of `fn` or of the commit.
template <typename Fn>
auto WriteValue(Database& database, const WriteContext& context, Fn&& fn)
    -> decltype(fn(std::declval<WriteTransaction&>())) {
  using ResultType = decltype(fn(std::declval<WriteTransaction&>()));
  std::optional<typename ResultType::value_type> value;
  auto written = database.Write(context, [&](WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto result, fn(transaction));
    value = std::move(result);
    return Ok();
  });
  if (!written) return tl::unexpected(written.error());
  return std::move(*value);
}

}  // namespace steward::storage
