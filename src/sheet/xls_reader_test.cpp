// .xls through libfreexl, on a BIFF8 workbook built by tools/make_sheet_fixtures.py (shared
// strings, LABEL/NUMBER/RK/BOOLERR records, built-in and custom date formats).
#include <gtest/gtest.h>

#include "sheet/internal/sheet_testing.hpp"
#include "sheet/reader.hpp"

namespace steward::sheet {
namespace {

using testing::Dump;
using testing::Fixture;
using Lines = std::vector<std::string>;

TEST(XlsReaderTest, ReadsABiff8Workbook) {
  auto reader = OpenSheet(Fixture("basic.xls"));
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ((*reader)->format(), Format::kXls);
  const Lines lines = Dump(**reader);
  ASSERT_EQ(lines.size(), 5u + 250u);
  // freexl reports booleans as the integers they are stored as (BOOLERR 1 -> "1").
  EXPECT_EQ(Lines(lines.begin(), lines.begin() + 6),
            (Lines{"1: t:姓名 | t:身份证号 | t:出生日期 | t:登记日期 | t:年龄 | t:备注",
                   "2: t:张三 | n:3.31181199001011E+17 | d:1990-01-01 | d:2024-01-01 | n:34 | "
                   "t:重点关注",
                   "3: t:李四 | t:33118119850315002X | d:2024-01-01 12:00:00 | d:18:00:00 | n:1",
                   "5: t:王五 | - | - | - | n:0.1", "9: t:编号", "10: n:1"}));
  EXPECT_EQ(lines.back(), "259: n:250");
  EXPECT_DOUBLE_EQ((*reader)->progress(), 1.0);
}

TEST(XlsReaderTest, GivesDatesAsDatesAndSerials) {
  auto reader = OpenSheet(Fixture("basic.xls"));
  ASSERT_TRUE(reader);
  (*reader)->Next();
  auto second = (*reader)->Next();
  auto third = (*reader)->Next();
  ASSERT_TRUE(second && *second && third && *third);
  EXPECT_EQ((**second).cells[2].date, (Date{1990, 1, 1}));
  EXPECT_EQ((**second).cells[2].number, 32874);
  EXPECT_EQ((**third).cells[2].date, (Date{2024, 1, 1}));
  EXPECT_DOUBLE_EQ((**third).cells[2].number, 45292.5);
  EXPECT_FALSE((**third).cells[3].date);
  EXPECT_DOUBLE_EQ((**third).cells[3].number, 0.75);
}

TEST(XlsReaderTest, FromMemoryLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", dir.path().c_str(), 1);
  const std::string bytes = testing::ReadFile(Fixture("basic.xls"));
  {
    auto reader = OpenSheetFromMemory(bytes);
    ASSERT_TRUE(reader);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // gone once freexl has the workbook
    EXPECT_EQ(Dump(**reader).size(), 255u);
  }
  auto damaged = OpenSheetFromMemory(bytes.substr(0, bytes.size() / 2));
  ASSERT_FALSE(damaged);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  if (old != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
}

TEST(XlsReaderTest, EnforcesTheLimits) {
  ReadLimits rows;
  rows.max_rows = 3;
  EXPECT_EQ(Dump(OpenSheet(Fixture("basic.xls"), rows)).back(),
            "error: 表格超过 3 行的上限 / the sheet has more than 3 rows (the limit)");
  ReadLimits columns;
  columns.max_columns = 5;
  EXPECT_EQ(Dump(OpenSheet(Fixture("basic.xls"), columns)),
            (Lines{"error: 表格尺寸异常：超过 5 列的上限（第 1 行）/ absurd sheet dimension: more "
                   "than 5 columns (the limit; row 1)"}));
}

TEST(XlsReaderTest, DamagedFilesGiveOneClearError) {
  const std::string bytes = testing::ReadFile(Fixture("basic.xls"));
  // Cut at several places, and with the BIFF records scrambled past the header.
  std::vector<std::string> broken = {bytes.substr(0, 8), bytes.substr(0, 512),
                                     bytes.substr(0, 1000), bytes.substr(0, bytes.size() - 100)};
  std::string scrambled = bytes;
  for (size_t i = 600; i < 700; ++i) scrambled[i] = static_cast<char>(i * 7);
  broken.push_back(scrambled);
  for (const std::string& data : broken) {
    auto opened = OpenSheetFromMemory(data);
    if (opened) {
      Dump(**opened);  // freexl may accept some damage; reading must still end cleanly
      continue;
    }
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(opened.error().message.find("/ "), std::string::npos);
  }
}

}  // namespace
}  // namespace steward::sheet
