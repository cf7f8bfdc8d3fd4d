#include "sheet/internal/reader_base.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <new>

#include "base/utf8.hpp"

namespace steward::sheet::internal {
namespace {

Error Invalid(std::string message) { return Error{ErrorCode::kInvalidArgument, message, {}}; }

std::string Str(int64_t value) { return std::to_string(value); }

// Days from 1970-01-01 back to 1899-12-30, day 0 of Excel's serials (1900 system, as corrected).
constexpr int64_t kSerialEpochDays = -25569;
// 9999-12-31, the last day Excel shows, as a corrected serial.
constexpr double kMaxSerial = 2958466.0;
// The 1904 system counts from 1904-01-01, 1462 days after 1899-12-30.
constexpr double k1904Offset = 1462.0;

std::string TimeOfDay(int64_t seconds) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return buffer;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Error NotSpreadsheet() {
  return Invalid(
      "不是可识别的表格文件（支持 .xlsx、.xls、.csv）/ not a spreadsheet (.xlsx, .xls or .csv)");
}
Error EmptyFile() { return Invalid("文件为空 / the file is empty"); }
Error Damaged() { return Invalid("文件已损坏或不完整 / the file is damaged or truncated"); }
Error ZipBomb() { return Invalid("文件异常（疑似压缩炸弹）/ suspicious file (zip bomb?)"); }
Error CannotOpen() {
  return Error{ErrorCode::kNotFound, "无法打开文件 / cannot open the file", {}};
}
Error CannotRead() {
  return Error{ErrorCode::kUnavailable, "读取文件失败 / cannot read the file", {}};
}
Error PasswordProtected() {
  return Invalid("文件有密码保护，请先取消密码 / the file is password-protected");
}
Error NoWorksheet() { return Invalid("工作簿中没有工作表 / the workbook has no worksheet"); }
Error SharedStringsTooLarge(int64_t limit) {
  return Invalid("共享字符串表超过 " + Str(limit) +
                 " 字节的上限 / the shared-string table is over " + Str(limit) +
                 " bytes (the limit)");
}
Error AbsurdDimension(int64_t row) {
  return Invalid("表格尺寸异常（第 " + Str(row) + " 行）/ absurd sheet dimension (row " + Str(row) +
                 ")");
}
Error TooManyRows(int64_t limit) {
  return Invalid("表格超过 " + Str(limit) + " 行的上限 / the sheet has more than " + Str(limit) +
                 " rows (the limit)");
}
Error TooManyColumns(int limit, int64_t row) {
  return Invalid("表格尺寸异常：超过 " + Str(limit) + " 列的上限（第 " + Str(row) +
                 " 行）/ absurd sheet dimension: more than " + Str(limit) +
                 " columns (the limit; row " + Str(row) + ")");
}
Error CellTooLong(int64_t row, int64_t column, int64_t limit) {
  return Invalid("第 " + Str(row) + " 行第 " + Str(column) + " 列的内容超过 " + Str(limit) +
                 " 字节的上限 / row " + Str(row) + ", column " + Str(column) + ": more than " +
                 Str(limit) + " bytes in one cell (the limit)");
}
Error UnterminatedQuote(int64_t row) {
  return Invalid("第 " + Str(row) + " 行的引号没有闭合 / row " + Str(row) +
                 ": a quoted field is not closed");
}
Error BadEncoding(int64_t row) {
  return Invalid("第 " + Str(row) + " 行的文字编码有误（应为 UTF-8 或 GB18030）/ row " + Str(row) +
                 ": invalid text encoding (expected UTF-8 or GB18030)");
}
Error OutOfMemory() {
  return Error{
      ErrorCode::kUnavailable, "内存不足，无法读取文件 / out of memory reading the file", {}};
}

std::string FormatNumber(double value) {
  if (value == 0) return "0";  // also -0
  // As printf("%.15g"), several times faster.
  char buffer[32];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 15);
  std::string text(buffer, error == std::errc() ? end : buffer);
  for (char& c : text) {
    if (c == 'e') c = 'E';
  }
  return text;
}

Cell NumberCell(double value) {
  Cell cell;
  cell.kind = CellKind::kNumber;
  cell.number = value;
  cell.text = FormatNumber(value);
  return cell;
}

Cell TextCell(std::string text) {
  Cell cell;
  if (text.empty()) return cell;
  cell.kind = CellKind::kText;
  cell.text = std::move(text);
  return cell;
}

Cell SerialCell(double serial, DateStyle style, bool date1904) {
  if (style == DateStyle::kNone || !std::isfinite(serial) || serial < 0) return NumberCell(serial);
  if (style == DateStyle::kTime) {
    // A time format shows the time of day only, whatever the day.
    int64_t seconds = std::llround((serial - std::floor(serial)) * 86400.0);
    if (seconds >= 86400) seconds = 0;
    Cell cell;
    cell.kind = CellKind::kDate;
    cell.number = serial;
    cell.text = TimeOfDay(seconds);
    return cell;
  }
  double corrected = serial;
  if (date1904) {
    corrected = serial + k1904Offset;
  } else if (serial < 1) {
    return NumberCell(serial);  // "1900-01-00"
  } else if (serial < 60) {
    corrected = serial + 1;  // before Excel's phantom 1900-02-29
  } else if (serial < 61) {
    return NumberCell(serial);  // 1900-02-29 itself
  }
  if (corrected >= kMaxSerial) return NumberCell(serial);
  const int64_t total_seconds = std::llround(corrected * 86400.0);
  if (total_seconds / 86400 >= static_cast<int64_t>(kMaxSerial)) return NumberCell(serial);
  return DateCell(Date::FromDays(kSerialEpochDays + total_seconds / 86400), total_seconds % 86400);
}

Cell DateCell(Date date, int64_t seconds) {
  Cell cell;
  cell.kind = CellKind::kDate;
  cell.number = static_cast<double>(date.ToDays() - kSerialEpochDays) + seconds / 86400.0;
  cell.date = date;
  cell.text = date.ToString();
  if (seconds != 0) cell.text += " " + TimeOfDay(seconds);
  return cell;
}

DateStyle ClassifyFormatCode(std::string_view code) {
  bool year_or_day = false, month = false, hour_or_second = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    switch (c) {
      case '"': {  // literal text
        const size_t close = code.find('"', i + 1);
        if (close == std::string_view::npos) return DateStyle::kNone;
        i = close;
        continue;
      }
      case '\\':  // escaped character
      case '_':   // space as wide as the next character
      case '*':   // fill with the next character
        ++i;
        continue;
      case '[': {  // colour, condition, locale; or elapsed time [h] [mm] [ss]
        const size_t close = code.find(']', i + 1);
        if (close == std::string_view::npos) return DateStyle::kNone;
        const std::string_view inside = code.substr(i + 1, close - i - 1);
        if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos) {
          hour_or_second = true;
        }
        i = close;
        continue;
      }
      default:
        break;
    }
    if (StartsWithNoCase(code.substr(i), "am/pm")) {
      hour_or_second = true;
      i += 4;
      continue;
    }
    if (StartsWithNoCase(code.substr(i), "a/p")) {
      hour_or_second = true;
      i += 2;
      continue;
    }
    switch (c) {
      case 'y':
      case 'Y':
      case 'd':
      case 'D':
        year_or_day = true;
        break;
      case 'm':
      case 'M':
        month = true;
        break;
      case 'h':
      case 'H':
      case 's':
      case 'S':
        hour_or_second = true;
        break;
      default:
        break;
    }
  }
  if (year_or_day) return DateStyle::kDate;
  if (hour_or_second) return DateStyle::kTime;  // "m" next to h or s is minutes
  if (month) return DateStyle::kDate;
  return DateStyle::kNone;
}

DateStyle ClassifyBuiltinFormat(int id) {
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
      (id >= 50 && id <= 54) || id == 57 || id == 58) {
    return DateStyle::kDate;
  }
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 ||
      id == 56) {
    return DateStyle::kTime;
  }
  return DateStyle::kNone;
}

size_t ValidUtf8Prefix(std::string_view text, bool* incomplete) {
  *incomplete = false;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i, incomplete);
    if (length == 0) return i;
    i += length;
  }
  return text.size();
}

Result<std::optional<Row>> ReaderBase::Next() {
  if (error_) return tl::unexpected(*error_);
  if (done_) return std::optional<Row>();
  Result<std::optional<Row>> result = std::optional<Row>();
  try {
    result = NextUnguarded();
  } catch (const std::bad_alloc&) {
    result = tl::unexpected(OutOfMemory());
  } catch (const std::exception&) {
    result = tl::unexpected(Damaged());
  }
  if (!result) {
    error_ = result.error();
  } else if (!*result) {
    done_ = true;
  }
  return result;
}

Result<bool> ReaderBase::NextSheet() {
  if (error_) return tl::unexpected(*error_);
  Result<bool> result = false;
  try {
    result = AdvanceSheet();
  } catch (const std::bad_alloc&) {
    result = tl::unexpected(OutOfMemory());
  } catch (const std::exception&) {
    result = tl::unexpected(Damaged());
  }
  if (!result) {
    error_ = result.error();
  } else if (*result) {
    done_ = false;
  } else {
    done_ = true;
  }
  return result;
}

Result<std::optional<Row>> ReaderBase::NextUnguarded() {
  while (true) {
    STEWARD_ASSIGN_OR_RETURN(std::optional<Row> row, ReadRow());
    if (!row) return row;
    auto& cells = row->cells;
    for (Cell& cell : cells) {
      if (cell.kind == CellKind::kText && cell.text.empty()) cell = Cell{};
    }
    while (!cells.empty() && cells.back().kind == CellKind::kEmpty) cells.pop_back();
    if (cells.empty()) continue;
    if (row->number > limits_.max_rows) return tl::unexpected(TooManyRows(limits_.max_rows));
    return row;
  }
}

}  // namespace steward::sheet::internal
