#include "registry/resident_row.hpp"

#include <algorithm>
#include <cstdlib>

#include "registry/place.hpp"

namespace steward::registry {
namespace {

constexpr int kHeaderSearchRows = 20;

// Trims ASCII and full-width spaces and no-break spaces.
std::string Trim(std::string_view text) {
  auto starts = [&](std::string_view piece) { return text.starts_with(piece); };
  auto ends = [&](std::string_view piece) { return text.ends_with(piece); };
  for (bool again = true; again && !text.empty();) {
    again = false;
    for (std::string_view space : {" ", "\t", "\r", "\n", "\xE3\x80\x80", "\xC2\xA0"}) {
      if (starts(space)) {
        text.remove_prefix(space.size());
        again = true;
      }
      if (ends(space)) {
        text.remove_suffix(space.size());
        again = true;
      }
    }
  }
  return std::string(text);
}

enum class Spaces { kSeparate, kKeep };

// Splits a list cell on 、 , ， ; ； / (and spaces, unless a value may contain them: phones).
std::vector<std::string> SplitList(std::string_view text, Spaces spaces = Spaces::kSeparate) {
  std::vector<std::string> parts;
  std::string current;
  auto flush = [&] {
    std::string piece = Trim(current);
    if (!piece.empty()) parts.push_back(std::move(piece));
    current.clear();
  };
  for (size_t i = 0; i < text.size();) {
    bool separator = false;
    for (std::string_view sep :
         {"\xE3\x80\x81", "\xEF\xBC\x8C", "\xEF\xBC\x9B", ",", ";", "/", " ", "\xE3\x80\x80"}) {
      if (spaces == Spaces::kKeep && (sep == " " || sep == "\xE3\x80\x80")) continue;
      if (text.substr(i).starts_with(sep)) {
        flush();
        i += sep.size();
        separator = true;
        break;
      }
    }
    if (!separator) current += text[i++];
  }
  flush();
  return parts;
}

std::string CellText(const sheet::Row& row, std::optional<size_t> index) {
  if (!index || *index >= row.cells.size()) return {};
  std::string text = Trim(row.cells[*index].text);
  // Our CSV export guards text starting with = + - @ with an apostrophe (formula injection).
  if (text.size() >= 2 && text[0] == '\'' &&
      std::string_view("=+-@").find(text[1]) != std::string_view::npos) {
    text.erase(0, 1);
  }
  return text;
}

const sheet::Cell* CellAt(const sheet::Row& row, std::optional<size_t> index) {
  if (!index || *index >= row.cells.size()) return nullptr;
  return &row.cells[*index];
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<size_t> SheetColumns::IndexOf(Column column) const {
  for (size_t i = 0; i < by_index.size(); ++i) {
    if (by_index[i] == column) return i;
  }
  return std::nullopt;
}

bool ParsedResident::Has(Column column) const {
  return std::find(present.begin(), present.end(), column) != present.end();
}

bool IsBlankRow(const sheet::Row& row) {
  return std::all_of(row.cells.begin(), row.cells.end(),
                     [](const sheet::Cell& cell) { return Trim(cell.text).empty(); });
}

Result<SheetColumns> MapHeader(const std::vector<sheet::Row>& rows) {
  const SheetColumns* best = nullptr;
  std::vector<SheetColumns> candidates;
  candidates.reserve(rows.size());
  for (const auto& row : rows) {
    if (candidates.size() >= kHeaderSearchRows) break;
    SheetColumns columns;
    columns.header_row = row.number;
    int known = 0;
    for (const auto& cell : row.cells) {
      const std::string header = Trim(cell.text);
      auto column = ColumnForHeader(header);
      // A header names each column once; a repeat is treated as unknown.
      if (column && columns.IndexOf(*column)) column.reset();
      columns.by_index.push_back(column);
      columns.headers.push_back(header);
      if (column) {
        ++known;
      } else if (!header.empty()) {
        columns.unknown.push_back(header);
      }
    }
    candidates.push_back(std::move(columns));
    // The header is the first row naming the name column and at least one more known column.
    if (known >= 2 && candidates.back().Has(Column::kName)) {
      best = &candidates.back();
      break;
    }
  }
  if (!best) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "找不到表头：前 20 行中没有包含“姓名”等列名的行 / no header row (with 姓名 and other "
        "known columns) in the first 20 rows");
  }
  std::vector<ErrorDetail> missing;
  for (const auto& spec : ResidentColumns()) {
    if (spec.required && !best->Has(spec.column)) {
      missing.push_back({std::string(spec.key), "column.missing",
                         "缺少必需的列“" + std::string(spec.header) + "”"});
    }
  }
  const bool identifies =
      best->Has(Column::kIdNumber) || (best->Has(Column::kGender) && best->Has(Column::kBirthDate));
  if (!identifies) {
    missing.push_back(
        {"id_number", "column.missing", "缺少“身份证号”列（或“性别”和“出生日期”两列）"});
  }
  if (!missing.empty()) {
    std::string message = "表格缺少必需的列 / required columns are missing:";
    for (const auto& detail : missing) message += " " + detail.field;
    return Fail(ErrorCode::kInvalidArgument, message, std::move(missing));
  }
  return *best;
}

std::optional<Date> ParseSheetDate(const sheet::Cell& cell) {
  if (cell.date) return cell.date;
  std::string text = Trim(cell.text);
  if (text.empty()) return std::nullopt;
  // 1956年3月8日 -> 1956-3-8
  for (auto [from, to] :
       {std::pair<std::string_view, std::string_view>{"年", "-"}, {"月", "-"}, {"日", ""}}) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from)) {
      text.replace(at, from.size(), to);
    }
  }
  std::replace(text.begin(), text.end(), '/', '-');
  std::replace(text.begin(), text.end(), '.', '-');
  if (text.size() > 10 && text[10] == ' ') text.resize(10);  // a time part
  int year = 0, month = 0, day = 0;
  if (AllDigits(text) && text.size() == 8) {
    year = std::atoi(text.substr(0, 4).c_str());
    month = std::atoi(text.substr(4, 2).c_str());
    day = std::atoi(text.substr(6, 2).c_str());
  } else {
    const auto first = text.find('-');
    const auto second = first == std::string::npos ? first : text.find('-', first + 1);
    if (second == std::string::npos) return std::nullopt;
    const std::string y = text.substr(0, first), m = text.substr(first + 1, second - first - 1),
                      d = text.substr(second + 1);
    if (!AllDigits(y) || y.size() != 4 || !AllDigits(m) || m.size() > 2 || !AllDigits(d) ||
        d.size() > 2) {
      return std::nullopt;
    }
    year = std::atoi(y.c_str());
    month = std::atoi(m.c_str());
    day = std::atoi(d.c_str());
  }
  if (!Date::IsValid(year, month, day)) return std::nullopt;
  return Date{year, month, day};
}

ParsedResident ParseResidentRow(const SheetColumns& columns, const sheet::Row& row,
                                const RowContext& context) {
  ParsedResident parsed;
  parsed.row_number = row.number;
  auto text = [&](Column column) { return CellText(row, columns.IndexOf(column)); };
  auto error = [&](Column column, std::string code, std::string message) {
    parsed.errors.push_back({column, std::move(code), std::move(message)});
  };
  for (size_t i = 0; i < columns.by_index.size(); ++i) {
    if (columns.by_index[i] && !CellText(row, i).empty())
      parsed.present.push_back(*columns.by_index[i]);
  }
  NewResident& resident = parsed.resident;

  if (const std::string id = text(Column::kResidentId); !id.empty()) {
    if (AllDigits(id) && id.size() <= 19) {
      parsed.resident_id = std::strtoll(id.c_str(), nullptr, 10);
    } else {
      error(Column::kResidentId, "resident_id.format", "居民编号格式错误，请勿修改导出的编号");
    }
    const std::string version = text(Column::kVersion);
    if (AllDigits(version) && version.size() <= 18) {
      parsed.version = std::strtoll(version.c_str(), nullptr, 10);
    } else {
      error(Column::kVersion, "version.format", "有居民编号时须保留导出的版本号");
    }
  }

  resident.name = text(Column::kName);
  if (resident.name.empty()) error(Column::kName, "name.required", "姓名不能为空");

  std::optional<Gender> gender;
  if (const std::string value = text(Column::kGender); !value.empty()) {
    Gender parsed_gender;
    if (ParseGender(value, &parsed_gender)) {
      gender = parsed_gender;
    } else {
      error(Column::kGender, "gender.invalid", "性别只能填写“男”或“女”");
    }
  }

  std::optional<Date> birth;
  const sheet::Cell* birth_cell = CellAt(row, columns.IndexOf(Column::kBirthDate));
  const bool birth_given = birth_cell && !Trim(birth_cell->text).empty();
  if (const sheet::Cell* cell = birth_cell; birth_given) {
    birth = ParseSheetDate(*cell);
    if (!birth) {
      error(Column::kBirthDate, "birth_date.invalid",
            "出生日期无法识别或不存在，请写作 1956-03-08");
    } else if (*birth > context.today || birth->year < 1880) {
      error(Column::kBirthDate, "birth_date.impossible", "出生日期不可能（晚于今天或早于1880年）");
      birth.reset();
    }
  }

  // A masked value (from a masked export) means "as stored" on a row that names its resident, and
  // cannot be imported on a row that does not.
  auto masked = [&](Column column, const std::string& value) {
    if (value.find('*') == std::string::npos) return false;
    if (parsed.resident_id) {
      std::erase(parsed.present, column);
    } else {
      error(column, std::string(SpecOf(column).key) + ".masked",
            "脱敏的" + std::string(SpecOf(column).header) + "无法导入，请填写完整号码");
    }
    return true;
  };
  std::string id_text = text(Column::kIdNumber);
  if (masked(Column::kIdNumber, id_text)) id_text.clear();
  if (!id_text.empty()) {
    auto checked = CheckIdNumber(id_text, context.today, context.region_known);
    if (!checked) {
      const auto& detail = checked.error().details;
      error(Column::kIdNumber, detail.empty() ? "id_number.invalid" : detail.front().code,
            detail.empty() ? checked.error().message : detail.front().message);
    } else {
      resident.id_number = checked->normalized;
      if (auto cross = CrossCheckIdNumber(*checked, birth, gender); !cross) {
        for (const auto& detail : cross.error().details) {
          const Column column =
              detail.code == "id_number.gender_mismatch" ? Column::kGender : Column::kBirthDate;
          error(column, detail.code, detail.message);
        }
      }
      if (!gender) gender = checked->gender;
      if (!birth) birth = checked->birth_date;
    }
  } else if (!parsed.resident_id) {
    // Without an ID number a person is known by name, gender and birth date.
    if (!gender && text(Column::kGender).empty()) {
      error(Column::kGender, "gender.required", "无身份证号时须填写性别");
    }
    if (!birth_given)
      error(Column::kBirthDate, "birth_date.required", "无身份证号时须填写出生日期");
    parsed.needs_review = true;
  }
  if (gender) resident.gender = *gender;
  resident.birth_date = birth;

  std::string phones_text = text(Column::kPhone);
  if (masked(Column::kPhone, phones_text)) phones_text.clear();
  for (const auto& phone_text : SplitList(phones_text, Spaces::kKeep)) {
    auto phone = NormalizePhone(phone_text);
    if (phone) {
      resident.phones.push_back(*phone);
    } else {
      const auto& detail = phone.error().details;
      error(Column::kPhone, detail.empty() ? "phone.format" : detail.front().code,
            detail.empty() ? phone.error().message : detail.front().message);
    }
  }

  if (const std::string status = text(Column::kResidenceStatus); !status.empty()) {
    if (!ParseResidenceStatus(status, &resident.residence_status)) {
      error(Column::kResidenceStatus, "residence_status.invalid",
            "人户状态只能是“户在人在”“人在户不在”或“户在人不在”");
    }
  }
  for (const auto& tag : SplitList(text(Column::kTags))) {
    const auto found = context.tags ? context.tags->find(tag) : decltype(context.tags->end()){};
    if (context.tags && found != context.tags->end()) {
      resident.tags.push_back(found->second);
    } else {
      error(Column::kTags, "tag.unknown", "未知的标签“" + tag + "”");
    }
  }
  resident.ethnicity = text(Column::kEthnicity);
  resident.hukou_address = text(Column::kHukouAddress);
  resident.relation_to_head = text(Column::kRelationToHead);
  resident.notes = text(Column::kNotes);
  parsed.current_address = text(Column::kCurrentAddress);
  parsed.street = text(Column::kStreet);
  parsed.community = text(Column::kCommunity);
  parsed.grid = text(Column::kGrid);
  parsed.complex = text(Column::kComplex);
  parsed.building = text(Column::kBuilding);
  parsed.unit_no = text(Column::kUnitNo);
  parsed.room = text(Column::kRoom);
  if (parsed.community.empty()) {
    error(Column::kCommunity, "community.required", "所属社区不能为空");
  }
  if (parsed.building.empty() && (!parsed.unit_no.empty() || !parsed.room.empty())) {
    error(Column::kBuilding, "building.required", "填写了单元或室号时须填写楼栋");
  }
  return parsed;
}

}  // namespace steward::registry
