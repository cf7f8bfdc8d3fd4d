// CSV: RFC 4180 records (quotes, doubled quotes, line breaks inside quotes, CRLF/LF/CR), the
// separator guessed from the first line, UTF-8 (with or without BOM) or GB18030 decoded in
// chunks so that a file of any size streams through a few MiB of memory.
#include <algorithm>
#include <cerrno>
#include <string>

#include <iconv.h>

#include "sheet/internal/reader_base.hpp"
#include "sheet/internal/readers.hpp"

namespace steward::sheet::internal {
namespace {

constexpr int64_t kChunkBytes = 1 << 20;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsControlByte(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f');
}

// Converts GB18030 to UTF-8, appending to *out. Returns how many bytes of `in` were used: all of
// them, or fewer when the rest is a sequence cut short by the end (*incomplete) or invalid.
size_t Gb18030ToUtf8(iconv_t converter, std::string_view in, std::string* out, bool* incomplete) {
  *incomplete = false;
  char* input = const_cast<char*>(in.data());
  size_t input_left = in.size();
  while (input_left > 0) {
    const size_t old_size = out->size();
    const size_t room = input_left * 2 + 16;
    out->resize(old_size + room);
    char* output = out->data() + old_size;
    size_t output_left = room;
    const size_t result = iconv(converter, &input, &input_left, &output, &output_left);
    const int error = errno;
    out->resize(old_size + (room - output_left));
    if (result != static_cast<size_t>(-1)) break;
    if (error == E2BIG) continue;
    if (error == EINVAL) *incomplete = true;
    break;  // EILSEQ: invalid input
  }
  return in.size() - input_left;
}

class CsvReader final : public ReaderBase {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, TextEncoding encoding, const ReadLimits& limits)
      : ReaderBase(limits), source_(std::move(source)), encoding_(encoding) {}

  ~CsvReader() override {
    if (converter_ != reinterpret_cast<iconv_t>(-1)) iconv_close(converter_);
  }

  Status Init() {
    if (encoding_ == TextEncoding::kGb18030) {
      converter_ = iconv_open("UTF-8", "GB18030");
      if (converter_ == reinterpret_cast<iconv_t>(-1)) {
        return tl::unexpected(Error{ErrorCode::kInternal, "iconv: GB18030 unavailable", {}});
      }
    }
    STEWARD_TRY(Fill());
    if (encoding_ == TextEncoding::kUtf8Bom && text_.starts_with(kBom)) pos_ = kBom.size();
    separator_ = GuessSeparator();
    return Ok();
  }

  Format format() const override { return Format::kCsv; }

  std::string encoding() const override {
    switch (encoding_) {
      case TextEncoding::kUtf8:
        return "UTF-8";
      case TextEncoding::kUtf8Bom:
        return "UTF-8 (BOM)";
      case TextEncoding::kGb18030:
        return "GB18030";
    }
    return "UTF-8";
  }

  double progress() const override {
    if (source_->size() <= 0) return 1;
    return static_cast<double>(source_->consumed()) / static_cast<double>(source_->size());
  }

 protected:
  Result<std::optional<Row>> ReadRow() override;

 private:
  enum class Got { kChar, kEnd, kError };

  // Makes text_[pos_] available, reading and decoding more when needed.
  Got Ensure() {
    while (pos_ == text_.size()) {
      if (pending_) return Got::kError;
      if (source_done_) return Got::kEnd;
      if (Status filled = Fill(); !filled) pending_ = filled.error();
    }
    return Got::kChar;
  }

  // Consumes the next character if it is `expected`.
  bool Take(char expected) {
    while (pos_ == text_.size()) {
      if (pending_ || source_done_) return false;
      if (Status filled = Fill(); !filled) pending_ = filled.error();
    }
    if (text_[pos_] != expected) return false;
    ++pos_;
    return true;
  }

  // Reads one chunk and appends its decoded text. A decoding error is kept for the row that
  // reaches it, so its message can name that row.
  Status Fill();

  char GuessSeparator() const;

  std::unique_ptr<ByteSource> source_;
  TextEncoding encoding_;
  iconv_t converter_ = reinterpret_cast<iconv_t>(-1);
  std::string chunk_;
  std::string carry_;  // the start of a multi-byte sequence cut by the chunk's end
  std::string text_;   // decoded, not yet parsed from pos_
  size_t pos_ = 0;
  bool source_done_ = false;
  bool decode_failed_ = false;
  std::optional<Error> pending_;
  int64_t record_ = 0;       // records returned so far
  size_t columns_seen_ = 0;  // the widest row so far, to size the next one
  char separator_ = ',';
};

Status CsvReader::Fill() {
  text_.erase(0, pos_);
  pos_ = 0;
  if (decode_failed_) {
    // Everything valid before the bad bytes has been handed out: now the row that reached them
    // gets the error.
    source_done_ = true;
    return tl::unexpected(BadEncoding(record_ + 1));
  }
  // Small inputs get a small buffer (the fuzzer reads thousands a second).
  const int64_t left = source_->size() - source_->consumed();
  chunk_.resize(static_cast<size_t>(std::clamp<int64_t>(left + 1, 4096, kChunkBytes)));
  STEWARD_ASSIGN_OR_RETURN(const size_t count, source_->Read(chunk_.data(), chunk_.size()));
  chunk_.resize(count);
  if (count == 0) {
    source_done_ = true;
    if (!carry_.empty()) decode_failed_ = true;  // the file ends inside a character
    if (decode_failed_) return tl::unexpected(BadEncoding(record_ + 1));
    return Ok();
  }
  std::string_view input = chunk_;
  if (!carry_.empty()) {
    carry_ += chunk_;
    input = carry_;
  }
  bool incomplete = false;
  size_t used;
  if (encoding_ == TextEncoding::kGb18030) {
    used = Gb18030ToUtf8(converter_, input, &text_, &incomplete);
  } else {
    used = ValidUtf8Prefix(input, &incomplete);
    text_.append(input.substr(0, used));
  }
  std::string rest(input.substr(used));
  if (!incomplete && !rest.empty()) decode_failed_ = true;
  carry_ = incomplete ? std::move(rest) : std::string();
  return Ok();
}

char CsvReader::GuessSeparator() const {
  int commas = 0, tabs = 0, semicolons = 0;
  bool quoted = false;
  for (size_t i = pos_; i < text_.size(); ++i) {
    const char c = text_[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '\n' || c == '\r') break;
      commas += c == ',';
      tabs += c == '\t';
      semicolons += c == ';';
    }
  }
  if (tabs > commas && tabs >= semicolons) return '\t';
  if (semicolons > commas && semicolons > tabs) return ';';
  return ',';
}

Result<std::optional<Row>> CsvReader::ReadRow() {
  Row row;
  row.number = record_ + 1;
  row.cells.reserve(columns_seen_);
  std::string field;
  int64_t column = 0;  // 0-based column of `field`
  bool any = false, quoted = false, field_start = true;
  const int64_t max_cell = limits().max_cell_bytes;
  auto finish_field = [&]() -> Status {
    if (column < limits().max_columns) {
      row.cells.push_back(TextCell(std::move(field)));
      columns_seen_ = std::max(columns_seen_, row.cells.size());
    } else if (!field.empty()) {
      return tl::unexpected(TooManyColumns(limits().max_columns, row.number));
    }
    field.clear();
    ++column;
    field_start = true;
    return Ok();
  };
  // Appends text_[pos_, end) to the field and moves past it.
  auto append_run = [&](size_t end) -> Status {
    if (static_cast<int64_t>(field.size() + (end - pos_)) > max_cell) {
      return tl::unexpected(CellTooLong(row.number, column + 1, max_cell));
    }
    field.append(text_, pos_, end - pos_);
    pos_ = end;
    return Ok();
  };
  auto append_char = [&](char c) -> Status {
    if (static_cast<int64_t>(field.size()) + 1 > max_cell) {
      return tl::unexpected(CellTooLong(row.number, column + 1, max_cell));
    }
    field.push_back(c);
    return Ok();
  };
  while (true) {
    const Got got = Ensure();
    if (got == Got::kError) return tl::unexpected(*pending_);
    if (got == Got::kEnd) {
      if (quoted) return tl::unexpected(UnterminatedQuote(row.number));
      if (!any) return std::optional<Row>();
      STEWARD_TRY(finish_field());
      ++record_;
      return row;
    }
    any = true;
    if (quoted) {
      // Everything up to the next quote is the field's, line breaks included.
      const size_t quote = text_.find('"', pos_);
      STEWARD_TRY(append_run(quote == std::string::npos ? text_.size() : quote));
      if (quote == std::string::npos) continue;
      ++pos_;
      if (Take('"')) {
        STEWARD_TRY(append_char('"'));  // a doubled quote is one quote
      } else {
        quoted = false;  // what follows up to the separator is kept as typed
      }
      continue;
    }
    size_t end = pos_;
    while (end < text_.size()) {
      const char c = text_[end];
      if (c == separator_ || c == '\n' || c == '\r' || c == '"') break;
      ++end;
    }
    if (end > pos_) {
      field_start = false;
      STEWARD_TRY(append_run(end));
      continue;
    }
    const char c = text_[pos_++];
    if (c == separator_) {
      STEWARD_TRY(finish_field());
    } else if (c == '\n' || c == '\r') {
      if (c == '\r') Take('\n');
      STEWARD_TRY(finish_field());
      ++record_;
      return row;
    } else if (field_start) {  // a quote opening the field
      quoted = true;
      field_start = false;
    } else {  // a quote inside an unquoted field is a character
      STEWARD_TRY(append_char(c));
    }
  }
}

}  // namespace

std::optional<TextEncoding> DetectTextEncoding(std::string_view prefix, bool whole) {
  for (const char c : prefix) {
    if (IsControlByte(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (prefix.starts_with(kBom)) return TextEncoding::kUtf8Bom;
  bool incomplete = false;
  if (ValidUtf8Prefix(prefix, &incomplete) == prefix.size() || (incomplete && !whole)) {
    return TextEncoding::kUtf8;
  }
  iconv_t converter = iconv_open("UTF-8", "GB18030");
  if (converter == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string scratch;
  const size_t used = Gb18030ToUtf8(converter, prefix, &scratch, &incomplete);
  iconv_close(converter);
  if (used == prefix.size() || (incomplete && !whole)) return TextEncoding::kGb18030;
  return std::nullopt;
}

bool IsBlankText(std::string_view prefix) {
  if (prefix.starts_with(kBom)) prefix.remove_prefix(kBom.size());
  return prefix.find_first_not_of(" \t\r\n\f") == std::string_view::npos;
}

Result<std::unique_ptr<SheetReader>> OpenCsv(std::unique_ptr<ByteSource> source,
                                             TextEncoding encoding, const ReadLimits& limits) {
  auto reader = std::make_unique<CsvReader>(std::move(source), encoding, limits);
  STEWARD_TRY(reader->Init());
  return std::unique_ptr<SheetReader>(std::move(reader));
}

}  // namespace steward::sheet::internal
