#include "storage/connection.hpp"

#include <charconv>
#include <cstdlib>

namespace steward::storage {

const char* EngineName(Engine engine) { return engine == Engine::kSqlite ? "sqlite" : "postgres"; }

int64_t Rows::Int(size_t row, size_t column) const {
  const auto& cell = cells_[row][column];
  if (!cell) return 0;
  int64_t value = 0;
  std::from_chars(cell->data(), cell->data() + cell->size(), value);
  return value;
}

double Rows::Real(size_t row, size_t column) const {
  const auto& cell = cells_[row][column];
  return cell ? std::strtod(cell->c_str(), nullptr) : 0.0;
}

const std::string& Rows::Text(size_t row, size_t column) const {
  static const std::string kEmpty;
  const auto& cell = cells_[row][column];
  return cell ? *cell : kEmpty;
}

std::optional<int64_t> Rows::OptInt(size_t row, size_t column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

void Rows::Append(const RowView& row) {
  std::vector<std::optional<std::string>> cells(row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    if (!row.IsNull(i)) cells[i] = std::string(row.Text(i));
  }
  cells_.push_back(std::move(cells));
}

Result<Rows> Connection::Query(std::string_view sql, std::span<const Value> params) {
  Rows rows;
  STEWARD_TRY(QueryEach(sql, params, [&](const RowView& row) { rows.Append(row); }));
  return rows;
}

Result<std::optional<int64_t>> Connection::QueryInt(std::string_view sql,
                                                    std::span<const Value> params) {
  std::optional<int64_t> value;
  bool first = true;
  STEWARD_TRY(QueryEach(sql, params, [&](const RowView& row) {
    if (first && row.size() > 0 && !row.IsNull(0)) value = row.Int(0);
    first = false;
  }));
  return value;
}

}  // namespace steward::storage
