#include "sheet/csv_writer.hpp"

#include <iconv.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace steward::sheet {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kFileBuffer = 1 << 20;

bool NeedsGuard(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

bool NeedsQuotes(std::string_view text) {
  return text.find_first_of(",\"\r\n") != std::string_view::npos ||
         (!text.empty() && (text.front() == ' ' || text.back() == ' '));
}

void AppendField(std::string& line, std::string_view text) {
  if (!NeedsQuotes(text)) {
    line += text;
    return;
  }
  line += '"';
  for (char c : text) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

}  // namespace

CsvWriter::CsvWriter(std::filesystem::path path, std::filesystem::path temp_path, std::FILE* file,
                     CsvOptions options)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), file_(file), options_(options) {}

CsvWriter::~CsvWriter() {
  if (converter_) iconv_close(static_cast<iconv_t>(converter_));
  if (file_) std::fclose(file_);
  std::error_code ignored;
  std::filesystem::remove(temp_path_, ignored);
}

Result<std::unique_ptr<CsvWriter>> CsvWriter::Create(const std::filesystem::path& path,
                                                     CsvOptions options) {
  std::filesystem::path folder = path.parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return Fail(ErrorCode::kNotFound, "no folder " + folder.string() + " for " + path.string());
  }
  std::string temp = path.string() + ".tmp-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create a file in " + folder.string() + ": " + std::strerror(errno));
  }
  std::FILE* file = fdopen(fd, "wb");
  if (!file) {
    ::close(fd);
    std::filesystem::remove(temp, ec);
    return Fail(ErrorCode::kUnavailable, "cannot open " + temp + ": " + std::strerror(errno));
  }
  std::setvbuf(file, nullptr, _IOFBF, kFileBuffer);
  std::unique_ptr<CsvWriter> writer(new CsvWriter(path, temp, file, options));
  if (options.encoding == CsvEncoding::kGb18030) {
    iconv_t converter = iconv_open("GB18030", "UTF-8");
    if (converter == reinterpret_cast<iconv_t>(-1)) {
      return Fail(ErrorCode::kInternal, "iconv cannot convert UTF-8 to GB18030 on this system");
    }
    writer->converter_ = converter;
  }
  if (options.encoding == CsvEncoding::kUtf8WithBom) STEWARD_TRY(writer->Put(kBom));
  return writer;
}

Status CsvWriter::Put(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    failed_ = true;
    return Fail(ErrorCode::kUnavailable,
                "cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  return Ok();
}

Status CsvWriter::WriteRow(std::span<const CellValue> cells) {
  if (!file_ || failed_) {
    return Fail(ErrorCode::kFailedPrecondition, "the CSV file is closed or failed");
  }
  line_.clear();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line_ += ',';
    const CellValue& cell = cells[i];
    switch (cell.kind) {
      case CellValue::Kind::kText: {
        std::string text = ValidUtf8(cell.text);
        if (options_.formula_guard == FormulaGuard::kApostrophe && NeedsGuard(text)) {
          text.insert(0, 1, '\'');
        }
        AppendField(line_, text);
        break;
      }
      case CellValue::Kind::kNumber: {
        if (!std::isfinite(cell.number)) {
          return Fail(ErrorCode::kInvalidArgument,
                      "row " + std::to_string(rows_written_ + 1) + ": not a finite number");
        }
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, cell.number);
        line_.append(buffer, end);
        break;
      }
      case CellValue::Kind::kEmpty:
        break;
    }
  }
  line_ += "\r\n";
  if (!converter_) {
    STEWARD_TRY(Put(line_));
  } else {
    auto converter = static_cast<iconv_t>(converter_);
    encoded_.resize(line_.size() * 2 + 16);  // GB18030 needs at most 4 bytes per UTF-8 character
    char* in = line_.data();
    size_t in_left = line_.size();
    char* out = encoded_.data();
    size_t out_left = encoded_.size();
    if (iconv(converter, &in, &in_left, &out, &out_left) == static_cast<size_t>(-1)) {
      failed_ = true;
      return Fail(ErrorCode::kInternal, "iconv could not convert row " +
                                            std::to_string(rows_written_ + 1) +
                                            " to GB18030: " + std::strerror(errno));
    }
    STEWARD_TRY(Put(std::string_view(encoded_.data(), encoded_.size() - out_left)));
  }
  ++rows_written_;
  return Ok();
}

Status CsvWriter::Close() {
  if (!file_) return Fail(ErrorCode::kFailedPrecondition, "the CSV file is already closed");
  if (failed_) return Fail(ErrorCode::kFailedPrecondition, "the CSV file failed earlier");
  std::FILE* file = file_;
  file_ = nullptr;
  const bool flushed = std::fflush(file) == 0 && std::ferror(file) == 0;
  const int flush_errno = errno;
  if (std::fclose(file) != 0 || !flushed) {
    return Fail(ErrorCode::kUnavailable, "cannot write " + path_.string() + ": " +
                                             std::strerror(flushed ? errno : flush_errno));
  }
  std::error_code ec;
  std::filesystem::rename(temp_path_, path_, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                "cannot move the file to " + path_.string() + ": " + ec.message());
  }
  return Ok();
}

}  // namespace steward::sheet
