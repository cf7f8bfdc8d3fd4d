// One row of a resident sheet: header recognition and the row rules, without a database.
//
// MapHeader finds the header row among the first rows of a sheet (title rows and merged cells
// above it are skipped), maps each header to a Column, reports unknown headers, and refuses a sheet
// that lacks a required column before any row is read. ParseResidentRow applies every rule that
// needs no database (ID number checksum and cross-checks, dates, genders, phones, dictionaries) and
// collects all of a row's errors with their columns; places are resolved later by PlaceDirectory.
// Rule cases: tests/cases/import_rows.tsv. Thread-safety: pure functions.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/resident.hpp"
#include "registry/sheet_layout.hpp"
#include "sheet/reader.hpp"

namespace steward::registry {

struct SheetColumns {
  int64_t header_row = 0;                       // 1-based row number of the header
  std::vector<std::optional<Column>> by_index;  // column index -> Column
  std::vector<std::string> headers;             // the headers as written, by column index
  std::vector<std::string> unknown;             // headers we do not know (reported, not fatal)

  std::optional<size_t> IndexOf(Column column) const;
  bool Has(Column column) const { return IndexOf(column).has_value(); }
};

// Looks for the header among `rows` (the first rows of the sheet). Fails (kInvalidArgument) when
// no row looks like a header or a required column is missing.
Result<SheetColumns> MapHeader(const std::vector<sheet::Row>& rows);

struct CellError {
  Column column;
  std::string code;     // stable, e.g. "id_number.checksum"
  std::string message;  // Chinese, for the office
};

struct ParsedResident {
  int64_t row_number = 0;
  std::optional<Id> resident_id;  // from an earlier export
  std::optional<int64_t> version;
  NewResident resident;         // unit_id and household_id are resolved later
  std::vector<Column> present;  // columns with a value in this row (what an update may change)
  std::string street, community, grid, complex, building, unit_no, room, current_address;
  bool needs_review = false;  // no ID number: matched by name, birth date and household
  std::vector<CellError> errors;

  bool ok() const { return errors.empty(); }
  bool Has(Column column) const;
};

struct RowContext {
  Date today;
  std::function<bool(std::string_view)> region_known;                     // may be empty
  const std::map<std::string, std::string, std::less<>>* tags = nullptr;  // name or code -> code
};

// True when every cell is empty or blank.
bool IsBlankRow(const sheet::Row& row);

ParsedResident ParseResidentRow(const SheetColumns& columns, const sheet::Row& row,
                                const RowContext& context);

// Parses the date forms offices write: 1956-03-08, 1956/3/8, 1956.3.8, 19560308, 1956年3月8日.
std::optional<Date> ParseSheetDate(const sheet::Cell& cell);

}  // namespace steward::registry
