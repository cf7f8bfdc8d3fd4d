// OpenSheet as a whole: format detection by content, one clear error per bad file, the same
// answers from memory as from a file, sticky errors, and no cell content in messages.
#include "sheet/reader.hpp"

#include <gtest/gtest.h>

#include "sheet/internal/sheet_testing.hpp"

namespace steward::sheet {
namespace {

using testing::Dump;
using testing::Fixture;
using testing::ReadFile;

TEST(SheetReaderTest, DetectsTheFormatByContentNotByExtension) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "really_xlsx.csv", ReadFile(Fixture("excel.xlsx")));
  testing::WriteFile(dir.path() / "really_csv.xlsx", ReadFile(Fixture("utf8.csv")));
  testing::WriteFile(dir.path() / "really_xls.xlsx", ReadFile(Fixture("basic.xls")));
  auto xlsx = OpenSheet(dir.path() / "really_xlsx.csv");
  auto csv = OpenSheet(dir.path() / "really_csv.xlsx");
  auto xls = OpenSheet(dir.path() / "really_xls.xlsx");
  ASSERT_TRUE(xlsx && csv && xls);
  EXPECT_EQ((*xlsx)->format(), Format::kXlsx);
  EXPECT_EQ((*csv)->format(), Format::kCsv);
  EXPECT_EQ((*xls)->format(), Format::kXls);
  EXPECT_STREQ(FormatName(Format::kXls), "xls");
}

struct BadFile {
  const char* fixture;
  const char* chinese;  // the Chinese part of the one message expected
};

TEST(SheetReaderTest, EveryBadFileGivesOneClearError) {
  const BadFile cases[] = {
      {"empty.csv", "文件为空"},
      {"blank.csv", "文件为空"},
      {"not_a_sheet.png", "不是可识别的表格文件（支持 .xlsx、.xls、.csv）"},
      {"not_a_workbook.zip", "不是可识别的表格文件"},
      {"truncated.xlsx", "文件已损坏或不完整"},
      {"truncated.xls", "文件已损坏或不完整"},
      {"zip_bomb.xlsx", "文件异常（疑似压缩炸弹）"},
  };
  for (const BadFile& bad : cases) {
    SCOPED_TRACE(bad.fixture);
    for (const bool from_memory : {false, true}) {
      const std::string bytes = ReadFile(Fixture(bad.fixture));
      auto opened = from_memory ? OpenSheetFromMemory(bytes) : OpenSheet(Fixture(bad.fixture));
      ASSERT_FALSE(opened);
      EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(opened.error().message.find(bad.chinese), std::string::npos)
          << opened.error().message;
      EXPECT_NE(opened.error().message.find("/ "), std::string::npos);  // "中文 / English"
    }
  }
}

TEST(SheetReaderTest, RandomBytesAreNotASpreadsheet) {
  std::string noise(4096, '\0');
  uint32_t state = 12345;
  for (char& c : noise) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>(state >> 24);
  }
  auto opened = OpenSheetFromMemory(noise);
  ASSERT_FALSE(opened);
  EXPECT_EQ(
      opened.error().message,
      "不是可识别的表格文件（支持 .xlsx、.xls、.csv）/ not a spreadsheet (.xlsx, .xls or .csv)");
  EXPECT_FALSE(OpenSheetFromMemory("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n\x01\x02"));
}

TEST(SheetReaderTest, AMissingFileIsNotFound) {
  testing::TempDir dir;
  auto missing = OpenSheet(dir.path() / "nothing.xlsx");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto folder = OpenSheet(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::kNotFound);
}

TEST(SheetReaderTest, MemoryAndFileGiveTheSameRows) {
  for (const char* name :
       {"excel.xlsx", "wps.xlsx", "libreoffice.xlsx", "date1904.xlsx", "basic.xls", "utf8.csv",
        "utf8_bom.csv", "gb18030.csv", "tab.csv", "unterminated_quote.csv"}) {
    SCOPED_TRACE(name);
    const std::string bytes = ReadFile(Fixture(name));
    const auto from_file = Dump(OpenSheet(Fixture(name)));
    EXPECT_GE(from_file.size(), 2u);
    EXPECT_EQ(from_file, Dump(OpenSheetFromMemory(bytes)));
  }
}

TEST(SheetReaderTest, AnErrorIsFinalAndTheEndStaysTheEnd) {
  auto broken = OpenSheet(Fixture("unterminated_quote.csv"));
  ASSERT_TRUE(broken);
  Result<std::optional<Row>> row;
  do {
    row = (*broken)->Next();
  } while (row && *row);
  ASSERT_FALSE(row);
  auto again = (*broken)->Next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, row.error().message);

  auto good = OpenSheet(Fixture("semicolon.csv"));
  ASSERT_TRUE(good);
  EXPECT_EQ(Dump(**good).size(), 2u);
  for (int i = 0; i < 3; ++i) {
    auto end = (*good)->Next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
  }
  EXPECT_DOUBLE_EQ((*good)->progress(), 1.0);
}

TEST(SheetReaderTest, AForcedFormatSkipsDetection) {
  const std::string csv = ReadFile(Fixture("utf8.csv"));
  auto as_xlsx = OpenSheetFromMemory(csv, {}, Format::kXlsx);
  ASSERT_FALSE(as_xlsx);
  EXPECT_NE(as_xlsx.error().message.find("文件已损坏"), std::string::npos);
  const std::string xlsx = ReadFile(Fixture("excel.xlsx"));
  auto as_csv = OpenSheetFromMemory(xlsx, {}, Format::kCsv);
  ASSERT_FALSE(as_csv);  // binary: NUL bytes
  EXPECT_NE(as_csv.error().message.find("不是可识别的表格文件"), std::string::npos);
}

TEST(SheetReaderTest, MessagesNameRowsAndColumnsButNeverCellContents) {
  // Each case hides a marker in the failing cell; the message must not repeat it.
  ReadLimits tight;
  tight.max_cell_bytes = 8;
  tight.max_columns = 2;
  const std::string marker = "秘密331181199001011234";
  std::string valid_start = "a,b\n";
  while (valid_start.size() < 70'000) valid_start += "1,2\n";
  const std::string cases[] = {
      "a,b\n1,\"" + marker + "\n",          // unterminated quote
      "a,b\n1," + marker + "\n",            // cell too long
      "a,b\n1,2,3," + marker + "\n",        // column past the limit
      valid_start + marker + "\xff\xff\n",  // bad encoding past the sniffed prefix
  };
  for (const std::string& text : cases) {
    auto reader = OpenSheetFromMemory(text, tight);
    ASSERT_TRUE(reader);
    const auto lines = Dump(**reader, 1'000'000);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().find("error: "), 0u) << lines.back();
    EXPECT_EQ(lines.back().find("秘密"), std::string::npos) << lines.back();
    EXPECT_EQ(lines.back().find("331181"), std::string::npos) << lines.back();
  }
}

}  // namespace
}  // namespace steward::sheet
