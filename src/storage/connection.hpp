// Connection: one session with a SQL engine (SQLite or PostgreSQL), behind one small interface.
//
// SQL is written once with `?` placeholders; the PostgreSQL engine rewrites them to $1, $2, ...
// Both engines speak the subset used here: RETURNING, ON CONFLICT, partial indexes, CTEs.
// Text compares in byte order on both (BINARY on SQLite, COLLATE "C" on PostgreSQL).
// Ownership: a Connection is owned by the Database pool and lent to one thread at a time; it is
// not thread-safe. Statements are prepared once per connection and cached by their text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"

namespace steward::storage {

enum class Engine { kSqlite, kPostgres };

const char* EngineName(Engine engine);

// A parameter value. Booleans are stored as 0/1 integers on both engines.
// Text given as std::string_view or const char* is not copied: it must outlive the call.
struct Value : std::variant<std::nullptr_t, int64_t, double, std::string, std::string_view> {
  using variant::variant;
  Value(const char* text) : variant(std::string_view(text)) {}
  Value(int number) : variant(int64_t{number}) {}
};

// Helpers for optional fields.
inline Value OrNull(const std::optional<std::string>& text) {
  return text ? Value(*text) : Value(nullptr);
}
inline Value OrNull(const std::optional<int64_t>& number) {
  return number ? Value(*number) : Value(nullptr);
}

// One row of a result while it is being read; valid only inside the callback that received it.
class RowView {
 public:
  virtual ~RowView() = default;
  virtual size_t size() const = 0;
  virtual bool IsNull(size_t column) const = 0;
  virtual int64_t Int(size_t column) const = 0;
  virtual double Real(size_t column) const = 0;
  virtual std::string_view Text(size_t column) const = 0;

  std::optional<std::string> OptText(size_t column) const {
    return IsNull(column) ? std::nullopt : std::optional<std::string>(std::string(Text(column)));
  }
  std::optional<int64_t> OptInt(size_t column) const {
    return IsNull(column) ? std::nullopt : std::optional<int64_t>(Int(column));
  }
};

// A materialised result: every cell as text (or null), with typed accessors.
class Rows {
 public:
  size_t size() const { return cells_.size(); }
  bool empty() const { return cells_.empty(); }
  bool IsNull(size_t row, size_t column) const { return !cells_[row][column].has_value(); }
  int64_t Int(size_t row, size_t column) const;
  double Real(size_t row, size_t column) const;
  const std::string& Text(size_t row, size_t column) const;
  std::optional<std::string> OptText(size_t row, size_t column) const {
    return cells_[row][column];
  }
  std::optional<int64_t> OptInt(size_t row, size_t column) const;

  void Append(const RowView& row);

 private:
  std::vector<std::vector<std::optional<std::string>>> cells_;
};

// Rows added to one table through the engine's fastest path (COPY on PostgreSQL, a prepared INSERT
// on SQLite). Must be finished before the enclosing transaction commits.
class BulkInsert {
 public:
  virtual ~BulkInsert() = default;
  virtual Status Add(std::span<const Value> row) = 0;
  virtual Status Finish() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Engine engine() const = 0;

  // Runs a script of statements without parameters (migrations, BEGIN/COMMIT).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual Result<int64_t> Execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  // Runs one query and calls `row_fn` for each row, in order, without materialising the result.
  virtual Status QueryEach(std::string_view sql, std::span<const Value> params,
                           const std::function<void(const RowView&)>& row_fn) = 0;
  virtual Result<std::unique_ptr<BulkInsert>> BeginBulkInsert(
      std::string_view table, std::span<const std::string_view> columns) = 0;

  Result<Rows> Query(std::string_view sql, std::span<const Value> params = {});
  // The first column of the first row, or nullopt when there is no row or it is null.
  Result<std::optional<int64_t>> QueryInt(std::string_view sql, std::span<const Value> params = {});

  // Convenience overloads taking a braced list: conn.Execute(sql, {a, b}).
  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params) {
    return Execute(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<Rows> Query(std::string_view sql, std::initializer_list<Value> params) {
    return Query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<std::optional<int64_t>> QueryInt(std::string_view sql,
                                          std::initializer_list<Value> params) {
    return QueryInt(sql, std::span<const Value>(params.begin(), params.size()));
  }
};

}  // namespace steward::storage
