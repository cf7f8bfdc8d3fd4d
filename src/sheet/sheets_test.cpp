// SheetReader::NextSheet: continuation sheets written by XlsxWriter read back in full, hidden,
// chart and "_choices" sheets skipped, one-sheet formats, and the guards across sheets.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sheet/internal/sheet_testing.hpp"
#include "sheet/internal/stored_zip.hpp"
#include "sheet/reader.hpp"
#include "sheet/xlsx_writer.hpp"

namespace steward::sheet {
namespace {

using steward::testing::StoredZip;
using testing::Dump;
using testing::Fixture;
using testing::TempDir;
using Lines = std::vector<std::string>;

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string Sheet(const std::string& rows) {
  return std::string("<worksheet xmlns=\"") + kMain + "\"><sheetData>" + rows +
         "</sheetData></worksheet>";
}

std::string NumberRows(int first, int count) {
  std::string rows;
  for (int i = 0; i < count; ++i) {
    rows += "<row r=\"" + std::to_string(i + 1) + "\"><c><v>" + std::to_string(first + i) +
            "</v></c></row>";
  }
  return rows;
}

struct BookSheet {
  std::string name;
  std::string state;  // "" (visible), "hidden", "veryHidden"
  std::string kind;   // relationship type: "worksheet", "chartsheet"
  std::string xml;    // the part; "" leaves it out of the zip
};

// A workbook of stored entries with the sheets in this order (part i at xl/worksheets/sheet<i>).
std::string Book(const std::vector<BookSheet>& sheets) {
  std::string workbook =
      std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel + "\"><sheets>";
  std::string rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  std::vector<std::pair<std::string, std::string>> parts;
  for (size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook += "<sheet name=\"" + sheets[i].name + "\" sheetId=\"" + n + "\" r:id=\"rId" + n +
                "\"" + (sheets[i].state.empty() ? "" : " state=\"" + sheets[i].state + "\"") + "/>";
    rels += "<Relationship Id=\"rId" + n + "\" Type=\"" + kRel + "/" + sheets[i].kind +
            "\" Target=\"worksheets/sheet" + n + ".xml\"/>";
    if (!sheets[i].xml.empty())
      parts.emplace_back("xl/worksheets/sheet" + n + ".xml", sheets[i].xml);
  }
  workbook += "</sheets></workbook>";
  rels += "</Relationships>";
  parts.insert(parts.begin(),
               {{"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", rels}});
  return StoredZip(parts);
}

// Every sheet: its name, then its rows as Dump renders them; an error ends it.
Lines DumpAll(SheetReader& reader) {
  Lines lines;
  while (true) {
    lines.push_back("[" + reader.sheet_name() + "]");
    for (std::string& line : Dump(reader)) lines.push_back(std::move(line));
    if (lines.back().starts_with("error: ")) return lines;  // final: NextSheet repeats it
    auto next = reader.NextSheet();
    if (!next) {
      lines.push_back("sheet error: " + next.error().message);
      return lines;
    }
    if (!*next) return lines;
  }
}

Lines DumpAll(Result<std::unique_ptr<SheetReader>> opened) {
  if (!opened) return {"open error: " + opened.error().message};
  return DumpAll(**opened);
}

TEST(NextSheetTest, ReadsEveryContinuationSheetAnExportWrote) {
  TempDir folder;
  const auto path = folder.path() / "export.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer) << writer.error().message;
  SheetSetup setup;
  setup.name = "居民信息";
  setup.title = "城东社区居民信息（导出日期 2026-11-28）";
  // A long drop-down list puts the hidden "_choices" sheet right after the first sheet.
  std::vector<std::string> tags;
  for (int i = 0; i < 60; ++i) tags.push_back("标签名称" + std::to_string(i));
  setup.columns = {{"姓名", 0, ColumnFormat::kText, "", {}, ChoiceCheck::kStrict},
                   {"身份证号", 22, ColumnFormat::kText, "", {}, ChoiceCheck::kStrict},
                   {"版本", 6, ColumnFormat::kGeneral, "", {}, ChoiceCheck::kStrict},
                   {"标签", 0, ColumnFormat::kText, "", tags, ChoiceCheck::kSuggest}};
  setup.rows_per_sheet = 5;  // title + header + 3 data rows
  ASSERT_TRUE((*writer)->AddSheet(setup));
  for (int i = 1; i <= 7; ++i) {
    const std::vector<CellValue> cells = {CellValue::Text("居民" + std::to_string(i)),
                                          CellValue::Text("33118119900101100" + std::to_string(i)),
                                          CellValue::Number(i)};
    ASSERT_TRUE((*writer)->WriteRow(cells));
  }
  ASSERT_TRUE((*writer)->Close());
  ASSERT_EQ((*writer)->sheet_count(), 3);

  const std::string title = "1: t:城东社区居民信息（导出日期 2026-11-28）";
  const std::string header = "2: t:姓名 | t:身份证号 | t:版本 | t:标签";
  const auto person = [](int row, int i) {
    return std::to_string(row) + ": t:居民" + std::to_string(i) + " | t:33118119900101100" +
           std::to_string(i) + " | n:" + std::to_string(i);
  };
  const Lines expected = {
      "[居民信息]",    title, header, person(3, 1), person(4, 2), person(5, 3),
      "[居民信息(2)]", title, header, person(3, 4), person(4, 5), person(5, 6),
      "[居民信息(3)]", title, header, person(3, 7),
  };
  EXPECT_EQ(DumpAll(OpenSheet(path)), expected);

  // Progress rises over all three sheets and ends at 1; the end stays the end.
  auto reader = OpenSheet(path);
  ASSERT_TRUE(reader);
  double progress = 0;
  int rows = 0;
  for (int sheet = 0; sheet < 3; ++sheet) {
    if (sheet > 0) {
      auto next = (*reader)->NextSheet();
      ASSERT_TRUE(next && *next);
    }
    while (true) {
      auto row = (*reader)->Next();
      ASSERT_TRUE(row) << row.error().message;
      if (!*row) break;
      ++rows;
      EXPECT_GE((*reader)->progress(), progress);
      progress = (*reader)->progress();
    }
    if (sheet == 0) EXPECT_LT(progress, 0.6);
  }
  EXPECT_EQ(rows, 13);
  EXPECT_DOUBLE_EQ((*reader)->progress(), 1.0);
  auto past = (*reader)->NextSheet();
  ASSERT_TRUE(past);
  EXPECT_FALSE(*past);
  EXPECT_FALSE(*(*reader)->NextSheet());
  EXPECT_EQ((*reader)->sheet_name(), "居民信息(3)");
  auto end = (*reader)->Next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
}

TEST(NextSheetTest, SkipsHiddenChartAndChoiceSheets) {
  const std::string zip = Book({
      {"甲", "", "worksheet", Sheet(NumberRows(1, 2))},
      {"_choices", "hidden", "worksheet", Sheet(NumberRows(100, 1))},
      {"图表", "", "chartsheet", "<chartsheet/>"},
      {"深藏", "veryHidden", "worksheet", Sheet(NumberRows(200, 1))},
      {"_choices", "", "worksheet", Sheet(NumberRows(300, 1))},  // unhidden: still skipped
      {"乙", "visible", "worksheet", Sheet(NumberRows(3, 3))},
  });
  EXPECT_EQ(DumpAll(OpenSheetFromMemory(zip)),
            (Lines{"[甲]", "1: n:1", "2: n:2", "[乙]", "1: n:3", "2: n:4", "3: n:5"}));
  // Excel's own dialect: a hidden first sheet, then "名单" and "说明".
  const Lines excel = DumpAll(OpenSheet(Fixture("excel.xlsx")));
  ASSERT_EQ(excel.size(), 8u);  // "[名单]", its five rows, "[说明]", its row
  EXPECT_EQ(excel[0], "[名单]");
  EXPECT_EQ(excel[6], "[说明]");
  EXPECT_EQ(excel[7], "1: t:说明");
  // Only hidden sheets: the first worksheet is read, as before, and there is no next one.
  EXPECT_EQ(DumpAll(OpenSheetFromMemory(Book({
                {"图表", "", "chartsheet", "<chartsheet/>"},
                {"一", "hidden", "worksheet", Sheet(NumberRows(1, 1))},
                {"二", "hidden", "worksheet", Sheet(NumberRows(2, 1))},
            }))),
            (Lines{"[一]", "1: n:1"}));
}

TEST(NextSheetTest, ReadsTheSamePartTwiceWhenNamedTwice) {
  // As xlsx_fuzz builds its inputs: MinimalXlsx's second sheet is r:id="rId4".
  const std::string workbook =
      std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel +
      "\"><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/>"
      "<sheet name=\"b\" sheetId=\"2\" r:id=\"rId4\"/>"
      "<sheet name=\"c\" sheetId=\"3\" r:id=\"rId1\"/></sheets></workbook>";
  const std::string zip = steward::testing::MinimalXlsx(Sheet(NumberRows(1, 1)), "", "", workbook,
                                                        Sheet(NumberRows(2, 2)));
  EXPECT_EQ(DumpAll(OpenSheetFromMemory(zip)),
            (Lines{"[a]", "1: n:1", "[b]", "1: n:2", "2: n:3", "[c]", "1: n:1"}));
}

TEST(NextSheetTest, OneSheetFormatsHaveNoNextSheet) {
  const std::string csv = "a,b\n1,2\n";
  auto reader = OpenSheetFromMemory(csv);
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->sheet_name(), "");
  EXPECT_EQ(Dump(**reader), (Lines{"1: t:a | t:b", "2: t:1 | t:2"}));
  auto next = (*reader)->NextSheet();
  ASSERT_TRUE(next);
  EXPECT_FALSE(*next);
  auto end = (*reader)->Next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);

  auto xls = OpenSheet(Fixture("basic.xls"));
  ASSERT_TRUE(xls) << xls.error().message;
  EXPECT_FALSE(*(*xls)->NextSheet());
}

TEST(NextSheetTest, SkipsTheRestOfASheetLeftEarly) {
  const std::string zip = Book({
      {"甲", "", "worksheet", Sheet(NumberRows(1, 50'000))},
      {"乙", "", "worksheet", Sheet(NumberRows(7, 1))},
  });
  auto reader = OpenSheetFromMemory(zip);
  ASSERT_TRUE(reader);
  auto first = (*reader)->Next();
  ASSERT_TRUE(first && *first);
  EXPECT_LT((*reader)->progress(), 0.5);
  auto next = (*reader)->NextSheet();
  ASSERT_TRUE(next && *next);
  EXPECT_GT((*reader)->progress(), 0.9);  // the skipped sheet counts as read
  EXPECT_EQ(Dump(**reader), (Lines{"1: n:7"}));
  EXPECT_DOUBLE_EQ((*reader)->progress(), 1.0);
}

TEST(NextSheetTest, GuardsHoldAcrossSheets) {
  const std::string damaged = "文件已损坏或不完整 / the file is damaged or truncated";
  // A missing or broken later sheet is an error, and it is final for Next and NextSheet.
  const std::string missing_zip = Book({
      {"甲", "", "worksheet", Sheet(NumberRows(1, 1))},
      {"乙", "", "worksheet", ""},
  });
  auto missing = OpenSheetFromMemory(missing_zip);  // the bytes must outlive the reader
  ASSERT_TRUE(missing);
  EXPECT_EQ(DumpAll(**missing), (Lines{"[甲]", "1: n:1", "sheet error: " + damaged}));
  auto again = (*missing)->Next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, damaged);
  ASSERT_FALSE((*missing)->NextSheet());
  EXPECT_EQ(DumpAll(OpenSheetFromMemory(Book({
                {"甲", "", "worksheet", Sheet(NumberRows(1, 1))},
                {"乙", "", "worksheet", Sheet("<row><c><v>1</v></c>")},
            }))),
            (Lines{"[甲]", "1: n:1", "[乙]", "error: " + damaged}));

  // max_rows counts each sheet from its own row 1.
  ReadLimits three;
  three.max_rows = 3;
  EXPECT_EQ(DumpAll(OpenSheetFromMemory(Book({
                                            {"甲", "", "worksheet", Sheet(NumberRows(1, 3))},
                                            {"乙", "", "worksheet", Sheet(NumberRows(4, 4))},
                                        }),
                                        three)),
            (Lines{"[甲]", "1: n:1", "2: n:2", "3: n:3", "[乙]", "1: n:4", "2: n:5", "3: n:6",
                   "error: 表格超过 3 行的上限 / the sheet has more than 3 rows (the limit)"}));

  // The inflated-bytes budget is one for the whole file: two 0.6 MiB sheets under 1 MiB.
  ReadLimits small;
  small.max_uncompressed_bytes = 1 << 20;
  const std::string pad(600 << 10, ' ');
  const Lines bomb = DumpAll(OpenSheetFromMemory(Book({
                                                     {"甲", "", "worksheet", Sheet(pad)},
                                                     {"乙", "", "worksheet", Sheet(pad)},
                                                 }),
                                                 small));
  ASSERT_FALSE(bomb.empty());
  EXPECT_EQ(bomb.back(), "error: 文件异常（疑似压缩炸弹）/ suspicious file (zip bomb?)");
}

}  // namespace
}  // namespace steward::sheet
