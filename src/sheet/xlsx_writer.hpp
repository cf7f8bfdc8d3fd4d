// XlsxWriter: writing .xlsx workbooks (exports, import templates, import reports) through
// libxlsxwriter, with the conventions offices expect.
//
// A sheet is set up once (SheetSetup) and then filled row by row: an optional merged title row
// ("城东社区居民信息（导出日期 2026-11-28）"), a header row (bold, grey fill, frozen so it stays in
// view, optional notes as cell comments and drop-down lists on the data cells below), then data
// rows. When a sheet reaches its row limit (Excel's 1,048,576 by default, title and header
// included) WriteRow continues on a new sheet named "<name>(2)", "<name>(3)", ... with the title
// and header repeated, so any number of rows fits and every sheet re-imports on its own.
//
// Cells are text, numbers or empty (CellValue). A column set up as ColumnFormat::kText carries
// Excel's "@" number format, so ID numbers, phones and dates typed later stay text; text cells are
// always written as strings, so "33118119800101105X" or "0578-7123456" never become numbers.
// CellStyle::kError fills a cell red and a cell note becomes a comment: import reports mark bad
// cells this way. Invalid UTF-8 is replaced by U+FFFD, so a stray byte never corrupts the file.
//
// Modes. kConstantMemory (exports) keeps one row in memory and streams the rest to temporary
// files in `temp_dir`; rows are only ever appended, which is all this class offers, so it works
// in both modes. In libxlsxwriter's constant-memory mode (checked against 1.1.4):
//   - strings are written inline (<c t="inlineStr">), not to the shared-string table: readers
//     must accept both forms;
//   - merged ranges only work inside the row being written: the title row is merged before any
//     other row is written, so it works; nothing else here merges;
//   - comments (header notes, cell notes), data validations (drop-down lists), column widths and
//     formats, frozen panes and hidden sheets all work: libxlsxwriter keeps them aside and writes
//     them at Close. Cell notes therefore cost memory per note, in both modes.
// kNormal (templates, small reports) keeps every cell in memory until Close.
//
// Drop-down lists: a short list (up to 250 bytes joined; Excel allows 255 characters, but
// libxlsxwriter 1.1.4 overflows a 258-byte buffer on longer lists of Chinese words) is written
// into the validation itself; a longer one, or one with a comma or a double quote in a choice,
// goes into one row of a hidden sheet named kChoiceSheetName and is referenced from there. Readers
// of workbooks should skip hidden sheets (and that name).
//
// Files: nothing appears at `path` until Close succeeds: the workbook is assembled in a temporary
// file beside it ("<path>.tmp-XXXXXX") and renamed over `path`, so a failed export never leaves a
// half-written file or clobbers the previous one. Destroying an unclosed writer discards it. The
// file is readable by its owner only (mode 0600, from mkstemp): exports hold personal data.
//
// Errors: every call returns Status/Result; no exceptions. libxlsxwriter's error numbers become
// kInvalidArgument (a value Excel cannot hold, such as a text over 32,767 characters, named by
// sheet, row and column), kUnavailable (I/O: the file or a temporary file could not be written)
// or kInternal. After an error the writer is unusable; destroy it.
// Thread-safety: none; one thread uses a writer at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace steward::sheet {

inline constexpr int64_t kMaxRowsPerSheet = 1'048'576;  // Excel's limit
inline constexpr int kMaxColumns = 16'384;              // Excel's limit
inline constexpr int kMaxSheetNameChars = 31;           // Excel's limit, in characters
inline constexpr std::string_view kChoiceSheetName = "_choices";

enum class CellStyle { kNormal, kError };

// One cell to write. Build with Text / Number / Empty.
struct CellValue {
  enum class Kind { kEmpty, kText, kNumber };
  Kind kind = Kind::kEmpty;
  std::string text;   // kText
  double number = 0;  // kNumber
  CellStyle style = CellStyle::kNormal;
  std::string note;  // xlsx only: a comment on the cell (empty: none); CSV ignores it

  static CellValue Text(std::string text, CellStyle style = CellStyle::kNormal);
  static CellValue Number(double number, CellStyle style = CellStyle::kNormal);
  static CellValue Empty(CellStyle style = CellStyle::kNormal);
};

enum class ColumnFormat { kGeneral, kText };  // kText: Excel's "@" format for the whole column

// How a drop-down list binds: kStrict refuses other values when typed; kSuggest only offers the
// list (for multi-valued cells such as tags "独居、党员", or open lists such as relations).
enum class ChoiceCheck { kStrict, kSuggest };

struct ColumnSetup {
  std::string header;
  double width = 0;  // in characters; 0: fitted to the header
  ColumnFormat format = ColumnFormat::kGeneral;
  std::string note;                  // comment on the header cell; empty: none
  std::vector<std::string> choices;  // drop-down list on every data cell; empty: none
  ChoiceCheck choice_check = ChoiceCheck::kStrict;
};

struct SheetSetup {
  std::string name;   // at most kMaxSheetNameChars characters, none of []:*?/\ and no edge '
  std::string title;  // merged title row above the header; empty: none. '\n' starts a new line
  std::vector<ColumnSetup> columns;
  // Rows per sheet, title and header included, before a continuation sheet starts. Tests lower it.
  int64_t rows_per_sheet = kMaxRowsPerSheet;
};

enum class Mode { kConstantMemory, kNormal };

class XlsxWriter {
 public:
  // `temp_dir` holds constant-memory mode's temporary files; empty: the folder of `path` (not
  // /tmp, which is often a RAM disk). kNotFound when the folder of `path` does not exist.
  static Result<std::unique_ptr<XlsxWriter>> Create(const std::filesystem::path& path, Mode mode,
                                                    const std::filesystem::path& temp_dir = {});
  ~XlsxWriter();  // an unclosed writer is discarded: no file appears
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  // Starts a sheet and writes its title and header rows. Later WriteRow calls fill it (and its
  // continuation sheets) until the next AddSheet. kInvalidArgument for a bad setup (no columns,
  // more than kMaxColumns, a bad or repeated name, rows_per_sheet too small or over the limit).
  Status AddSheet(SheetSetup setup);

  // Appends a data row to the current sheet; cells beyond the row's end are left empty. Starts a
  // continuation sheet first when the current one is full. kInvalidArgument for more cells than
  // columns, a non-finite number or a text Excel cannot hold; kFailedPrecondition before AddSheet.
  Status WriteRow(std::span<const CellValue> cells);

  // Assembles the workbook and moves it to `path`.
  Status Close();

  // Sheets holding rows, continuations included (the hidden choice sheet is not counted).
  int sheet_count() const { return sheet_count_; }
  // Data rows written over all sheets (title and header rows not counted).
  int64_t rows_written() const { return rows_written_; }

 private:
  XlsxWriter(std::filesystem::path path, std::filesystem::path temp_path, std::string temp_dir);

  // The bodies of AddSheet and WriteRow; their callers mark the writer failed on an error.
  Status StartSetup(SheetSetup setup);
  Status AppendRow(std::span<const CellValue> cells);
  Status StartSheet();  // the next sheet of the current setup
  Status WriteTitleAndHeader();
  // The validation source for a column's choices: an inline list, or a range on the choice sheet.
  Result<std::optional<std::string>> ChoiceRange(const std::vector<std::string>& choices);
  lxw_format* FormatFor(ColumnFormat format, CellStyle style) const;
  Status Check(int error, std::string_view what) const;  // maps a lxw_error
  std::string Where(int64_t column) const;               // "sheet 居民信息(2), cell C7"

  const std::filesystem::path path_;
  const std::filesystem::path temp_path_;  // the workbook is assembled here, then renamed
  const std::string temp_dir_;        // must outlive workbook_ (libxlsxwriter keeps the pointer)
  lxw_workbook* workbook_ = nullptr;  // owned; null once closed
  bool failed_ = false;

  lxw_format* title_format_ = nullptr;  // formats are owned by workbook_
  lxw_format* header_format_ = nullptr;
  lxw_format* text_format_ = nullptr;
  lxw_format* error_format_ = nullptr;
  lxw_format* error_text_format_ = nullptr;

  std::optional<SheetSetup> setup_;                        // the sheet being filled
  std::vector<std::optional<std::string>> choice_ranges_;  // per column of setup_; nullopt: none
  int continuation_ = 0;    // 1 for the first sheet of setup_, 2 for "(2)", ...
  std::string sheet_name_;  // of worksheet_
  lxw_worksheet* worksheet_ = nullptr;
  int64_t next_row_ = 0;  // 0-based row index in worksheet_
  int64_t first_data_row_ = 0;

  lxw_worksheet* choice_sheet_ = nullptr;  // created on the first long list
  int64_t choice_rows_ = 0;
  std::map<std::vector<std::string>, std::string> choice_range_of_;  // list -> its range

  int sheet_count_ = 0;
  int64_t rows_written_ = 0;
};

// `text` with every invalid UTF-8 sequence replaced by U+FFFD (both writers apply it).
std::string ValidUtf8(std::string_view text);

}  // namespace steward::sheet
