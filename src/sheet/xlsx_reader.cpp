// .xlsx: the workbook parts are read at open (internal/xlsx_workbook.cpp); each visible sheet in
// turn (NextSheet) is inflated 64 KiB at a time and pushed through expat, and each <row> becomes a
// Row as soon as it closes, so memory stays flat however long the sheets are.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <memory>
#include <string>

#include "sheet/internal/reader_base.hpp"
#include "sheet/internal/readers.hpp"
#include "sheet/internal/xlsx_workbook.hpp"
#include "sheet/internal/xml.hpp"
#include "sheet/internal/zip.hpp"

namespace steward::sheet::internal {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

std::string_view TrimSpaces(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

template <typename Integer>
bool ParseWhole(std::string_view text, Integer* value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Parses "YYYY-MM-DD" with an optional "THH:MM:SS" (t="d" cells, ISO 8601).
std::optional<Cell> IsoDateCell(std::string_view text) {
  Date date;
  if (text.size() < 10 || !Date::Parse(text.substr(0, 10), &date)) return std::nullopt;
  int64_t seconds = 0;
  if (text.size() >= 19 && text[10] == 'T') {
    int hours = 0, minutes = 0, secs = 0;
    if (!ParseWhole(text.substr(11, 2), &hours) || !ParseWhole(text.substr(14, 2), &minutes) ||
        !ParseWhole(text.substr(17, 2), &secs)) {
      return std::nullopt;
    }
    seconds = (hours * 60 + minutes) * 60 + secs;
  }
  return DateCell(date, seconds);
}

// Turns <row>/<c> elements into Rows, appended to *ready as each row closes.
class SheetHandler final : public XmlHandler {
 public:
  SheetHandler(const Workbook* workbook, const ReadLimits& limits, std::deque<Row>* ready)
      : workbook_(workbook), limits_(limits), ready_(ready) {}

  void OnStart(std::string_view name, const XML_Char** attributes) override {
    if (name == "sheetData") {
      in_sheet_data_ = true;
      return;
    }
    if (!in_sheet_data_) return;
    if (name == "row") {
      if (in_row_) FinishRow();
      StartRow(Attribute(attributes, "r"));
    } else if (name == "c") {
      if (in_row_) StartCell(attributes);
    } else if (!in_cell_) {
      return;
    } else if (name == "v") {
      in_value_ = true;
    } else if (name == "is") {
      in_inline_ = has_inline_ = true;
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "t") {
      in_inline_text_ = in_inline_ && phonetic_depth_ == 0;
    }
  }

  void OnEnd(std::string_view name) override {
    if (name == "sheetData") {
      if (in_row_) FinishRow();
      in_sheet_data_ = false;
    } else if (name == "row") {
      if (in_row_) FinishRow();
    } else if (name == "c") {
      if (in_cell_) FinishCell();
    } else if (name == "v") {
      in_value_ = false;
    } else if (name == "is") {
      in_inline_ = false;
    } else if (name == "rPh") {
      if (phonetic_depth_ > 0) --phonetic_depth_;
    } else if (name == "t") {
      in_inline_text_ = false;
    }
  }

  void OnText(std::string_view text) override {
    std::string* target = in_value_ ? &value_ : in_inline_text_ ? &inline_ : nullptr;
    if (target == nullptr) return;
    if (static_cast<int64_t>(target->size() + text.size()) > limits_.max_cell_bytes) {
      Fail(CellTooLong(row_.number, column_ + 1, limits_.max_cell_bytes));
      return;
    }
    target->append(text);
  }

 private:
  void StartRow(const char* reference) {
    int64_t number = last_row_ + 1;
    if (reference != nullptr && !ParseWhole(TrimSpaces(reference), &number)) {
      // Digits too many for int64 are absurd; anything else is damage.
      const std::string_view text = TrimSpaces(reference);
      const bool digits = !text.empty() && text.find_first_not_of("0123456789") == text.npos;
      return Fail(digits ? AbsurdDimension(kMaxSheetRows + 1) : Damaged());
    }
    if (number < 1) return Fail(Damaged());
    if (number > kMaxSheetRows) return Fail(AbsurdDimension(number));
    last_row_ = number;
    row_ = Row{number, {}};
    last_column_ = -1;
    in_row_ = true;
  }

  void FinishRow() {
    if (in_cell_) FinishCell();
    in_row_ = false;
    ready_->push_back(std::move(row_));
    row_ = Row{};
  }

  void StartCell(const XML_Char** attributes) {
    if (in_cell_) FinishCell();
    column_ = last_column_ + 1;
    if (const char* reference = Attribute(attributes, "r")) {
      int64_t column = 0;
      int letters = 0;
      for (const char* p = reference; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); ++p) {
        if (++letters > 3) return Fail(AbsurdDimension(row_.number));
        column = column * 26 + ((*p | 0x20) - 'a' + 1);
      }
      if (letters > 0) column_ = column - 1;
    }
    if (column_ >= kMaxSheetColumns) return Fail(AbsurdDimension(row_.number));
    last_column_ = column_;
    const char* type = Attribute(attributes, "t");
    type_ = type != nullptr ? type : "n";
    style_ = 0;
    if (const char* style = Attribute(attributes, "s")) {
      if (!ParseWhole(TrimSpaces(style), &style_)) style_ = 0;
    }
    value_.clear();
    inline_.clear();
    has_inline_ = in_value_ = in_inline_ = in_inline_text_ = false;
    phonetic_depth_ = 0;
    in_cell_ = true;
  }

  void FinishCell() {
    in_cell_ = in_value_ = in_inline_ = in_inline_text_ = false;
    std::optional<Cell> cell = MakeCell();
    if (!cell || cell->kind == CellKind::kEmpty) return;
    if (column_ >= limits_.max_columns) {
      return Fail(TooManyColumns(limits_.max_columns, row_.number));
    }
    if (static_cast<int64_t>(row_.cells.size()) <= column_) row_.cells.resize(column_ + 1);
    row_.cells[column_] = std::move(*cell);
  }

  // nullopt after Fail().
  std::optional<Cell> MakeCell() {
    if (type_ == "s") {
      size_t index = 0;
      if (!ParseWhole(TrimSpaces(value_), &index) || index >= workbook_->strings.size()) {
        Fail(Damaged());
        return std::nullopt;
      }
      const std::string& text = workbook_->strings[index];
      if (static_cast<int64_t>(text.size()) > limits_.max_cell_bytes) {
        Fail(CellTooLong(row_.number, column_ + 1, limits_.max_cell_bytes));
        return std::nullopt;
      }
      return TextCell(text);
    }
    if (type_ == "inlineStr") return TextCell(DecodeEscapes(has_inline_ ? inline_ : value_));
    if (type_ == "str") return TextCell(DecodeEscapes(value_));
    const std::string_view value = TrimSpaces(value_);
    if (value.empty()) return Cell{};
    if (type_ == "b") {
      Cell cell;
      cell.kind = CellKind::kBool;
      cell.number = value == "1" || value == "true" ? 1 : 0;
      cell.text = cell.number != 0 ? "TRUE" : "FALSE";
      return cell;
    }
    if (type_ == "e") {
      Cell cell;
      cell.kind = CellKind::kError;
      cell.text = std::string(value);
      return cell;
    }
    if (type_ == "d") {
      if (std::optional<Cell> date = IsoDateCell(value)) return date;
      return TextCell(std::string(value));
    }
    double number = 0;
    if (!ParseWhole(value, &number) || !std::isfinite(number)) {
      return TextCell(std::string(value));
    }
    const DateStyle style = style_ >= 0 && static_cast<size_t>(style_) < workbook_->styles.size()
                                ? workbook_->styles[style_]
                                : DateStyle::kNone;
    return SerialCell(number, style, workbook_->date1904);
  }

  const Workbook* workbook_;
  ReadLimits limits_;
  std::deque<Row>* ready_;
  bool in_sheet_data_ = false;
  bool in_row_ = false;
  bool in_cell_ = false;
  bool in_value_ = false;
  bool in_inline_ = false;
  bool in_inline_text_ = false;
  bool has_inline_ = false;
  int phonetic_depth_ = 0;
  Row row_;
  int64_t last_row_ = 0;
  int64_t last_column_ = -1;
  int64_t column_ = 0;
  std::string type_;
  int64_t style_ = 0;
  std::string value_;
  std::string inline_;
};

class XlsxReader final : public ReaderBase {
 public:
  XlsxReader(std::unique_ptr<ZipArchive> archive, Workbook workbook, const ReadLimits& limits)
      : ReaderBase(limits),
        archive_(std::move(archive)),
        workbook_(std::move(workbook)),
        buffer_(kChunkBytes, '\0') {
    // Progress counts the declared sizes of every sheet to be read; a missing part counts 0
    // (opening it fails anyway).
    for (const SheetPart& sheet : workbook_.sheets) {
      if (const std::optional<uint64_t> index = archive_->Find(sheet.part)) {
        total_bytes_ += archive_->DeclaredSize(*index);
      }
    }
  }

  // Opens workbook_.sheets[sheet_], dropping whatever is left of the previous sheet.
  Status OpenCurrent() {
    if (entry_) done_bytes_ += entry_->size();
    parser_.reset();  // before its handler
    handler_.reset();
    entry_.reset();
    ready_.clear();
    finished_ = false;
    const std::optional<uint64_t> index = archive_->Find(workbook_.sheets[sheet_].part);
    if (!index) return tl::unexpected(Damaged());
    STEWARD_ASSIGN_OR_RETURN(entry_, archive_->Open(*index));
    handler_ = std::make_unique<SheetHandler>(&workbook_, limits(), &ready_);
    parser_ = std::make_unique<XmlParser>(handler_.get());
    return Ok();
  }

  Format format() const override { return Format::kXlsx; }

  std::string sheet_name() const override { return workbook_.sheets[sheet_].name; }

  double progress() const override {
    const bool last = sheet_ + 1 >= workbook_.sheets.size();
    if (finished_ && last) return 1;
    if (total_bytes_ <= 0) return 0;
    const int64_t done = done_bytes_ + (entry_ ? entry_->consumed() : 0);
    return std::min(1.0, static_cast<double>(done) / static_cast<double>(total_bytes_));
  }

 protected:
  Result<std::optional<Row>> ReadRow() override {
    while (ready_.empty()) {
      if (finished_) return std::optional<Row>();
      STEWARD_ASSIGN_OR_RETURN(const size_t count, entry_->Read(buffer_.data(), buffer_.size()));
      STEWARD_TRY(parser_->Feed(std::string_view(buffer_.data(), count), count == 0));
      if (count == 0) finished_ = true;
    }
    Row row = std::move(ready_.front());
    ready_.pop_front();
    return row;
  }

  Result<bool> AdvanceSheet() override {
    if (sheet_ + 1 >= workbook_.sheets.size()) {
      // Stay on the last sheet, at its end.
      finished_ = true;
      ready_.clear();
      return false;
    }
    ++sheet_;
    STEWARD_TRY(OpenCurrent());
    return true;
  }

 private:
  // Declared in this order so the entry closes before its archive, and the parser goes before
  // its handler.
  std::unique_ptr<ZipArchive> archive_;
  Workbook workbook_;
  size_t sheet_ = 0;  // index in workbook_.sheets
  std::unique_ptr<ZipEntry> entry_;
  std::deque<Row> ready_;
  std::unique_ptr<SheetHandler> handler_;
  std::unique_ptr<XmlParser> parser_;
  std::string buffer_;
  bool finished_ = false;
  int64_t total_bytes_ = 0;  // declared sizes of all sheets to read
  int64_t done_bytes_ = 0;   // declared sizes of the sheets left behind
};

Result<std::unique_ptr<SheetReader>> OpenArchive(std::unique_ptr<ZipArchive> archive,
                                                 const ReadLimits& limits) {
  STEWARD_ASSIGN_OR_RETURN(Workbook workbook, ReadWorkbook(*archive, limits));
  auto reader = std::make_unique<XlsxReader>(std::move(archive), std::move(workbook), limits);
  STEWARD_TRY(reader->OpenCurrent());
  return std::unique_ptr<SheetReader>(std::move(reader));
}

}  // namespace

Result<std::unique_ptr<SheetReader>> OpenXlsxFile(const std::filesystem::path& path,
                                                  const ReadLimits& limits) {
  STEWARD_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> archive, ZipArchive::OpenFile(path, limits));
  return OpenArchive(std::move(archive), limits);
}

Result<std::unique_ptr<SheetReader>> OpenXlsxMemory(std::string_view data,
                                                    const ReadLimits& limits) {
  STEWARD_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> archive,
                           ZipArchive::OpenMemory(data, limits));
  return OpenArchive(std::move(archive), limits);
}

}  // namespace steward::sheet::internal
