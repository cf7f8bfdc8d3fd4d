// .xls (BIFF5/BIFF8) through libfreexl. freexl_open parses the whole workbook into memory (the
// format caps a sheet at 65,536 rows); rows are then handed out one at a time. freexl has already
// decided which numbers are dates (by their formats) and formats them as text; booleans and error
// values arrive as integers, which the format cannot tell apart from numbers.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <freexl.h>
#include <unistd.h>

#include "sheet/internal/reader_base.hpp"
#include "sheet/internal/readers.hpp"

namespace steward::sheet::internal {
namespace {

Error NotWorkbook() {
  return Error{ErrorCode::kInvalidArgument,
               "不是 Excel 工作簿，或文件有密码保护 / not an Excel workbook, or password-protected",
               {}};
}

bool ParseTime(std::string_view text, int64_t* seconds) {
  // "HH:MM:SS"
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
  int64_t total = 0;
  for (const size_t at : {0, 3, 6}) {
    const char high = text[at], low = text[at + 1];
    if (high < '0' || high > '9' || low < '0' || low > '9') return false;
    total = total * 60 + (high - '0') * 10 + (low - '0');
  }
  *seconds = total;
  return true;
}

Cell TextOrDate(const char* value, unsigned char type) {
  const std::string_view text = value != nullptr ? value : "";
  Date date;
  int64_t seconds = 0;
  switch (type) {
    case FREEXL_CELL_DATE:
      if (Date::Parse(text, &date)) return DateCell(date, 0);
      break;
    case FREEXL_CELL_DATETIME:
      if (text.size() == 19 && text[10] == ' ' && Date::Parse(text.substr(0, 10), &date) &&
          ParseTime(text.substr(11), &seconds)) {
        if (seconds >= 86400) {  // freexl rounds 23:59:59.6 up to "24:00:00"
          date = Date::FromDays(date.ToDays() + 1);
          seconds -= 86400;
        }
        return DateCell(date, seconds);
      }
      break;
    case FREEXL_CELL_TIME:
      if (ParseTime(text, &seconds)) {
        Cell cell;
        cell.kind = CellKind::kDate;
        cell.number = seconds / 86400.0;
        cell.text = std::string(text);
        return cell;
      }
      break;
    default:
      break;
  }
  return TextCell(std::string(text));  // also freexl's "1900-02-29", a day that never was
}

class XlsReader final : public ReaderBase {
 public:
  XlsReader(const void* handle, unsigned rows, unsigned columns, const ReadLimits& limits)
      : ReaderBase(limits), handle_(handle), rows_(rows), columns_(columns) {}
  ~XlsReader() override { freexl_close(handle_); }

  Format format() const override { return Format::kXls; }
  double progress() const override {
    return rows_ == 0 ? 1 : static_cast<double>(next_row_) / static_cast<double>(rows_);
  }

 protected:
  Result<std::optional<Row>> ReadRow() override {
    if (next_row_ >= rows_) return std::optional<Row>();
    Row row;
    row.number = static_cast<int64_t>(next_row_) + 1;
    for (unsigned column = 0; column < columns_; ++column) {
      FreeXL_CellValue value;
      if (freexl_get_cell_value(handle_, next_row_, static_cast<unsigned short>(column), &value) !=
          FREEXL_OK) {
        return tl::unexpected(Damaged());
      }
      Cell cell;
      switch (value.type) {
        case FREEXL_CELL_INT:
          cell = NumberCell(value.value.int_value);
          break;
        case FREEXL_CELL_DOUBLE:
          cell = NumberCell(value.value.double_value);
          break;
        case FREEXL_CELL_TEXT:
        case FREEXL_CELL_SST_TEXT:
        case FREEXL_CELL_DATE:
        case FREEXL_CELL_DATETIME:
        case FREEXL_CELL_TIME:
          cell = TextOrDate(value.value.text_value, value.type);
          break;
        default:
          break;
      }
      if (cell.kind == CellKind::kEmpty) continue;
      if (static_cast<int64_t>(cell.text.size()) > limits().max_cell_bytes) {
        return tl::unexpected(CellTooLong(row.number, column + 1, limits().max_cell_bytes));
      }
      if (static_cast<int>(column) >= limits().max_columns) {
        return tl::unexpected(TooManyColumns(limits().max_columns, row.number));
      }
      row.cells.resize(column + 1);
      row.cells[column] = std::move(cell);
    }
    ++next_row_;
    return row;
  }

 private:
  const void* handle_;
  unsigned rows_;
  unsigned columns_;
  unsigned next_row_ = 0;
};

Error FromFreexl(int code) {
  switch (code) {
    case FREEXL_FILE_NOT_FOUND:
      return CannotOpen();
    case FREEXL_INSUFFICIENT_MEMORY:
      return OutOfMemory();
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
      return NotWorkbook();  // e.g. an encrypted .xlsx, or a Word .doc
    default:
      return Damaged();
  }
}

}  // namespace

Result<std::unique_ptr<SheetReader>> OpenXlsFile(const std::filesystem::path& path,
                                                 const ReadLimits& limits) {
  const void* handle = nullptr;
  const int opened = freexl_open(path.c_str(), &handle);
  if (opened != FREEXL_OK) {
    if (handle != nullptr) freexl_close(handle);
    return tl::unexpected(FromFreexl(opened));
  }
  std::unique_ptr<const void, int (*)(const void*)> owner(handle, &freexl_close);
  unsigned info = 0;
  if (freexl_get_info(handle, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
      info == FREEXL_BIFF_OBFUSCATED) {
    return tl::unexpected(PasswordProtected());
  }
  if (freexl_get_info(handle, FREEXL_BIFF_SHEET_COUNT, &info) != FREEXL_OK || info == 0) {
    return tl::unexpected(NoWorksheet());
  }
  unsigned rows = 0;
  unsigned short columns = 0;
  if (freexl_select_active_worksheet(handle, 0) != FREEXL_OK ||
      freexl_worksheet_dimensions(handle, &rows, &columns) != FREEXL_OK) {
    return tl::unexpected(Damaged());
  }
  if (rows > kMaxSheetRows) return tl::unexpected(AbsurdDimension(rows));
  owner.release();
  return std::unique_ptr<SheetReader>(new XlsReader(handle, rows, columns, limits));
}

Result<std::unique_ptr<SheetReader>> OpenXlsMemory(std::string_view data,
                                                   const ReadLimits& limits) {
  const char* folder = std::getenv("TMPDIR");
  std::string path =
      std::string(folder != nullptr && *folder != '\0' ? folder : "/tmp") + "/steward-xls-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0)
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, "无法创建临时文件 / cannot create a temporary file", {}});
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t count = ::write(fd, data.data() + written, data.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    written += static_cast<size_t>(count);
  }
  ::close(fd);
  if (written < data.size()) {
    ::unlink(path.c_str());
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, "无法写入临时文件 / cannot write a temporary file", {}});
  }
  // freexl_open reads the whole workbook and keeps only its open FILE: the name can go now.
  Result<std::unique_ptr<SheetReader>> reader = OpenXlsFile(path, limits);
  ::unlink(path.c_str());
  return reader;
}

}  // namespace steward::sheet::internal
