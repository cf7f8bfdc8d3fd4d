// CsvWriter: RFC 4180 CSV, streamed to a file, for exchanging rows with other systems.
//
// CSV is for systems, xlsx is for people. A CSV file cannot say "this column is text", so Excel
// opening one turns "33118119800101105X"-like digit strings into numbers and drops digits, and
// "0578-7123456" may become a date. Writing them as ="..." would protect them in Excel but break
// every re-import, so this writer does not: people should be handed .xlsx files (XlsxWriter).
//
// Format: fields separated by ',', records ended by CRLF; a field is quoted when it contains ',',
// '"', CR or LF, or starts or ends with a space, and quotes inside are doubled. No title row: the
// first record is the header. Numbers are written in the shortest form that reads back exactly
// (3, not 3.000000). Invalid UTF-8 is replaced by U+FFFD.
//
// Encodings: UTF-8 with a byte-order mark (the default: without the BOM Excel reads UTF-8 as the
// local code page and shows 居民 as mojibake), plain UTF-8, or GB18030 (through iconv) for older
// systems of the government network that expect it. GB18030 covers all of Unicode, so nothing is
// lost.
//
// Formula injection: a text cell starting with '=', '+', '-', '@', a tab or a CR would run as a
// formula when the file is opened in a spreadsheet. FormulaGuard::kApostrophe (the default)
// follows OWASP's "CSV Injection" advice and prefixes such a cell with a single quote ('), which
// spreadsheets show as text; importers should drop one leading ' before those characters. Number
// cells are never prefixed (a negative number is data, not a formula). kNone writes text as is,
// for systems that never open the file in a spreadsheet.
//
// Files: as XlsxWriter, rows go to a temporary file beside `path` (mode 0600) that Close renames
// over `path`; an unclosed writer leaves nothing behind.
// Thread-safety: none; one thread uses a writer at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "base/result.hpp"
#include "sheet/xlsx_writer.hpp"  // CellValue

namespace steward::sheet {

enum class CsvEncoding { kUtf8WithBom, kUtf8, kGb18030 };
enum class FormulaGuard { kApostrophe, kNone };

struct CsvOptions {
  CsvEncoding encoding = CsvEncoding::kUtf8WithBom;
  FormulaGuard formula_guard = FormulaGuard::kApostrophe;
};

class CsvWriter {
 public:
  // kNotFound when the folder of `path` does not exist; kUnavailable when it cannot be written.
  static Result<std::unique_ptr<CsvWriter>> Create(const std::filesystem::path& path,
                                                   CsvOptions options = {});
  ~CsvWriter();  // an unclosed writer is discarded: no file appears
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Writes one record; style and note of the cells are ignored. kInvalidArgument for a
  // non-finite number; kUnavailable when the disk refuses the bytes.
  Status WriteRow(std::span<const CellValue> cells);
  // Flushes, closes and moves the file to `path`.
  Status Close();

  int64_t rows_written() const { return rows_written_; }

 private:
  CsvWriter(std::filesystem::path path, std::filesystem::path temp_path, std::FILE* file,
            CsvOptions options);
  Status Put(std::string_view bytes);  // in the target encoding

  const std::filesystem::path path_;
  const std::filesystem::path temp_path_;
  std::FILE* file_;  // owned; null once closed
  const CsvOptions options_;
  void* converter_ = nullptr;  // iconv_t for GB18030, owned
  std::string line_;           // the record being built, UTF-8
  std::string encoded_;        // its GB18030 bytes
  bool failed_ = false;
  int64_t rows_written_ = 0;
};

}  // namespace steward::sheet
