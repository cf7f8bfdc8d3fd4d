#include "registry/resident_export.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "org/unit.hpp"
#include "registry/sheet_layout.hpp"
#include "sheet/csv_writer.hpp"

namespace steward::registry {
namespace {

using sheet::CellValue;
using storage::Connection;
using storage::RowView;
using storage::Value;

constexpr std::string_view kSheetName = "居民信息";  // export and template alike
constexpr std::string_view kListSeparator = "、";
constexpr int kPageSize = 1000;
constexpr size_t kIdsPerChunk = 500;  // bound parameters per IN list
// A resident's exported columns (ReadResident reads 0 … 18) and its unit (19).
constexpr std::string_view kResidentSelect =
    "SELECT r.id, r.version, r.name, r.gender, r.birth_date, r.ethnicity, "
    "r.id_number_masked, r.id_number_sealed, r.hukou_address, r.residence_status, "
    "r.relation_to_head, r.notes, COALESCE(r.household_id, 0), h.id, h.unit_no, h.room, "
    "b.name, b.address, c.name, r.unit_id "
    "FROM resident r LEFT JOIN household h ON h.id = r.household_id "
    "LEFT JOIN building b ON b.id = h.building_id "
    "LEFT JOIN complex c ON c.id = b.complex_id";
constexpr std::string_view kIdNumberField = "id_number";  // as ResidentStore seals them
constexpr std::string_view kPhoneField = "phone";

constexpr std::string_view kTemplateTitle =
    "居民信息导入模板\n"
    "带 * 的列必须填写；身份证号、联系电话请按文本填写（本表已设为文本格式）；性别、人户状态、"
    "与户主关系、标签可从下拉列表选择；请勿修改表头，从第 3 行起每行填写一位居民。";

double ColumnWidth(Column column) {
  switch (column) {
    case Column::kResidentId:
      return 21;
    case Column::kVersion:
      return 6;
    case Column::kIdNumber:
      return 22;
    case Column::kPhone:
      return 26;
    case Column::kBirthDate:
      return 12;
    case Column::kHukouAddress:
    case Column::kCurrentAddress:
      return 36;
    case Column::kNotes:
      return 30;
    case Column::kTags:
      return 24;
    default:
      return 0;  // fitted to the header
  }
}

// Every column is text except 版本, so what is typed into an edited export or the template keeps
// its digits and is never turned into a date.
sheet::ColumnFormat FormatOf(Column column) {
  return column == Column::kVersion ? sheet::ColumnFormat::kGeneral : sheet::ColumnFormat::kText;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty()) joined += kListSeparator;
    joined += part;
  }
  return joined;
}

std::string ExtensionOf(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

struct UnitRow {
  std::optional<Id> parent_id;
  std::string kind;
  std::string name;
  std::string path;
};

// The names written in 所属街道 / 所属社区 / 所属网格 for residents counted under one unit.
struct PlaceNames {
  std::string street, community, grid;
};

// One resident of a page, with the place it lives in.
struct ResidentRow {
  Id id = 0;
  int64_t version = 0;
  Id unit_id = 0;
  Id household_key = 0;  // household id, 0 without one (the page order)
  std::string name, gender, birth_date, ethnicity, id_masked, hukou_address, status, relation,
      notes, unit_no, room, building, building_address, complex;
  std::optional<std::string> id_sealed;
  bool has_household = false;
};

struct PhoneRow {
  std::string masked, sealed;
};

// 现住址 as offices write it: the building's address (or its complex and name), unit and room.
std::string CurrentAddress(const ResidentRow& row) {
  if (!row.has_household) return "";
  std::string address =
      !row.building_address.empty() ? row.building_address : row.complex + row.building;
  if (!row.unit_no.empty()) {
    address += row.unit_no;
    if (!row.unit_no.ends_with("单元")) address += "单元";
  }
  if (!row.room.empty()) {
    address += row.room;
    if (!row.room.ends_with("室")) address += "室";
  }
  return address;
}

const char* GenderLabel(std::string_view code) { return code == "female" ? "女" : "男"; }

const char* StatusLabel(std::string_view code) {
  if (code == "resident_only") return "人在户不在";
  if (code == "registered_only") return "户在人不在";
  return "户在人在";
}

// One read snapshot for the whole export; rolled back (nothing was written) when it ends.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& connection) : connection_(connection) {}
  ~ReadSnapshot() {
    if (open_) (void)connection_.ExecScript("ROLLBACK");
  }
  Status Begin() {
    // The one statement that differs by engine: SQLite's BEGIN already reads from one snapshot
    // (WAL), PostgreSQL's default READ COMMITTED would not.
    STEWARD_TRY(connection_.ExecScript(connection_.engine() == storage::Engine::kPostgres
                                           ? "START TRANSACTION ISOLATION LEVEL REPEATABLE "
                                             "READ, READ ONLY"
                                           : "BEGIN"));
    open_ = true;
    return Ok();
  }

 private:
  Connection& connection_;
  bool open_ = false;
};

// The file being written, whichever its format.
class RowSink {
 public:
  static Result<RowSink> Open(const std::filesystem::path& path, std::string_view title,
                              int64_t rows_per_sheet) {
    RowSink sink;
    const std::string extension = ExtensionOf(path);
    std::vector<sheet::ColumnSetup> columns;
    for (const auto& spec : ResidentColumns()) {
      columns.push_back({.header = std::string(spec.header),
                         .width = ColumnWidth(spec.column),
                         .format = FormatOf(spec.column)});
    }
    if (extension == ".xlsx") {
      sink.format_ = "xlsx";
      STEWARD_ASSIGN_OR_RETURN(sink.xlsx_,
                               sheet::XlsxWriter::Create(path, sheet::Mode::kConstantMemory));
      STEWARD_TRY(sink.xlsx_->AddSheet(
          {std::string(kSheetName), std::string(title), std::move(columns), rows_per_sheet}));
    } else if (extension == ".csv") {
      sink.format_ = "csv";
      STEWARD_ASSIGN_OR_RETURN(sink.csv_, sheet::CsvWriter::Create(path));
      std::vector<CellValue> header;
      for (const auto& column : columns) header.push_back(CellValue::Text(column.header));
      STEWARD_TRY(sink.csv_->WriteRow(header));
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot tell the format of " + path.string() + ": use .xlsx or .csv",
                  {{"out", "format", "导出文件须为 .xlsx 或 .csv"}});
    }
    return sink;
  }

  Status Write(std::span<const CellValue> cells) {
    return xlsx_ ? xlsx_->WriteRow(cells) : csv_->WriteRow(cells);
  }
  Status Close() { return xlsx_ ? xlsx_->Close() : csv_->Close(); }
  int sheets() const { return xlsx_ ? xlsx_->sheet_count() : 1; }
  const std::string& format() const { return format_; }

 private:
  std::unique_ptr<sheet::XlsxWriter> xlsx_;
  std::unique_ptr<sheet::CsvWriter> csv_;
  std::string format_;
};

class Exporter {
 public:
  Exporter(Connection& connection, const crypto::PiiVault& vault, const ExportOptions& options,
           const std::unordered_map<Id, UnitRow>& units, RowSink& sink)
      : connection_(connection), vault_(vault), options_(options), units_(units), sink_(sink) {}

  // Writes the residents of every unit in `scope` (ordered by path).
  Status Run(const std::vector<Id>& scope, int64_t total) {
    total_ = total;
    for (Id unit : scope) STEWARD_TRY(ExportUnit(unit));
    if (options_.progress) options_.progress(done_, total_);
    return Ok();
  }

  // Writes the residents with these ids (ascending), a chunk at a time.
  Status RunIds(const std::vector<Id>& ids) {
    total_ = static_cast<int64_t>(ids.size());
    for (size_t start = 0; start < ids.size(); start += kIdsPerChunk) {
      const size_t end = std::min(ids.size(), start + kIdsPerChunk);
      std::string in = "(";
      std::vector<Value> params;
      for (size_t i = start; i < end; ++i) {
        in += i == start ? "?" : ", ?";
        params.emplace_back(ids[i]);
      }
      in += ")";
      std::vector<ResidentRow> page;
      STEWARD_TRY(connection_.QueryEach(
          std::string(kResidentSelect) + " WHERE r.id IN " + in +
              " AND r.deleted_at IS NULL ORDER BY r.id",
          params, [&](const RowView& row) { page.push_back(ReadResident(row)); }));
      STEWARD_TRY(WriteRows(
          page,
          [&](std::string_view resident_id) {
            return "WHERE " + std::string(resident_id) + " IN " + in;
          },
          params));
    }
    if (options_.progress) options_.progress(done_, total_);
    return Ok();
  }

  int64_t done() const { return done_; }

 private:
  static PlaceNames NamesOf(Id unit, const std::unordered_map<Id, UnitRow>& units) {
    PlaceNames names;
    for (std::optional<Id> at = unit; at;) {
      auto found = units.find(*at);
      if (found == units.end()) break;
      const UnitRow& row = found->second;
      if (row.kind == "street" && names.street.empty()) names.street = row.name;
      if (row.kind == "community" && names.community.empty()) names.community = row.name;
      if (row.kind == "grid" && names.grid.empty()) names.grid = row.name;
      at = row.parent_id;
    }
    return names;
  }

  // Pages through one unit's residents by (household, id).
  Status ExportUnit(Id unit) {
    Id after_household = -1;
    Id after_id = 0;
    for (;;) {
      std::vector<ResidentRow> page;
      const Value params[] = {unit, after_household, after_household, after_id};
      STEWARD_TRY(connection_.QueryEach(
          std::string(kResidentSelect) +
              " WHERE r.unit_id = ? AND r.deleted_at IS NULL AND (COALESCE(r.household_id, 0) > ? "
              "OR (COALESCE(r.household_id, 0) = ? AND r.id > ?)) "
              "ORDER BY COALESCE(r.household_id, 0), r.id LIMIT " +
              std::to_string(kPageSize),
          params, [&](const RowView& row) { page.push_back(ReadResident(row)); }));
      if (page.empty()) return Ok();
      STEWARD_TRY(WritePage(unit, page, after_household, after_id));
      after_household = page.back().household_key;
      after_id = page.back().id;
      if (page.size() < static_cast<size_t>(kPageSize)) return Ok();
    }
  }

  static ResidentRow ReadResident(const RowView& row) {
    ResidentRow r;
    r.id = row.Int(0);
    r.version = row.Int(1);
    r.name = row.Text(2);
    r.gender = row.Text(3);
    r.birth_date = row.OptText(4).value_or("");
    r.ethnicity = row.Text(5);
    r.id_masked = row.OptText(6).value_or("");
    r.id_sealed = row.OptText(7);
    r.hukou_address = row.Text(8);
    r.status = row.Text(9);
    r.relation = row.Text(10);
    r.notes = row.Text(11);
    r.household_key = row.Int(12);
    r.has_household = !row.IsNull(13);
    r.unit_no = row.OptText(14).value_or("");
    r.room = row.OptText(15).value_or("");
    r.building = row.OptText(16).value_or("");
    r.building_address = row.OptText(17).value_or("");
    r.complex = row.OptText(18).value_or("");
    r.unit_id = row.Int(19);
    return r;
  }

  // Phones and tags of the page's residents: those of `unit` after the previous page's last key,
  // up to this page's last key.
  Status WritePage(Id unit, const std::vector<ResidentRow>& page, Id after_household, Id after_id) {
    const Value params[] = {unit,          after_household,           after_household,
                            after_id,      page.back().household_key, page.back().household_key,
                            page.back().id};
    return WriteRows(
        page,
        [](std::string_view resident_id) {
          return "JOIN resident r ON r.id = " + std::string(resident_id) +
                 " WHERE r.unit_id = ? AND r.deleted_at IS NULL AND (COALESCE(r.household_id, 0) "
                 "> ? OR (COALESCE(r.household_id, 0) = ? AND r.id > ?)) AND "
                 "(COALESCE(r.household_id, 0) < ? OR (COALESCE(r.household_id, 0) = ? AND r.id "
                 "<= ?))";
        },
        params);
  }

  // Reads the phones and tags of `page`'s residents (`where` names them, given the column that
  // holds a resident id; `params` are its parameters) and writes the page, with progress.
  Status WriteRows(const std::vector<ResidentRow>& page,
                   const std::function<std::string(std::string_view)>& where,
                   std::span<const Value> params) {
    std::unordered_map<Id, std::vector<PhoneRow>> phones;
    STEWARD_TRY(connection_.QueryEach(
        "SELECT p.resident_id, p.phone_masked, p.phone_sealed FROM resident_phone p " +
            where("p.resident_id") + " ORDER BY p.resident_id, p.position",
        params, [&](const RowView& row) {
          phones[row.Int(0)].push_back({std::string(row.Text(1)), std::string(row.Text(2))});
        }));
    std::unordered_map<Id, std::vector<std::string>> tags;
    STEWARD_TRY(connection_.QueryEach(
        "SELECT rt.resident_id, t.name FROM resident_tag rt JOIN tag t ON t.code = rt.tag_code " +
            where("rt.resident_id") + " ORDER BY rt.resident_id, t.sort_order, t.code",
        params, [&](const RowView& row) { tags[row.Int(0)].emplace_back(row.Text(1)); }));
    std::vector<CellValue> cells;
    for (const ResidentRow& resident : page) {
      if (resident.unit_id != names_unit_) {
        names_ = NamesOf(resident.unit_id, units_);
        names_unit_ = resident.unit_id;
      }
      cells.clear();
      STEWARD_TRY(Cells(resident, phones[resident.id], tags[resident.id], cells));
      STEWARD_TRY(sink_.Write(cells));
      ++done_;
    }
    if (options_.progress) options_.progress(done_, total_);
    return Ok();
  }

  Status Cells(const ResidentRow& resident, const std::vector<PhoneRow>& phones,
               const std::vector<std::string>& tags, std::vector<CellValue>& cells) const {
    for (const auto& spec : ResidentColumns()) {
      switch (spec.column) {
        case Column::kResidentId:
          cells.push_back(CellValue::Text(std::to_string(resident.id)));
          break;
        case Column::kVersion:
          cells.push_back(CellValue::Number(static_cast<double>(resident.version)));
          break;
        case Column::kName:
          cells.push_back(CellValue::Text(resident.name));
          break;
        case Column::kGender:
          cells.push_back(CellValue::Text(GenderLabel(resident.gender)));
          break;
        case Column::kIdNumber: {
          std::string id_number = resident.id_masked;
          if (options_.unmasked && resident.id_sealed) {
            STEWARD_ASSIGN_OR_RETURN(id_number,
                                     Open(kIdNumberField, *resident.id_sealed, resident.id));
          }
          cells.push_back(CellValue::Text(std::move(id_number)));
          break;
        }
        case Column::kBirthDate:
          cells.push_back(CellValue::Text(resident.birth_date));
          break;
        case Column::kEthnicity:
          cells.push_back(CellValue::Text(resident.ethnicity));
          break;
        case Column::kPhone: {
          std::vector<std::string> numbers;
          for (const PhoneRow& phone : phones) {
            if (!options_.unmasked) {
              numbers.push_back(phone.masked);
              continue;
            }
            STEWARD_ASSIGN_OR_RETURN(auto number, Open(kPhoneField, phone.sealed, resident.id));
            numbers.push_back(std::move(number));
          }
          cells.push_back(CellValue::Text(Join(numbers)));
          break;
        }
        case Column::kHukouAddress:
          cells.push_back(CellValue::Text(resident.hukou_address));
          break;
        case Column::kCurrentAddress:
          cells.push_back(CellValue::Text(CurrentAddress(resident)));
          break;
        case Column::kStreet:
          cells.push_back(CellValue::Text(names_.street));
          break;
        case Column::kCommunity:
          cells.push_back(CellValue::Text(names_.community));
          break;
        case Column::kGrid:
          cells.push_back(CellValue::Text(names_.grid));
          break;
        case Column::kComplex:
          cells.push_back(CellValue::Text(resident.complex));
          break;
        case Column::kBuilding:
          cells.push_back(CellValue::Text(resident.building));
          break;
        case Column::kUnitNo:
          cells.push_back(CellValue::Text(resident.unit_no));
          break;
        case Column::kRoom:
          cells.push_back(CellValue::Text(resident.room));
          break;
        case Column::kRelationToHead:
          cells.push_back(CellValue::Text(resident.relation));
          break;
        case Column::kResidenceStatus:
          cells.push_back(CellValue::Text(StatusLabel(resident.status)));
          break;
        case Column::kTags:
          cells.push_back(CellValue::Text(Join(tags)));
          break;
        case Column::kNotes:
          cells.push_back(CellValue::Text(resident.notes));
          break;
      }
    }
    return Ok();
  }

  Result<std::string> Open(std::string_view field, std::string_view sealed, Id resident) const {
    auto plain = vault_.Open(field, sealed);
    if (!plain) {
      return Fail(plain.error().code, "cannot open the " + std::string(field) + " of resident " +
                                          std::to_string(resident) + ": " + plain.error().message);
    }
    return plain;
  }

  Connection& connection_;
  const crypto::PiiVault& vault_;
  const ExportOptions& options_;
  const std::unordered_map<Id, UnitRow>& units_;
  RowSink& sink_;
  PlaceNames names_;   // of the unit of the resident being written
  Id names_unit_ = 0;  // whose names names_ holds
  int64_t done_ = 0;
  int64_t total_ = 0;
};

Result<std::unordered_map<Id, UnitRow>> LoadUnits(Connection& connection) {
  std::unordered_map<Id, UnitRow> units;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, parent_id, kind, name, path FROM org_unit", {}, [&](const RowView& row) {
        units.emplace(row.Int(0), UnitRow{row.OptInt(1), std::string(row.Text(2)),
                                          std::string(row.Text(3)), std::string(row.Text(4))});
      }));
  return units;
}

// The units of `unit_id`'s subtree (nullopt: every unit) into `scope` in path order, and their
// residents' count into `total`; answers the place the title names (the unit, or the city).
Result<std::string> ScopeOf(Connection& connection, const std::unordered_map<Id, UnitRow>& units,
                            std::optional<Id> unit_id, std::vector<Id>& scope, int64_t& total) {
  std::string place;
  std::string lower, upper;
  if (unit_id) {
    auto root = units.find(*unit_id);
    if (root == units.end()) {
      return Fail(ErrorCode::kNotFound, "no unit with id " + std::to_string(*unit_id),
                  {{"unit", "unknown", "没有这个单位"}});
    }
    place = root->second.name;
    lower = root->second.path;
    upper = org::SubtreeUpperBound(lower);
  } else {
    for (const auto& [id, unit] : units) {
      // The city: the root of the hierarchy.
      if (!unit.parent_id && unit.kind == "city") place = unit.name;
    }
  }
  std::vector<std::pair<std::string, Id>> by_path;
  for (const auto& [id, unit] : units) {
    if (!unit_id || (unit.path >= lower && unit.path < upper)) by_path.emplace_back(unit.path, id);
  }
  std::sort(by_path.begin(), by_path.end());
  scope.reserve(by_path.size());
  for (const auto& [path, id] : by_path) scope.push_back(id);
  std::optional<int64_t> count;
  if (unit_id) {
    STEWARD_ASSIGN_OR_RETURN(
        count, connection.QueryInt("SELECT count(*) FROM resident r JOIN org_unit u ON u.id = "
                                   "r.unit_id WHERE r.deleted_at IS NULL AND u.path >= ? AND "
                                   "u.path < ?",
                                   {lower, upper}));
  } else {
    STEWARD_ASSIGN_OR_RETURN(
        count, connection.QueryInt("SELECT count(*) FROM resident WHERE deleted_at IS NULL"));
  }
  total = count.value_or(0);
  return place;
}

}  // namespace

Result<ExportReport> ExportResidents(Connection& connection, const crypto::PiiVault& vault,
                                     const Clock& clock, const ExportOptions& options) {
  const std::string extension = ExtensionOf(options.out);
  if (extension != ".xlsx" && extension != ".csv") {
    return Fail(ErrorCode::kInvalidArgument,
                "cannot tell the format of " + options.out.string() + ": use .xlsx or .csv",
                {{"out", "format", "导出文件须为 .xlsx 或 .csv"}});
  }
  ReadSnapshot snapshot(connection);
  STEWARD_TRY(snapshot.Begin());
  STEWARD_ASSIGN_OR_RETURN(auto units, LoadUnits(connection));

  // A list of ids: those residents, whatever their unit. Otherwise the units in scope, in path
  // order (byte order, as the database sorts paths), and how many residents they hold.
  std::string title_place;
  std::vector<Id> scope;
  int64_t total = 0;
  if (!options.resident_ids) {
    STEWARD_ASSIGN_OR_RETURN(title_place,
                             ScopeOf(connection, units, options.unit_id, scope, total));
  }
  const std::string title = !options.title.empty() ? options.title
                                                   : title_place + "居民信息（导出日期 " +
                                                         clock.Today().ToString() + "）";
  STEWARD_ASSIGN_OR_RETURN(RowSink sink, RowSink::Open(options.out, title, options.rows_per_sheet));
  Exporter exporter(connection, vault, options, units, sink);
  STEWARD_TRY(options.resident_ids ? exporter.RunIds(*options.resident_ids)
                                   : exporter.Run(scope, total));
  STEWARD_TRY(sink.Close());
  return ExportReport{exporter.done(), sink.sheets(), sink.format()};
}

Status WriteImportTemplate(const std::filesystem::path& path,
                           std::span<const std::string> tag_names) {
  if (ExtensionOf(path) != ".xlsx") {
    return Fail(ErrorCode::kInvalidArgument, "the import template is an .xlsx file",
                {{"out", "format", "导入模板须为 .xlsx 文件"}});
  }
  auto choices = [](std::span<const std::string_view> values) {
    return std::vector<std::string>(values.begin(), values.end());
  };
  sheet::SheetSetup setup;
  setup.name = std::string(kSheetName);
  setup.title = std::string(kTemplateTitle);
  for (const auto& spec : ResidentColumns()) {
    if (spec.column == Column::kResidentId || spec.column == Column::kVersion) continue;
    sheet::ColumnSetup column;
    column.header = std::string(spec.header) + (spec.required ? "*" : "");
    column.width = std::max(ColumnWidth(spec.column), 12.0);
    column.format = FormatOf(spec.column);
    column.note = std::string(spec.note);
    switch (spec.column) {
      case Column::kGender:
        column.choices = choices(GenderChoices());
        break;
      case Column::kResidenceStatus:
        column.choices = choices(ResidenceStatusChoices());
        break;
      case Column::kRelationToHead:
        column.choices = choices(RelationChoices());
        column.choice_check = sheet::ChoiceCheck::kSuggest;  // other relations may be typed
        break;
      case Column::kTags:
        column.choices.assign(tag_names.begin(), tag_names.end());
        column.choice_check = sheet::ChoiceCheck::kSuggest;  // "独居、党员": several in a cell
        break;
      default:
        break;
    }
    setup.columns.push_back(std::move(column));
  }
  STEWARD_ASSIGN_OR_RETURN(auto writer, sheet::XlsxWriter::Create(path, sheet::Mode::kNormal));
  STEWARD_TRY(writer->AddSheet(std::move(setup)));
  return writer->Close();
}

Result<std::vector<std::string>> ListTagNames(Connection& connection) {
  std::vector<std::string> names;
  STEWARD_TRY(connection.QueryEach("SELECT name FROM tag ORDER BY sort_order, code", {},
                                   [&](const RowView& row) { names.emplace_back(row.Text(0)); }));
  return names;
}

}  // namespace steward::registry
