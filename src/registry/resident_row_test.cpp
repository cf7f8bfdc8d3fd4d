// The row rules, driven by tests/cases/import_rows.tsv.
#include "registry/resident_row.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace steward::registry {
namespace {

std::vector<std::string> Split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string::npos;
       start = at + separator.size()) {
    parts.push_back(text.substr(start, at - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

sheet::Row TextRow(int64_t number, const std::vector<std::string>& texts) {
  sheet::Row row;
  row.number = number;
  for (const auto& text : texts) {
    sheet::Cell cell;
    cell.kind = text.empty() ? sheet::CellKind::kEmpty : sheet::CellKind::kText;
    cell.text = text;
    row.cells.push_back(cell);
  }
  return row;
}

const std::vector<std::string> kHeaders = {
    "姓名", "性别", "身份证号", "出生日期",   "联系电话", "所属社区", "所属网格",
    "楼栋", "单元", "室",       "与户主关系", "人户状态", "标签"};

TEST(ResidentRow, RuleTable) {
  const std::map<std::string, std::string, std::less<>> tags = {
      {"党员", "party_member"},       {"party_member", "party_member"}, {"独居", "lives_alone"},
      {"lives_alone", "lives_alone"}, {"veteran", "veteran"},           {"退役军人", "veteran"}};
  auto header = MapHeader({TextRow(1, kHeaders)});
  ASSERT_TRUE(header) << header.error().ToString();
  const RowContext context{Date{2026, 11, 28}, {}, &tags};
  std::ifstream in(std::string(STEWARD_SOURCE_DIR) + "/tests/cases/import_rows.tsv");
  ASSERT_TRUE(in);
  std::string line;
  int line_number = 0, cases = 0;
  bool header_line = true;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    if (header_line) {
      header_line = false;
      continue;
    }
    const auto fields = Split(line, "\t");
    ASSERT_EQ(fields.size(), 3u) << "import_rows.tsv:" << line_number;
    std::vector<std::string> texts(kHeaders.size());
    for (const auto& pair : Split(fields[1], " | ")) {
      const auto equals = pair.find('=');
      ASSERT_NE(equals, std::string::npos) << "import_rows.tsv:" << line_number;
      const auto at = std::find(kHeaders.begin(), kHeaders.end(), pair.substr(0, equals));
      ASSERT_NE(at, kHeaders.end()) << "import_rows.tsv:" << line_number << " unknown header";
      texts[static_cast<size_t>(at - kHeaders.begin())] = pair.substr(equals + 1);
    }
    const ParsedResident parsed = ParseResidentRow(*header, TextRow(2, texts), context);
    std::string got;
    for (const auto& error : parsed.errors) {
      if (!got.empty()) got += ";";
      got += error.code + "@" + std::string(SpecOf(error.column).header);
      EXPECT_FALSE(error.message.empty());
    }
    if (got.empty()) got = "ok";
    EXPECT_EQ(got, fields[2]) << "import_rows.tsv:" << line_number << " (" << fields[0] << ")";
    ++cases;
  }
  EXPECT_GE(cases, 25);
}

TEST(ResidentRow, HeaderBelowATitleRowWithUnknownColumns) {
  std::vector<sheet::Row> rows = {TextRow(1, {"城东社区人口信息采集表", "", ""}),
                                  TextRow(2, {"填表日期：2026年11月", "", ""}),
                                  TextRow(3, {"序号", "姓名*", "身份证号", "所属社区", "爱好"})};
  auto header = MapHeader(rows);
  ASSERT_TRUE(header) << header.error().ToString();
  EXPECT_EQ(header->header_row, 3);
  EXPECT_EQ(header->IndexOf(Column::kName), 1u);
  EXPECT_EQ(header->unknown, (std::vector<std::string>{"序号", "爱好"}));
}

TEST(ResidentRow, MissingRequiredColumnIsFatal) {
  auto no_community = MapHeader({TextRow(1, {"姓名", "身份证号"})});
  ASSERT_FALSE(no_community);
  EXPECT_EQ(no_community.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(no_community.error().details.size(), 1u);
  EXPECT_EQ(no_community.error().details[0].field, "community");
  // Neither an ID number column nor gender + birth date.
  auto unidentifiable = MapHeader({TextRow(1, {"姓名", "性别", "所属社区"})});
  ASSERT_FALSE(unidentifiable);
  EXPECT_EQ(unidentifiable.error().details[0].field, "id_number");
  auto none = MapHeader({TextRow(1, {"a", "b"}), TextRow(2, {"1", "2"})});
  ASSERT_FALSE(none);
}

TEST(ResidentRow, DatesAsExcelCellsAndTexts) {
  sheet::Cell cell;
  cell.kind = sheet::CellKind::kDate;
  cell.date = Date{1956, 3, 8};
  cell.text = "1956-03-08";
  EXPECT_EQ(ParseSheetDate(cell), (Date{1956, 3, 8}));
  for (const char* text : {"1956-03-08", "1956/3/8", "1956.3.8", "19560308", "1956年3月8日",
                           "1956年03月08日", "1956-03-08 00:00:00"}) {
    sheet::Cell text_cell;
    text_cell.kind = sheet::CellKind::kText;
    text_cell.text = text;
    EXPECT_EQ(ParseSheetDate(text_cell), (Date{1956, 3, 8})) << text;
  }
  for (const char* text : {"1956-02-30", "56-3-8", "March 8", "1956-3", "2023-13-01"}) {
    sheet::Cell text_cell;
    text_cell.kind = sheet::CellKind::kText;
    text_cell.text = text;
    EXPECT_EQ(ParseSheetDate(text_cell), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace steward::registry
