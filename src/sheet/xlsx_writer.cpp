#include "sheet/xlsx_writer.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <system_error>

#include "base/utf8.hpp"

namespace steward::sheet {
namespace {

constexpr lxw_color_t kHeaderFill = 0xD9D9D9;  // light grey
constexpr lxw_color_t kErrorFill = 0xFFC7CE;   // Excel's "bad" red
constexpr lxw_color_t kErrorFont = 0x9C0006;
constexpr double kRowPoints = 15;         // Excel's default row height
constexpr double kTitleLinePoints = 20;   // per line of the title (14 pt font)
constexpr size_t kMaxCellChars = 32'767;  // Excel's limit for a cell's text
constexpr uint8_t kTextFormatIndex = 49;  // Excel's built-in number format "@" (text)
// libxlsxwriter 1.1.4 joins an inline list into a 258-byte buffer while checking Excel's
// 255-character limit in characters, so a list of Chinese words past 258 bytes overflows it.
// Inline lists are therefore kept well under that in bytes; longer ones go to the choice sheet.
constexpr size_t kMaxInlineListBytes = 250;

// UTF-8 characters in `text` (continuation bytes not counted); `text` is valid UTF-8.
size_t CharCount(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The first `chars` characters of valid UTF-8 `text`.
std::string_view TakeChars(std::string_view text, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == chars) {
      return text.substr(0, i);
    }
  }
  return text;
}

// Display width in Excel's character units: CJK and other wide characters count two.
double DisplayWidth(std::string_view text) {
  double width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;
    width += byte >= 0xE0 ? 2 : 1;  // 3- and 4-byte sequences: CJK, full-width forms
  }
  return width;
}

// "A", "B", ..., "Z", "AA", ... for a 0-based column.
std::string ColumnName(int64_t column) {
  std::string name;
  for (int64_t n = column + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

bool IsIoError(lxw_error error) {
  switch (error) {
    case LXW_ERROR_CREATING_XLSX_FILE:
    case LXW_ERROR_CREATING_TMPFILE:
    case LXW_ERROR_READING_TMPFILE:
    case LXW_ERROR_ZIP_FILE_OPERATION:
    case LXW_ERROR_ZIP_FILE_ADD:
    case LXW_ERROR_ZIP_CLOSE:
      return true;
    default:
      return false;
  }
}

bool IsValueError(lxw_error error) {
  switch (error) {
    case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_32_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_128_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_255_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
    case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
    case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
    case LXW_ERROR_SHEETNAME_ALREADY_USED:
    case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string ValidUtf8(std::string_view text) { return RepairUtf8(text); }

CellValue CellValue::Text(std::string text, CellStyle style) {
  CellValue cell;
  cell.kind = Kind::kText;
  cell.text = std::move(text);
  cell.style = style;
  return cell;
}

CellValue CellValue::Number(double number, CellStyle style) {
  CellValue cell;
  cell.kind = Kind::kNumber;
  cell.number = number;
  cell.style = style;
  return cell;
}

CellValue CellValue::Empty(CellStyle style) {
  CellValue cell;
  cell.style = style;
  return cell;
}

XlsxWriter::XlsxWriter(std::filesystem::path path, std::filesystem::path temp_path,
                       std::string temp_dir)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), temp_dir_(std::move(temp_dir)) {}

XlsxWriter::~XlsxWriter() {
  if (workbook_) lxw_workbook_free(workbook_);
  if (!temp_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

Result<std::unique_ptr<XlsxWriter>> XlsxWriter::Create(const std::filesystem::path& path, Mode mode,
                                                       const std::filesystem::path& temp_dir) {
  std::filesystem::path folder = path.parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return Fail(ErrorCode::kNotFound, "no folder " + folder.string() + " for " + path.string());
  }
  if (path.filename().empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no file name in " + path.string());
  }
  // Reserve a unique temporary name beside the target; libxlsxwriter overwrites it at Close.
  std::string temp = path.string() + ".tmp-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create a file in " + folder.string() + ": " + std::strerror(errno));
  }
  ::close(fd);
  const std::filesystem::path scratch = temp_dir.empty() ? folder : temp_dir;
  std::unique_ptr<XlsxWriter> writer(new XlsxWriter(path, temp, scratch.string()));

  lxw_workbook_options options{};
  options.constant_memory = mode == Mode::kConstantMemory ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = const_cast<char*>(writer->temp_dir_.c_str());
  options.use_zip64 = LXW_FALSE;  // a full sheet of our exports stays far below 4 GB
  writer->workbook_ = workbook_new_opt(temp.c_str(), &options);
  if (!writer->workbook_) {
    return Fail(ErrorCode::kInternal, "libxlsxwriter could not start a workbook");
  }
  lxw_workbook* book = writer->workbook_;
  writer->title_format_ = workbook_add_format(book);
  format_set_bold(writer->title_format_);
  format_set_font_size(writer->title_format_, 14);
  format_set_align(writer->title_format_, LXW_ALIGN_CENTER);
  format_set_align(writer->title_format_, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(writer->title_format_);
  writer->header_format_ = workbook_add_format(book);
  format_set_bold(writer->header_format_);
  format_set_bg_color(writer->header_format_, kHeaderFill);
  format_set_border(writer->header_format_, LXW_BORDER_THIN);
  format_set_align(writer->header_format_, LXW_ALIGN_CENTER);
  format_set_align(writer->header_format_, LXW_ALIGN_VERTICAL_CENTER);
  writer->text_format_ = workbook_add_format(book);
  format_set_num_format_index(writer->text_format_, kTextFormatIndex);
  writer->error_format_ = workbook_add_format(book);
  format_set_bg_color(writer->error_format_, kErrorFill);
  format_set_font_color(writer->error_format_, kErrorFont);
  writer->error_text_format_ = workbook_add_format(book);
  format_set_bg_color(writer->error_text_format_, kErrorFill);
  format_set_font_color(writer->error_text_format_, kErrorFont);
  format_set_num_format_index(writer->error_text_format_, kTextFormatIndex);
  return writer;
}

Status XlsxWriter::Check(int error, std::string_view what) const {
  const auto code = static_cast<lxw_error>(error);
  if (code == LXW_NO_ERROR) return Ok();
  std::string message = std::string(what) + ": " + lxw_strerror(code);
  const ErrorCode mapped = IsIoError(code)      ? ErrorCode::kUnavailable
                           : IsValueError(code) ? ErrorCode::kInvalidArgument
                                                : ErrorCode::kInternal;
  return Fail(mapped, std::move(message));
}

std::string XlsxWriter::Where(int64_t column) const {
  return "sheet " + sheet_name_ + ", cell " + ColumnName(column) + std::to_string(next_row_ + 1);
}

lxw_format* XlsxWriter::FormatFor(ColumnFormat format, CellStyle style) const {
  const bool text = format == ColumnFormat::kText;
  if (style == CellStyle::kError) return text ? error_text_format_ : error_format_;
  return text ? text_format_ : nullptr;
}

Status XlsxWriter::AddSheet(SheetSetup setup) {
  if (!workbook_ || failed_) {
    return Fail(ErrorCode::kFailedPrecondition, "the workbook is closed or failed");
  }
  auto added = StartSetup(std::move(setup));
  if (!added) failed_ = true;
  return added;
}

Status XlsxWriter::StartSetup(SheetSetup setup) {
  setup.name = ValidUtf8(setup.name);
  setup.title = ValidUtf8(setup.title);
  if (setup.columns.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "sheet " + setup.name + " has no columns");
  }
  if (setup.columns.size() > static_cast<size_t>(kMaxColumns)) {
    return Fail(ErrorCode::kInvalidArgument,
                "sheet " + setup.name + " has more than 16,384 columns");
  }
  const int64_t header_rows = setup.title.empty() ? 1 : 2;
  if (setup.rows_per_sheet <= header_rows || setup.rows_per_sheet > kMaxRowsPerSheet) {
    return Fail(ErrorCode::kInvalidArgument,
                "rows per sheet must leave room for data and stay within 1,048,576");
  }
  if (setup.name.empty() || CharCount(setup.name) > kMaxSheetNameChars) {
    return Fail(ErrorCode::kInvalidArgument,
                "a sheet name needs 1 to 31 characters: '" + setup.name + "'");
  }
  for (auto& column : setup.columns) {
    column.header = ValidUtf8(column.header);
    column.note = ValidUtf8(column.note);
    for (auto& choice : column.choices) choice = ValidUtf8(choice);
  }
  setup_ = std::move(setup);
  choice_ranges_.clear();
  continuation_ = 0;
  return StartSheet();
}

Status XlsxWriter::StartSheet() {
  ++continuation_;
  if (continuation_ == 1) {
    sheet_name_ = setup_->name;
  } else {
    const std::string suffix = "(" + std::to_string(continuation_) + ")";
    sheet_name_ = std::string(TakeChars(setup_->name, kMaxSheetNameChars - suffix.size())) + suffix;
  }
  STEWARD_TRY(Check(workbook_validate_sheet_name(workbook_, sheet_name_.c_str()),
                    "sheet name '" + sheet_name_ + "'"));
  worksheet_ = workbook_add_worksheet(workbook_, sheet_name_.c_str());
  if (!worksheet_) {
    return Fail(ErrorCode::kUnavailable,
                "cannot add sheet " + sheet_name_ + " (temporary files go to " + temp_dir_ + ")");
  }
  ++sheet_count_;
  next_row_ = 0;
  if (continuation_ == 1) {
    // After the sheet itself, so a choice sheet created here never comes first in the workbook.
    for (const auto& column : setup_->columns) {
      if (column.choices.empty()) {
        choice_ranges_.emplace_back();
        continue;
      }
      STEWARD_ASSIGN_OR_RETURN(auto range, ChoiceRange(column.choices));
      choice_ranges_.push_back(std::move(range));
    }
  }
  return WriteTitleAndHeader();
}

Result<std::optional<std::string>> XlsxWriter::ChoiceRange(
    const std::vector<std::string>& choices) {
  size_t joined = choices.size() - 1;  // the commas
  bool plain = true;
  for (const auto& choice : choices) {
    joined += choice.size();
    plain = plain && !choice.empty() && choice.find_first_of(",\"") == std::string::npos;
  }
  if (plain && joined <= kMaxInlineListBytes) return std::nullopt;  // the list goes inline
  if (choices.size() > static_cast<size_t>(kMaxColumns)) {
    return Fail(ErrorCode::kInvalidArgument, "a drop-down list is limited to 16,384 choices");
  }
  if (auto known = choice_range_of_.find(choices); known != choice_range_of_.end()) {
    return std::optional(known->second);
  }
  if (!choice_sheet_) {
    STEWARD_TRY(Check(workbook_validate_sheet_name(workbook_, kChoiceSheetName.data()),
                      "sheet name '" + std::string(kChoiceSheetName) + "'"));
    choice_sheet_ = workbook_add_worksheet(workbook_, kChoiceSheetName.data());
    if (!choice_sheet_) {
      return Fail(ErrorCode::kUnavailable, "cannot add the sheet of drop-down lists");
    }
    worksheet_hide(choice_sheet_);
  }
  // One list per row: rows only grow, which constant-memory mode requires.
  const auto row = static_cast<lxw_row_t>(choice_rows_++);
  for (size_t i = 0; i < choices.size(); ++i) {
    STEWARD_TRY(Check(worksheet_write_string(choice_sheet_, row, static_cast<lxw_col_t>(i),
                                             choices[i].c_str(), text_format_),
                      "drop-down list"));
  }
  const std::string excel_row = std::to_string(row + 1);
  std::string range = "='" + std::string(kChoiceSheetName) + "'!$A$" + excel_row + ":$" +
                      ColumnName(static_cast<int64_t>(choices.size()) - 1) + "$" + excel_row;
  choice_range_of_.emplace(choices, range);
  return std::optional(std::move(range));
}

Status XlsxWriter::WriteTitleAndHeader() {
  const auto& columns = setup_->columns;
  const auto last_column = static_cast<lxw_col_t>(columns.size() - 1);
  lxw_row_t header_row = 0;
  if (!setup_->title.empty()) {
    const auto lines = 1 + std::count(setup_->title.begin(), setup_->title.end(), '\n');
    STEWARD_TRY(Check(worksheet_set_row(worksheet_, 0, kTitleLinePoints * lines + 4, nullptr),
                      "title row of " + sheet_name_));
    const char* title = setup_->title.c_str();
    if (last_column > 0) {
      // Merging works in constant-memory mode only while row 0 is the row being written.
      STEWARD_TRY(
          Check(worksheet_merge_range(worksheet_, 0, 0, 0, last_column, title, title_format_),
                "title row of " + sheet_name_));
    } else {
      STEWARD_TRY(Check(worksheet_write_string(worksheet_, 0, 0, title, title_format_),
                        "title row of " + sheet_name_));
    }
    header_row = 1;
  }
  STEWARD_TRY(Check(worksheet_set_row(worksheet_, header_row, kRowPoints + 5, nullptr),
                    "header row of " + sheet_name_));
  const auto last_row = static_cast<lxw_row_t>(setup_->rows_per_sheet - 1);
  for (lxw_col_t c = 0; c <= last_column; ++c) {
    const ColumnSetup& column = columns[c];
    const double width =
        column.width > 0 ? column.width : std::clamp(DisplayWidth(column.header) + 4, 8.0, 60.0);
    STEWARD_TRY(Check(
        worksheet_set_column(worksheet_, c, c, width, FormatFor(column.format, CellStyle::kNormal)),
        "column width"));
    STEWARD_TRY(Check(
        worksheet_write_string(worksheet_, header_row, c, column.header.c_str(), header_format_),
        "header " + column.header));
    if (!column.note.empty()) {
      lxw_comment_options options{};
      options.x_scale = 2;  // room for a sentence of Chinese
      options.y_scale = 1.5;
      STEWARD_TRY(Check(
          worksheet_write_comment_opt(worksheet_, header_row, c, column.note.c_str(), &options),
          "note on header " + column.header));
    }
    if (!column.choices.empty()) {
      lxw_data_validation validation{};
      std::vector<char*> list;
      const auto& range = choice_ranges_[c];
      if (range) {
        validation.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        validation.value_formula = const_cast<char*>(range->c_str());
      } else {
        validation.validate = LXW_VALIDATION_TYPE_LIST;
        for (const auto& choice : column.choices) list.push_back(const_cast<char*>(choice.c_str()));
        list.push_back(nullptr);
        validation.value_list = list.data();
      }
      validation.show_error =
          column.choice_check == ChoiceCheck::kStrict ? LXW_VALIDATION_ON : LXW_VALIDATION_OFF;
      STEWARD_TRY(Check(
          worksheet_data_validation_range(worksheet_, header_row + 1, c, last_row, c, &validation),
          "drop-down list of " + column.header));
    }
  }
  worksheet_freeze_panes(worksheet_, header_row + 1, 0);
  first_data_row_ = header_row + 1;
  next_row_ = first_data_row_;
  return Ok();
}

Status XlsxWriter::WriteRow(std::span<const CellValue> cells) {
  if (!workbook_ || failed_) {
    return Fail(ErrorCode::kFailedPrecondition, "the workbook is closed or failed");
  }
  if (!setup_) return Fail(ErrorCode::kFailedPrecondition, "WriteRow before AddSheet");
  auto written = AppendRow(cells);
  if (!written) failed_ = true;
  return written;
}

Status XlsxWriter::AppendRow(std::span<const CellValue> cells) {
  const auto& columns = setup_->columns;
  if (cells.size() > columns.size()) {
    return Fail(ErrorCode::kInvalidArgument, "a row of " + std::to_string(cells.size()) +
                                                 " cells for " + std::to_string(columns.size()) +
                                                 " columns on sheet " + sheet_name_);
  }
  if (next_row_ >= setup_->rows_per_sheet) STEWARD_TRY(StartSheet());
  const auto row = static_cast<lxw_row_t>(next_row_);
  for (size_t c = 0; c < cells.size(); ++c) {
    const CellValue& cell = cells[c];
    const auto col = static_cast<lxw_col_t>(c);
    lxw_format* format = FormatFor(columns[c].format, cell.style);
    lxw_error error = LXW_NO_ERROR;
    switch (cell.kind) {
      case CellValue::Kind::kText: {
        // Copies only the rare text that needs repair: exports write millions of cells.
        std::string repaired;
        const std::string* text = &cell.text;
        if (FirstInvalidUtf8(cell.text) != std::string_view::npos) {
          repaired = ValidUtf8(cell.text);
          text = &repaired;
        }
        if (text->size() > kMaxCellChars && CharCount(*text) > kMaxCellChars) {
          return Fail(ErrorCode::kInvalidArgument,
                      Where(col) + ": a text over 32,767 characters does not fit in a cell");
        }
        error = worksheet_write_string(worksheet_, row, col, text->c_str(), format);
        break;
      }
      case CellValue::Kind::kNumber:
        if (!std::isfinite(cell.number)) {
          return Fail(ErrorCode::kInvalidArgument, Where(col) + ": not a finite number");
        }
        error = worksheet_write_number(worksheet_, row, col, cell.number, format);
        break;
      case CellValue::Kind::kEmpty:
        // A blank without a format is nothing; a red blank marks a missing required value.
        if (cell.style != CellStyle::kNormal) {
          error = worksheet_write_blank(worksheet_, row, col, format);
        }
        break;
    }
    STEWARD_TRY(Check(error, Where(col)));
    if (!cell.note.empty()) {
      const std::string note = ValidUtf8(cell.note);
      STEWARD_TRY(Check(worksheet_write_comment(worksheet_, row, col, note.c_str()), Where(col)));
    }
  }
  ++next_row_;
  ++rows_written_;
  return Ok();
}

Status XlsxWriter::Close() {
  if (!workbook_) return Fail(ErrorCode::kFailedPrecondition, "the workbook is already closed");
  if (failed_) return Fail(ErrorCode::kFailedPrecondition, "the workbook failed earlier");
  lxw_workbook* book = workbook_;
  workbook_ = nullptr;  // workbook_close frees it whatever happens
  errno = 0;
  if (auto closed = Check(workbook_close(book), "writing " + path_.string()); !closed) {
    Error error = std::move(closed).error();
    if (error.code == ErrorCode::kUnavailable && errno != 0) {
      error.message += std::string(" (") + std::strerror(errno) + ")";
    }
    return tl::unexpected(std::move(error));
  }
  std::error_code ec;
  std::filesystem::rename(temp_path_, path_, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                "cannot move the workbook to " + path_.string() + ": " + ec.message());
  }
  return Ok();
}

}  // namespace steward::sheet

#if defined(__SANITIZE_ADDRESS__)
// libxlsxwriter 1.1.4 copies the formula of a list-formula validation twice in
// worksheet_data_validation_range and frees one copy: a few bytes leak per drop-down list that
// refers to the choice sheet. Tell LeakSanitizer, so sanitizer builds (make test) report only our
// own leaks. The match is on lxw_strdup because the fast unwinder stops inside the library (built
// without frame pointers); only libxlsxwriter calls it. A program may define this hook once;
// further suppressions belong here.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:worksheet_data_validation_range\nleak:lxw_strdup\n";
}
#endif
