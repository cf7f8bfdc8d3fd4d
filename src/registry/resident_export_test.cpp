// The import template needs no database: headers, notes, drop-down lists and text columns.
// (Exports run against real databases in tests/integration/export_test.cpp.)
#include "registry/resident_export.hpp"
#include "tests/support/workbook_files.hpp"

#include <zip.h>

#include <gtest/gtest.h>

#include "registry/sheet_layout.hpp"
#include "sheet/reader.hpp"

namespace steward::registry {
namespace {

using steward::testing::Count;
using steward::testing::ReadFile;
using steward::testing::ZipEntry;

class TemplateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "steward-template-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::filesystem::path folder_;
};

TEST_F(TemplateTest, HasMarkedHeadersNotesDropDownsAndTextColumns) {
  const auto path = folder_ / "导入模板.xlsx";
  const std::vector<std::string> tags = {"独居", "残疾", "党员"};
  ASSERT_TRUE(WriteImportTemplate(path, tags));

  // Row 1 the instructions, row 2 the header; the header maps back to the layout's columns.
  auto reader = sheet::OpenSheet(path);
  ASSERT_TRUE(reader) << reader.error().ToString();
  auto title = (*reader)->Next();
  ASSERT_TRUE(title && *title);
  EXPECT_EQ((*title)->number, 1);
  EXPECT_TRUE((*title)->cells.at(0).text.starts_with("居民信息导入模板\n"));
  auto header = (*reader)->Next();
  ASSERT_TRUE(header && *header);
  std::vector<std::string> headers;
  for (const auto& cell : (*header)->cells) headers.push_back(cell.text);
  std::vector<std::string> expected;
  for (const auto& spec : ResidentColumns()) {
    if (spec.column == Column::kResidentId || spec.column == Column::kVersion) continue;
    expected.push_back(std::string(spec.header) + (spec.required ? "*" : ""));
  }
  EXPECT_EQ(headers, expected);
  EXPECT_EQ(headers.front(), "姓名*");
  for (const auto& text : headers) {
    auto column = ColumnForHeader(text);
    ASSERT_TRUE(column) << text;
    EXPECT_NE(*column, Column::kResidentId);
  }
  auto end = (*reader)->Next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end) << "no data rows";

  const std::string xml = ZipEntry(path, "xl/worksheets/sheet1.xml");
  EXPECT_EQ(Count(xml, "<dataValidation "), 4u) << xml;
  EXPECT_NE(xml.find("<formula1>\"男,女\"</formula1>"), std::string::npos);
  EXPECT_NE(xml.find("<formula1>\"户在人在,人在户不在,户在人不在\"</formula1>"), std::string::npos);
  EXPECT_NE(xml.find("<formula1>\"户主,配偶,子,女,"), std::string::npos);
  EXPECT_NE(xml.find("<formula1>\"独居,残疾,党员\"</formula1>"), std::string::npos);
  // 性别 and 人户状态 refuse other values; 与户主关系 and 标签 only suggest.
  EXPECT_EQ(Count(xml, "showErrorMessage=\"1\""), 2u);
  EXPECT_NE(xml.find("ySplit=\"2\""), std::string::npos);
  const std::string notes = ZipEntry(path, "xl/comments1.xml");
  ASSERT_FALSE(notes.empty()) << "header notes are comments";
  EXPECT_NE(notes.find("18位公民身份号码"), std::string::npos);
  // Every column is text-formatted ("@", built-in format 49).
  EXPECT_NE(ZipEntry(path, "xl/styles.xml").find("numFmtId=\"49\""), std::string::npos);
  EXPECT_EQ(Count(xml, "<col "), expected.size()) << xml;
}

TEST_F(TemplateTest, ALongTagDictionaryMovesToTheHiddenSheet) {
  const auto path = folder_ / "long.xlsx";
  std::vector<std::string> tags;
  for (int i = 0; i < 40; ++i) tags.push_back("自定义标签" + std::to_string(i));
  ASSERT_TRUE(WriteImportTemplate(path, tags));
  EXPECT_NE(ZipEntry(path, "xl/worksheets/sheet1.xml").find("'_choices'!$A$1:$AN$1"),
            std::string::npos);
  EXPECT_NE(ZipEntry(path, "xl/workbook.xml").find("state=\"hidden\""), std::string::npos);
}

TEST_F(TemplateTest, RefusesOtherFormats) {
  auto written = WriteImportTemplate(folder_ / "template.csv", {});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace steward::registry
