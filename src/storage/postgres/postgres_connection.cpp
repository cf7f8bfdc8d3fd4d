#include "storage/postgres/postgres_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace steward::storage::postgres {
namespace {

ErrorCode CodeForSqlState(const char* state) {
  if (!state) return ErrorCode::kUnavailable;  // no result: the connection is gone
  const std::string_view s(state);
  if (s == "23505") return ErrorCode::kAlreadyExists;
  if (s.starts_with("23")) return ErrorCode::kFailedPrecondition;
  if (s == "40001" || s == "40P01" || s.starts_with("08") || s.starts_with("57")) {
    return ErrorCode::kUnavailable;
  }
  return ErrorCode::kInternal;
}

// Only the primary message: PostgreSQL's DETAIL line can echo row values (personal data).
Error ResultError(PGconn* conn, PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message(what);
  message += ": ";
  message += primary ? primary : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return Error{CodeForSqlState(state), message, {}};
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PgRow final : public RowView {
 public:
  PgRow(PGresult* result, int row) : result_(result), row_(row) {}
  size_t size() const override { return static_cast<size_t>(PQnfields(result_)); }
  bool IsNull(size_t column) const override {
    return PQgetisnull(result_, row_, static_cast<int>(column));
  }
  int64_t Int(size_t column) const override {
    const auto text = Text(column);
    if (text == "t") return 1;  // booleans, should one slip through
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  double Real(size_t column) const override {
    return std::strtod(PQgetvalue(result_, row_, static_cast<int>(column)), nullptr);
  }
  std::string_view Text(size_t column) const override {
    const int index = static_cast<int>(column);
    return {PQgetvalue(result_, row_, index),
            static_cast<size_t>(PQgetlength(result_, row_, index))};
  }

 private:
  PGresult* result_;
  int row_;
};

void AppendCopyField(std::string& out, const Value& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "\\N";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out += std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[32];
          auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
          out.append(buffer, end);
        } else {
          for (char c : v) {
            switch (c) {
              case '\\':
                out += "\\\\";
                break;
              case '\t':
                out += "\\t";
                break;
              case '\n':
                out += "\\n";
                break;
              case '\r':
                out += "\\r";
                break;
              default:
                out += c;
            }
          }
        }
      },
      value);
}

class PgConnection;

class PgBulkInsert final : public BulkInsert {
 public:
  PgBulkInsert(PGconn* conn, size_t columns) : conn_(conn), columns_(columns) {}
  ~PgBulkInsert() override {
    if (!finished_) PQputCopyEnd(conn_, "abandoned");
    if (!finished_) DrainResults();
  }
  Status Add(std::span<const Value> row) override {
    if (row.size() != columns_) {
      return Fail(ErrorCode::kInternal, "bulk insert row has the wrong number of columns");
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) buffer_ += '\t';
      AppendCopyField(buffer_, row[i]);
    }
    buffer_ += '\n';
    if (buffer_.size() >= (1 << 20)) return Flush();
    return Ok();
  }
  Status Finish() override {
    STEWARD_TRY(Flush());
    finished_ = true;
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      return Fail(ErrorCode::kUnavailable,
                  std::string("COPY end failed: ") + PQerrorMessage(conn_));
    }
    return DrainResults();
  }

 private:
  Status Flush() {
    if (buffer_.empty()) return Ok();
    if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      return Fail(ErrorCode::kUnavailable, std::string("COPY failed: ") + PQerrorMessage(conn_));
    }
    buffer_.clear();
    return Ok();
  }
  Status DrainResults() {
    Status status = Ok();
    while (PGresult* raw = PQgetResult(conn_)) {
      ResultPtr result(raw);
      if (PQresultStatus(raw) != PGRES_COMMAND_OK && status) {
        status = tl::unexpected(ResultError(conn_, raw, "COPY failed"));
      }
    }
    return status;
  }

  PGconn* conn_;
  size_t columns_;
  std::string buffer_;
  bool finished_ = false;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  Engine engine() const override { return Engine::kPostgres; }

  Status ExecScript(std::string_view sql) override {
    const std::string text(sql);
    ResultPtr result(PQexec(conn_, text.c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return tl::unexpected(ResultError(conn_, result.get(), "script failed"));
    }
    return Ok();
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    STEWARD_ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
    const char* tuples = PQcmdTuples(result.get());
    return tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
  }

  Status QueryEach(std::string_view sql, std::span<const Value> params,
                   const std::function<void(const RowView&)>& row_fn) override {
    STEWARD_ASSIGN_OR_RETURN(ResultPtr result, Run(sql, params));
    const int rows = PQntuples(result.get());
    for (int i = 0; i < rows; ++i) row_fn(PgRow(result.get(), i));
    return Ok();
  }

  Result<std::unique_ptr<BulkInsert>> BeginBulkInsert(
      std::string_view table, std::span<const std::string_view> columns) override {
    std::string sql = "COPY " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + std::string(columns[i]);
    sql += ") FROM STDIN";
    ResultPtr result(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
      return tl::unexpected(ResultError(conn_, result.get(), "cannot start COPY"));
    }
    return std::unique_ptr<BulkInsert>(new PgBulkInsert(conn_, columns.size()));
  }

 private:
  Result<ResultPtr> Run(std::string_view sql, std::span<const Value> params) {
    STEWARD_ASSIGN_OR_RETURN(const std::string* name, Prepare(sql, params.size()));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              values[i] = nullptr;
            } else if constexpr (std::is_same_v<T, int64_t>) {
              texts[i] = std::to_string(v);
              values[i] = texts[i].c_str();
            } else if constexpr (std::is_same_v<T, double>) {
              char buffer[32];
              auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
              texts[i].assign(buffer, end);
              values[i] = texts[i].c_str();
            } else {
              texts[i].assign(v.data(), v.size());
              values[i] = texts[i].c_str();
            }
          },
          params[i]);
    }
    ResultPtr result(PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()),
                                    values.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return tl::unexpected(ResultError(
          conn_, result.get(), "statement failed (" + std::string(sql.substr(0, 60)) + ")"));
    }
    return result;
  }

  Result<const std::string*> Prepare(std::string_view sql, size_t param_count) {
    auto found = statements_.find(std::string(sql));
    if (found != statements_.end()) return &found->second;
    std::string name = "s" + std::to_string(statements_.size() + 1);
    const std::string rewritten = RewritePlaceholders(sql);
    ResultPtr result(
        PQprepare(conn_, name.c_str(), rewritten.c_str(), static_cast<int>(param_count), nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return tl::unexpected(ResultError(conn_, result.get(), "cannot prepare statement"));
    }
    auto [it, inserted] = statements_.emplace(std::string(sql), std::move(name));
    return &it->second;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> statements_;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const size_t end = sql.find(c, i + 1);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn);
    return Fail(ErrorCode::kUnavailable, message);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  auto connection = std::make_unique<PgConnection>(conn);
  STEWARD_TRY(connection->ExecScript(
      "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET client_min_messages = warning"));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace steward::storage::postgres
