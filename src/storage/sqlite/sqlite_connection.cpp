#include "storage/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace steward::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMillis = 10000;
// The writer's WAL auto-checkpoint threshold, in pages (SQLite's default is 1,000, about 4 MB).
// One 2,000-row import chunk dirties more pages than the default across the random-keyed indexes,
// so the default checkpointed (and fsynced the database) after every commit, writing many pages
// again that the next chunk dirties once more. A checkpoint still runs whenever the WAL passes
// this size, and the WAL file is cut back to kWalSizeLimitBytes after one; commits and what
// readers see are unchanged.
// Bytes of the database file mapped into memory (reads without copies; 64-bit only).
constexpr int64_t kMmapBytes = int64_t{1} << 30;
constexpr int kWalAutoCheckpointPages = 16384;
constexpr int64_t kWalSizeLimitBytes = int64_t{64} << 20;

Error SqliteError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  ErrorCode error_code = ErrorCode::kInternal;
  const int primary = code & 0xff;
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    error_code = ErrorCode::kAlreadyExists;
  } else if (primary == SQLITE_CONSTRAINT) {
    error_code = ErrorCode::kFailedPrecondition;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    error_code = ErrorCode::kUnavailable;
  } else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    error_code = ErrorCode::kDataLoss;
  }
  // sqlite3_errmsg names the constraint, never the row's values.
  return Error{error_code, std::string(what) + ": " + sqlite3_errmsg(db), {}};
}

// The start of a statement, for error messages: SQL text holds placeholders, never values.
std::string StatementHead(std::string_view sql) { return std::string(sql.substr(0, 60)); }

class SqliteRow final : public RowView {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  size_t size() const override { return static_cast<size_t>(sqlite3_column_count(stmt_)); }
  bool IsNull(size_t column) const override {
    return sqlite3_column_type(stmt_, static_cast<int>(column)) == SQLITE_NULL;
  }
  int64_t Int(size_t column) const override {
    return sqlite3_column_int64(stmt_, static_cast<int>(column));
  }
  double Real(size_t column) const override {
    return sqlite3_column_double(stmt_, static_cast<int>(column));
  }
  std::string_view Text(size_t column) const override {
    const int index = static_cast<int>(column);
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
    if (!text) return {};
    return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection;

class SqliteBulkInsert final : public BulkInsert {
 public:
  SqliteBulkInsert(SqliteConnection& connection, std::string sql, size_t columns)
      : connection_(connection), sql_(std::move(sql)), columns_(columns) {}
  Status Add(std::span<const Value> row) override;
  Status Finish() override { return Ok(); }

 private:
  SqliteConnection& connection_;
  std::string sql_;
  size_t columns_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Engine engine() const override { return Engine::kSqlite; }

  Status ExecScript(std::string_view sql) override {
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      Error error = SqliteError(db_, "script failed");
      sqlite3_free(message);
      return tl::unexpected(std::move(error));
    }
    return Ok();
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    STEWARD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      Error error = SqliteError(db_, "statement failed (" + StatementHead(sql) + ")");
      sqlite3_reset(stmt);
      return tl::unexpected(std::move(error));
    }
    sqlite3_reset(stmt);
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status QueryEach(std::string_view sql, std::span<const Value> params,
                   const std::function<void(const RowView&)>& row_fn) override {
    STEWARD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    SqliteRow row(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row_fn(row);
    if (rc != SQLITE_DONE) {
      Error error = SqliteError(db_, "query failed (" + StatementHead(sql) + ")");
      sqlite3_reset(stmt);
      return tl::unexpected(std::move(error));
    }
    sqlite3_reset(stmt);
    return Ok();
  }

  Result<std::unique_ptr<BulkInsert>> BeginBulkInsert(
      std::string_view table, std::span<const std::string_view> columns) override {
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    std::string marks;
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + std::string(columns[i]);
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    return std::unique_ptr<BulkInsert>(new SqliteBulkInsert(*this, std::move(sql), columns.size()));
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql, std::span<const Value> params) {
    sqlite3_stmt* stmt = nullptr;
    auto found = statements_.find(sql);
    if (found != statements_.end()) {
      stmt = found->second;
    } else {
      if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return tl::unexpected(SqliteError(db_, "cannot prepare statement"));
      }
      statements_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              rc = sqlite3_bind_null(stmt, index);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              rc = sqlite3_bind_int64(stmt, index, value);
            } else if constexpr (std::is_same_v<T, double>) {
              rc = sqlite3_bind_double(stmt, index, value);
            } else {
              // The statement runs before the caller's values go away: no copy needed.
              rc = sqlite3_bind_text(stmt, index, value.data(), static_cast<int>(value.size()),
                                     SQLITE_STATIC);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return tl::unexpected(SqliteError(db_, "cannot bind parameter"));
    }
    return stmt;
  }

  sqlite3* db_;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

Status SqliteBulkInsert::Add(std::span<const Value> row) {
  if (row.size() != columns_) {
    return Fail(ErrorCode::kInternal, "bulk insert row has the wrong number of columns");
  }
  STEWARD_TRY(connection_.Execute(sql_, row));
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path, OpenMode mode) {
  sqlite3* db = nullptr;
  const int flags = (mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY
                                                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message =
        "cannot open SQLite database " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return Fail(ErrorCode::kUnavailable, message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMillis);
  sqlite3_extended_result_codes(db, 1);
  auto connection = std::make_unique<SqliteConnection>(db);
  // Every commit (even an audit batch) invalidates the other connections' page caches; mapping
  // the file lets them read pages again without a copy per page.
  STEWARD_TRY(connection->ExecScript("PRAGMA mmap_size=" + std::to_string(kMmapBytes) + ";"));
  STEWARD_TRY(connection->ExecScript(
      mode == OpenMode::kReadOnly
          ? "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
          // The writer gets a larger page cache: bulk jobs touch several random-keyed indexes.
          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=" +
                std::to_string(kWalAutoCheckpointPages) +
                "; PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes) + ";"));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace steward::storage::sqlite
