#include "storage/database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "storage/change_log.hpp"
#include "storage/postgres/postgres_connection.hpp"
#include "storage/sqlite/sqlite_connection.hpp"

namespace steward::storage {

const char* SourceName(Source source) {
  switch (source) {
    case Source::kConsole:
      return "console";
    case Source::kImport:
      return "import";
    case Source::kField:
      return "field";
    case Source::kCall:
      return "call";
    case Source::kDemo:
      return "demo";
    case Source::kCli:
      return "cli";
  }
  return "cli";
}

const char* ChangeOpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kCreate:
      return "create";
    case ChangeOp::kUpdate:
      return "update";
    case ChangeOp::kDelete:
      return "delete";
  }
  return "update";
}

Database::Lease::~Lease() {
  if (!pool || !connection) return;
  {
    std::lock_guard lock(pool->mutex);
    pool->idle.push_back(std::move(connection));
  }
  pool->available.notify_one();
}

Database::Database(Engine engine, std::string url, const Clock& clock)
    : engine_(engine), url_(std::move(url)), clock_(clock) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& url, const Clock& clock,
                                                 DatabaseOptions options) {
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);
    if (path.empty()) return Fail(ErrorCode::kInvalidArgument, "sqlite: URL without a path");
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot create folder " + parent.string() + ": " + ec.message());
    }
    auto db = std::unique_ptr<Database>(new Database(Engine::kSqlite, url, clock));
    db->sqlite_path_ = path;
    // Open the writer first: it creates the file and switches it to WAL.
    db->write_pool_.limit = 1;
    db->write_pool_.open = [path] {
      return sqlite::OpenConnection(path, sqlite::OpenMode::kReadWrite);
    };
    db->read_pool_.limit = std::max(1, options.read_connections);
    db->read_pool_.open = [path]() -> Result<std::unique_ptr<Connection>> {
      STEWARD_ASSIGN_OR_RETURN(auto connection,
                               sqlite::OpenConnection(path, sqlite::OpenMode::kReadWrite));
      STEWARD_TRY(connection->ExecScript("PRAGMA query_only=1"));
      return connection;
    };
    STEWARD_TRY(db->Borrow(db->write_pool_));
    return db;
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto db = std::unique_ptr<Database>(new Database(Engine::kPostgres, url, clock));
    auto open = [url] { return postgres::OpenConnection(url); };
    db->write_pool_.limit = std::max(1, options.write_connections);
    db->write_pool_.open = open;
    db->read_pool_.limit = std::max(1, options.read_connections);
    db->read_pool_.open = open;
    STEWARD_TRY(db->Borrow(db->read_pool_));
    return db;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "unknown database URL (expected sqlite:PATH or postgresql://...): " + url);
}

namespace {

class FileJobLock final : public JobLock {
 public:
  FileJobLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~FileJobLock() override {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);  // while still locked: no one else is using it
    close(fd_);
  }

 private:
  int fd_;
  std::filesystem::path path_;
};

class SessionJobLock final : public JobLock {
 public:
  explicit SessionJobLock(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

 private:
  std::unique_ptr<Connection> connection_;  // closing it releases the advisory lock
};

}  // namespace

Result<std::unique_ptr<JobLock>> Database::TryLockJob(Id job_id) {
  if (engine_ == Engine::kSqlite) {
    const std::filesystem::path folder = sqlite_path_ + "-jobs";
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + folder.string());
    const auto path = folder / (std::to_string(job_id) + ".lock");
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(ErrorCode::kUnavailable, "cannot open " + path.string());
    // A holder removes the file as it lets go; a lock won on a removed file is no lock.
    struct stat held {
    }, named{};
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &held) != 0 ||
        stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino) {
      close(fd);
      return std::unique_ptr<JobLock>();
    }
    return std::unique_ptr<JobLock>(std::make_unique<FileJobLock>(fd, path));
  }
  STEWARD_ASSIGN_OR_RETURN(auto connection, write_pool_.open());
  STEWARD_ASSIGN_OR_RETURN(
      auto taken,
      connection->QueryInt(
          "SELECT CASE WHEN pg_try_advisory_lock(CAST(? AS BIGINT)) THEN 1 ELSE 0 END", {job_id}));
  if (taken.value_or(0) != 1) return std::unique_ptr<JobLock>();
  return std::unique_ptr<JobLock>(std::make_unique<SessionJobLock>(std::move(connection)));
}

Result<Database::Lease> Database::Borrow(Pool& pool) {
  std::unique_lock lock(pool.mutex);
  for (;;) {
    if (!pool.idle.empty()) {
      Lease lease;
      lease.pool = &pool;
      lease.connection = std::move(pool.idle.back());
      pool.idle.pop_back();
      return lease;
    }
    if (pool.created < pool.limit) {
      ++pool.created;
      lock.unlock();
      auto opened = pool.open();
      if (!opened) {
        std::lock_guard relock(pool.mutex);
        --pool.created;
        return tl::unexpected(std::move(opened).error());
      }
      Lease lease;
      lease.pool = &pool;
      lease.connection = std::move(*opened);
      return lease;
    }
    pool.available.wait(lock);
  }
}

Result<int64_t> Database::Write(const WriteContext& context,
                                const std::function<Status(WriteTransaction&)>& fn) {
  STEWARD_ASSIGN_OR_RETURN(Lease lease, Borrow(write_pool_));
  Connection& connection = *lease.connection;
  STEWARD_TRY(connection.ExecScript(engine_ == Engine::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"));
  WriteTransaction transaction(connection, context);
  auto rollback = [&](Error error) -> Result<int64_t> {
    (void)connection.ExecScript("ROLLBACK");
    return tl::unexpected(std::move(error));
  };
  if (Status status = fn(transaction); !status) return rollback(std::move(status).error());
  auto last_seq = AppendChanges(connection, context, transaction.changes());
  if (!last_seq) return rollback(std::move(last_seq).error());
  if (Status status = connection.ExecScript("COMMIT"); !status) {
    return rollback(std::move(status).error());
  }
  if (!transaction.changes().empty()) {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    // Sequence numbers follow commit order, so every change up to ours is committed and covered
    // by this move: the next poll need not move the generation again for them.
    int64_t polled = polled_seq_.load(std::memory_order_acquire);
    while (polled < *last_seq &&
           !polled_seq_.compare_exchange_weak(polled, *last_seq, std::memory_order_acq_rel)) {
    }
  }
  return *last_seq;
}

Status Database::PollChanges() {
  STEWARD_ASSIGN_OR_RETURN(const int64_t seq,
                           Read([](Connection& connection) { return LastChangeSeq(connection); }));
  if (polled_seq_.exchange(seq, std::memory_order_acq_rel) != seq) {
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  return Ok();
}

Status Database::Checkpoint() {
  if (engine_ != Engine::kSqlite) return Ok();
  STEWARD_ASSIGN_OR_RETURN(Lease lease, Borrow(write_pool_));
  return lease.connection->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<int64_t> Database::AppendChanges(Connection& connection, const WriteContext& context,
                                        const std::vector<ChangeRecord>& changes) {
  if (changes.empty()) return 0;
  // Taking the numbers last keeps the counter row locked only from here to COMMIT, and the lock
  // makes numbers follow commit order (see change_log.hpp).
  STEWARD_ASSIGN_OR_RETURN(
      auto last,
      connection.QueryInt("UPDATE change_counter SET last_seq = last_seq + ? WHERE id = 1 "
                          "RETURNING last_seq",
                          {static_cast<int64_t>(changes.size())}));
  if (!last) return Fail(ErrorCode::kFailedPrecondition, "change_counter missing: run migrate");
  int64_t seq = *last - static_cast<int64_t>(changes.size());
  const int64_t now = clock_.NowMillis();
  static constexpr std::string_view kColumns[] = {
      "seq", "at", "actor", "source", "entity", "entity_id", "version", "op", "fields"};
  STEWARD_ASSIGN_OR_RETURN(auto bulk, connection.BeginBulkInsert("change_log", kColumns));
  const std::string source = SourceName(context.source);
  for (const auto& change : changes) {
    const Value row[] = {++seq,
                         now,
                         std::string_view(context.actor),
                         std::string_view(source),
                         std::string_view(change.entity),
                         change.entity_id,
                         change.version,
                         std::string_view(ChangeOpName(change.op)),
                         change.fields.dump()};
    STEWARD_TRY(bulk->Add(row));
  }
  STEWARD_TRY(bulk->Finish());
  return *last;
}

}  // namespace steward::storage
