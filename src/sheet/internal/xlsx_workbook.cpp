#include "sheet/internal/xlsx_workbook.hpp"

#include <charconv>
#include <optional>
#include <unordered_map>

namespace steward::sheet::internal {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// Caps on lists read from the workbook parts, far above what any real file has.
constexpr size_t kMaxRelationships = 100'000;
constexpr size_t kMaxSheets = 100'000;
constexpr size_t kMaxStyles = 1'000'000;
// The hidden sheet XlsxWriter keeps long drop-down lists on (sheet::kChoiceSheetName); skipped
// even when someone has unhidden it.
constexpr std::string_view kChoiceSheet = "_choices";
// Memory charged per shared string besides its bytes (the std::string itself).
constexpr int64_t kStringOverhead = 32;

bool EndsWith(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

int ParseInt(const char* text, int fallback) {
  if (text == nullptr) return fallback;
  const std::string_view view(text);
  int value = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc() || end != view.data() + view.size()) return fallback;
  return value;
}

bool ParseBool(const char* text) {
  if (text == nullptr) return false;
  const std::string_view view(text);
  return view == "1" || view == "true" || view == "on";
}

void AppendUtf8(char32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// The code unit of an escape "_xHHHH_" at the start of `text`.
std::optional<char32_t> EscapeAt(std::string_view text) {
  if (text.size() < 7 || text[0] != '_' || (text[1] != 'x' && text[1] != 'X') || text[6] != '_') {
    return std::nullopt;
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data() + 2, text.data() + 6, value, 16);
  if (error != std::errc() || end != text.data() + 6) return std::nullopt;
  return static_cast<char32_t>(value);
}

struct Relationship {
  std::string id;
  std::string type;
  std::string target;
};

class RelsHandler final : public XmlHandler {
 public:
  void OnStart(std::string_view name, const XML_Char** attributes) override {
    if (name != "Relationship" || relationships.size() >= kMaxRelationships) return;
    const char* mode = Attribute(attributes, "TargetMode");
    if (mode != nullptr && std::string_view(mode) == "External") return;
    const char* id = Attribute(attributes, "Id");
    const char* type = Attribute(attributes, "Type");
    const char* target = Attribute(attributes, "Target");
    if (id == nullptr || type == nullptr || target == nullptr) return;
    relationships.push_back({id, type, target});
  }
  void OnEnd(std::string_view) override {}

  const Relationship* ById(std::string_view id) const {
    for (const Relationship& relationship : relationships) {
      if (relationship.id == id) return &relationship;
    }
    return nullptr;
  }
  const Relationship* ByType(std::string_view suffix) const {
    for (const Relationship& relationship : relationships) {
      if (EndsWith(relationship.type, suffix)) return &relationship;
    }
    return nullptr;
  }

  std::vector<Relationship> relationships;
};

class WorkbookHandler final : public XmlHandler {
 public:
  struct Sheet {
    std::string name;
    std::string relationship;
    bool hidden = false;
  };

  void OnStart(std::string_view name, const XML_Char** attributes) override {
    if (name == "workbookPr") {
      date1904 = ParseBool(Attribute(attributes, "date1904"));
    } else if (name == "sheet" && sheets.size() < kMaxSheets) {
      const char* id = Attribute(attributes, "id");  // r:id
      if (id == nullptr) return;
      const char* name = Attribute(attributes, "name");
      const char* state = Attribute(attributes, "state");
      sheets.push_back({name != nullptr ? name : "", id,
                        state != nullptr && std::string_view(state) != "visible"});
    }
  }
  void OnEnd(std::string_view) override {}

  bool date1904 = false;
  std::vector<Sheet> sheets;
};

class StylesHandler final : public XmlHandler {
 public:
  void OnStart(std::string_view name, const XML_Char** attributes) override {
    ++depth_;
    if (depth_ == 2) {
      in_formats_ = name == "numFmts";
      in_cell_xfs_ = name == "cellXfs";
    } else if (depth_ == 3 && in_formats_ && name == "numFmt") {
      const int id = ParseInt(Attribute(attributes, "numFmtId"), -1);
      const char* code = Attribute(attributes, "formatCode");
      if (id >= 0 && code != nullptr && custom_.size() < kMaxStyles) {
        custom_[id] = ClassifyFormatCode(code);
      }
    } else if (depth_ == 3 && in_cell_xfs_ && name == "xf" && formats_.size() < kMaxStyles) {
      formats_.push_back(ParseInt(Attribute(attributes, "numFmtId"), 0));
    }
  }
  void OnEnd(std::string_view) override {
    if (depth_ == 2) in_formats_ = in_cell_xfs_ = false;
    --depth_;
  }

  std::vector<DateStyle> Styles() const {
    std::vector<DateStyle> styles;
    styles.reserve(formats_.size());
    for (const int format : formats_) {
      const auto custom = custom_.find(format);
      styles.push_back(custom != custom_.end() ? custom->second : ClassifyBuiltinFormat(format));
    }
    return styles;
  }

 private:
  int depth_ = 0;
  bool in_formats_ = false;
  bool in_cell_xfs_ = false;
  std::unordered_map<int, DateStyle> custom_;
  std::vector<int> formats_;
};

class SharedStringsHandler final : public XmlHandler {
 public:
  SharedStringsHandler(std::vector<std::string>* strings, int64_t limit)
      : strings_(strings), limit_(limit) {}

  void OnStart(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_item_ = true;
      phonetic_depth_ = 0;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_depth_;
    } else if (name == "t") {
      in_text_ = in_item_ && phonetic_depth_ == 0;
    }
  }

  void OnEnd(std::string_view name) override {
    if (name == "t") {
      in_text_ = false;
    } else if (name == "rPh") {
      --phonetic_depth_;
    } else if (name == "si" && in_item_) {
      in_item_ = false;
      Charge(kStringOverhead);
      strings_->push_back(DecodeEscapes(current_));
      current_.clear();
    }
  }

  void OnText(std::string_view text) override {
    if (!in_text_) return;
    Charge(static_cast<int64_t>(text.size()));
    current_.append(text);
  }

 private:
  void Charge(int64_t bytes) {
    used_ += bytes;
    if (used_ > limit_) Fail(SharedStringsTooLarge(limit_));
  }

  std::vector<std::string>* strings_;
  int64_t limit_;
  int64_t used_ = 0;
  bool in_item_ = false;
  bool in_text_ = false;
  int phonetic_depth_ = 0;
  std::string current_;
};

// Parses the part named `part` if the archive has it; false when it does not.
Result<bool> ParseOptional(ZipArchive& archive, std::string_view part, XmlHandler& handler) {
  const std::optional<uint64_t> index = archive.Find(part);
  if (!index) return false;
  STEWARD_TRY(ParseEntry(archive, *index, handler));
  return true;
}

std::string RelsPartOf(std::string_view part) {
  const size_t slash = part.rfind('/');
  const std::string_view folder = slash == std::string_view::npos ? "" : part.substr(0, slash + 1);
  const std::string_view file = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return std::string(folder) + "_rels/" + std::string(file) + ".rels";
}

}  // namespace

Status ParseEntry(ZipArchive& archive, uint64_t index, XmlHandler& handler) {
  STEWARD_ASSIGN_OR_RETURN(std::unique_ptr<ZipEntry> entry, archive.Open(index));
  XmlParser parser(&handler);
  std::string buffer(kChunkBytes, '\0');
  while (true) {
    STEWARD_ASSIGN_OR_RETURN(const size_t count, entry->Read(buffer.data(), buffer.size()));
    STEWARD_TRY(parser.Feed(std::string_view(buffer.data(), count), count == 0));
    if (count == 0) return Ok();
  }
}

std::string ResolvePart(std::string_view source_part, std::string_view target) {
  std::string path;
  if (target.starts_with('/') || target.starts_with('\\')) {
    path = target.substr(1);
  } else {
    const size_t slash = source_part.rfind('/');
    if (slash != std::string_view::npos) path = source_part.substr(0, slash + 1);
    path += target;
  }
  std::vector<std::string> segments;
  size_t start = 0;
  for (char& c : path) {
    if (c == '\\') c = '/';
  }
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string resolved;
  for (const std::string& segment : segments) {
    if (!resolved.empty()) resolved += '/';
    resolved += segment;
  }
  return resolved;
}

std::string DecodeEscapes(std::string_view text) {
  if (text.find("_x") == std::string_view::npos && text.find("_X") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const std::optional<char32_t> unit = EscapeAt(text.substr(i));
    if (!unit) {
      out.push_back(text[i++]);
      continue;
    }
    char32_t code = *unit;
    size_t length = 7;
    if (code >= 0xD800 && code <= 0xDBFF) {
      const std::optional<char32_t> low = EscapeAt(text.substr(i + 7));
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {
        out.push_back(text[i++]);  // an unpaired surrogate stays as typed
        continue;
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
      length = 14;
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      out.push_back(text[i++]);
      continue;
    }
    if (code != 0) AppendUtf8(code, &out);
    i += length;
  }
  return out;
}

Result<Workbook> ReadWorkbook(ZipArchive& archive, const ReadLimits& limits) {
  // The package's relationships name the workbook part; almost always xl/workbook.xml.
  std::string workbook_part = "xl/workbook.xml";
  RelsHandler package_rels;
  STEWARD_ASSIGN_OR_RETURN(const bool has_package_rels,
                           ParseOptional(archive, "_rels/.rels", package_rels));
  if (has_package_rels) {
    if (const Relationship* office = package_rels.ByType("/officeDocument")) {
      workbook_part = ResolvePart("", office->target);
    }
  }
  const std::optional<uint64_t> workbook_index = archive.Find(workbook_part);
  if (!workbook_index) return tl::unexpected(NotSpreadsheet());  // a zip, but no workbook
  WorkbookHandler workbook_xml;
  STEWARD_TRY(ParseEntry(archive, *workbook_index, workbook_xml));

  RelsHandler rels;
  STEWARD_ASSIGN_OR_RETURN(const bool has_rels,
                           ParseOptional(archive, RelsPartOf(workbook_part), rels));
  Workbook workbook;
  workbook.date1904 = workbook_xml.date1904;

  // The visible worksheets (chart sheets and the writer's "_choices" list sheet skipped), else
  // the first worksheet. Relationships by id through a map: a workbook may list many sheets.
  std::unordered_map<std::string_view, const Relationship*> by_id;
  for (const Relationship& relationship : rels.relationships) {
    by_id.emplace(relationship.id, &relationship);  // the first of an id wins, as ById
  }
  const auto worksheet = [&](const WorkbookHandler::Sheet& sheet) -> const Relationship* {
    const auto found = by_id.find(sheet.relationship);
    if (found == by_id.end() || !EndsWith(found->second->type, "/worksheet")) return nullptr;
    return found->second;
  };
  for (const WorkbookHandler::Sheet& sheet : workbook_xml.sheets) {
    if (sheet.hidden || sheet.name == kChoiceSheet) continue;
    if (const Relationship* relationship = worksheet(sheet)) {
      workbook.sheets.push_back({sheet.name, ResolvePart(workbook_part, relationship->target)});
    }
  }
  if (workbook.sheets.empty()) {
    for (const WorkbookHandler::Sheet& sheet : workbook_xml.sheets) {
      if (const Relationship* relationship = worksheet(sheet)) {
        workbook.sheets.push_back({sheet.name, ResolvePart(workbook_part, relationship->target)});
        break;
      }
    }
  }
  if (workbook.sheets.empty()) {
    if (has_rels) return tl::unexpected(NoWorksheet());
    const std::string name = workbook_xml.sheets.empty() ? "" : workbook_xml.sheets[0].name;
    workbook.sheets.push_back({name, ResolvePart(workbook_part, "worksheets/sheet1.xml")});
  }

  const Relationship* styles = rels.ByType("/styles");
  StylesHandler styles_xml;
  STEWARD_TRY(ParseOptional(
      archive, ResolvePart(workbook_part, styles != nullptr ? styles->target : "styles.xml"),
      styles_xml));
  workbook.styles = styles_xml.Styles();

  const Relationship* strings = rels.ByType("/sharedStrings");
  SharedStringsHandler strings_xml(&workbook.strings, limits.max_shared_strings_bytes);
  STEWARD_TRY(ParseOptional(
      archive,
      ResolvePart(workbook_part, strings != nullptr ? strings->target : "sharedStrings.xml"),
      strings_xml));
  return workbook;
}

}  // namespace steward::sheet::internal
