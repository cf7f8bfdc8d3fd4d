// What every format's reader shares: the error messages, the cell values Excel shows, and
// ReaderBase, which turns a format's raw rows into what SheetReader promises (sticky errors,
// no empty rows, trailing empties dropped, the row limit).
//
// Private to sheet/. Thread-safety: as SheetReader (one thread per reader).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "sheet/reader.hpp"

namespace steward::sheet::internal {

// Excel's grid: rows and columns past these exist in no spreadsheet program.
inline constexpr int64_t kMaxSheetRows = 1'048'576;
inline constexpr int kMaxSheetColumns = 16'384;

// One message per failure; Chinese first, then " / " English; row/column numbers only.
Error NotSpreadsheet();
Error EmptyFile();
Error Damaged();
Error ZipBomb();
Error CannotOpen();
Error CannotRead();
Error PasswordProtected();
Error NoWorksheet();
Error SharedStringsTooLarge(int64_t limit);
Error AbsurdDimension(int64_t row);
Error TooManyRows(int64_t limit);
Error TooManyColumns(int limit, int64_t row);
Error CellTooLong(int64_t row, int64_t column, int64_t limit);
Error UnterminatedQuote(int64_t row);
Error BadEncoding(int64_t row);
Error OutOfMemory();

// Excel's "General" display of a number: 15 significant digits, E notation for large/small.
std::string FormatNumber(double value);
Cell NumberCell(double value);
Cell TextCell(std::string text);

// How a cell's number format shows its value.
enum class DateStyle { kNone, kDate, kTime };

// A serial number under a date or time style; falls back to NumberCell when no real date
// matches (negative, past 9999-12-31, or 1900-02-29 which Excel invents).
Cell SerialCell(double serial, DateStyle style, bool date1904);

// A calendar day, `seconds` past midnight (0 for none).
Cell DateCell(Date date, int64_t seconds);

// Classifies a number format code ("yyyy\"年\"m\"月\"d\"日\"", "[h]:mm", "0.00", "@").
DateStyle ClassifyFormatCode(std::string_view code);
// Built-in number formats 14–22, 27–36, 45–47, 50–58.
DateStyle ClassifyBuiltinFormat(int id);

// Length of the valid UTF-8 prefix of `text`; sets *incomplete when what follows is the start of
// a sequence cut short by the end of `text` (and nothing invalid).
size_t ValidUtf8Prefix(std::string_view text, bool* incomplete);

class ReaderBase : public SheetReader {
 public:
  explicit ReaderBase(const ReadLimits& limits) : limits_(limits) {}
  Result<std::optional<Row>> Next() final;
  // Sticky errors as Next(); after true, Next() reads the new sheet.
  Result<bool> NextSheet() final;

 protected:
  // The next row as the format has it (may have empty cells, may be all empty); nullopt at end.
  virtual Result<std::optional<Row>> ReadRow() = 0;
  // Leaves the current sheet (read or not) for the next one ReadRow() reads; false when there is
  // none, and ReadRow() then stays at the end. Formats with one sheet keep this default.
  virtual Result<bool> AdvanceSheet() { return false; }
  const ReadLimits& limits() const { return limits_; }

 private:
  Result<std::optional<Row>> NextUnguarded();

  ReadLimits limits_;
  std::optional<Error> error_;
  bool done_ = false;
};

}  // namespace steward::sheet::internal
