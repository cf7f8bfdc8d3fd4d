// SheetReader: streaming reads of uploaded spreadsheets (.xlsx, .xls, .csv), one row at a time.
//
// What: OpenSheet picks the format by content (never by extension) and returns a reader that
// yields the first visible worksheet's rows in order; NextSheet() moves on to the next visible
// one (exports split past Excel's 1,048,576 rows into "居民信息", "居民信息(2)", ...). Nothing here
// knows what a column means; the importer does. Imports run to millions of rows, so no reader holds
// a sheet in memory: CSV is decoded in 1 MiB chunks, an .xlsx sheet is inflated and parsed through
// expat in 64 KiB chunks. (.xls is the exception: libfreexl loads the workbook at open, bounded by
// the format's 65,536 rows.)
//
// Threads: a reader is used by one thread at a time; distinct readers share nothing.
//
// Invariants of what Next() returns:
//   * rows come in the order of the file, with strictly useful content: a row whose cells are all
//     empty is not returned, and Row::number keeps its place (1-based, as the user sees it);
//   * cells are indexed by 0-based column, trailing empty cells are dropped, a text cell is never
//     empty (an empty string reads as kEmpty);
//   * all text is valid UTF-8 (CSV in GB18030 is converted); nothing is trimmed;
//   * once Next() fails it keeps returning the same error; after the end it keeps returning
//     nullopt.
//
// Errors are kInvalidArgument for every problem with the file itself (kNotFound/kUnavailable
// when it cannot be opened or read); messages are "中文 / English" and name rows and columns,
// never cell contents, which may be personal data.
//
// Limits (ReadLimits): rows (per sheet) and columns, inflated bytes and the compression ratio of
// each zip entry (zip bombs), the shared-string table, and the bytes of one cell.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace steward::sheet {

enum class CellKind { kEmpty, kText, kNumber, kDate, kBool, kError };

struct Cell {
  CellKind kind = CellKind::kEmpty;
  // As the user sees it: text as is; numbers in Excel's general form with 15 significant digits
  // ("42", "0.1", "3.31181199001011E+17" for an 18-digit ID typed as a number); dates as
  // "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when there is a time of day, or "HH:MM:SS" for a pure
  // time; booleans "TRUE"/"FALSE"; errors as Excel shows them ("#N/A").
  std::string text;
  // kNumber: the value. kDate: days since 1899-12-30 plus the fraction of the day (the 1900 date
  // system with its phantom 1900-02-29 removed, whatever system the workbook used); for a pure
  // time, the fraction. kBool: 1 or 0.
  double number = 0;
  // kDate with a calendar day only.
  std::optional<Date> date;
};

struct Row {
  int64_t number = 0;       // 1-based row number in the sheet (CSV: record number)
  std::vector<Cell> cells;  // by 0-based column; trailing empties omitted
};

enum class Format { kCsv, kXlsx, kXls };

struct ReadLimits {
  int64_t max_rows = 5'000'000;                  // a row numbered past this is an error (per sheet)
  int max_columns = 1000;                        // a cell in a column past this is an error
  int64_t max_uncompressed_bytes = 4LL << 30;    // per .xlsx, all entries and sheets, as inflated
  int64_t max_compression_ratio = 1000;          // per zip entry of more than 1 MiB
  int64_t max_shared_strings_bytes = 1LL << 30;  // the .xlsx shared-string table in memory
  int64_t max_cell_bytes = 1LL << 20;            // one cell's text (Excel's own limit is 32,767)
};

class SheetReader {
 public:
  virtual ~SheetReader() = default;
  virtual Format format() const = 0;
  // CSV: "UTF-8", "UTF-8 (BOM)" or "GB18030"; the others "UTF-8".
  virtual std::string encoding() const { return "UTF-8"; }
  // The next row with content; nullopt at the end. An error is final.
  virtual Result<std::optional<Row>> Next() = 0;
  // 0..1, by input bytes consumed (for progress lines); for .xlsx over all the sheets NextSheet
  // can reach (their XML sizes together), so it rises steadily from the first sheet to the last.
  virtual double progress() const = 0;
  // Moves to the next visible worksheet (xlsx; hidden sheets such as "_choices" and chart sheets
  // are skipped). Returns false when there is none (always false for csv and xls, which have one
  // sheet as read here). After true, Next() yields that sheet's rows, numbered from its own row 1.
  // May be called before the current sheet's end: its remaining rows are skipped. After false
  // Next() stays at the end; after an error (from Next() or NextSheet()) both return that error.
  virtual Result<bool> NextSheet();
  // The current worksheet's name as the workbook gives it ("" for csv and xls).
  virtual std::string sheet_name() const;
};

// Opens the first visible worksheet of the file at `path` (for CSV, the file), detecting the
// format.
Result<std::unique_ptr<SheetReader>> OpenSheet(const std::filesystem::path& path,
                                               const ReadLimits& limits = {});

// Same from memory (fuzzers, tests); `data` must outlive the reader. `format`, when given, skips
// detection by magic bytes (fuzzers use it to reach one parser with any input).
Result<std::unique_ptr<SheetReader>> OpenSheetFromMemory(
    std::string_view data, const ReadLimits& limits = {},
    std::optional<Format> format = std::nullopt);

const char* FormatName(Format format);  // "csv", "xlsx", "xls"

}  // namespace steward::sheet
