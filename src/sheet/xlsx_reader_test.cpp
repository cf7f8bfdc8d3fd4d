// .xlsx: the fixtures of three writers and both date systems as tables, then edge cases built
// in memory (internal/stored_zip.hpp), the guards and a 30,000-row sheet.
#include <gtest/gtest.h>

#include "sheet/internal/sheet_testing.hpp"
#include "sheet/internal/stored_zip.hpp"
#include "sheet/reader.hpp"

namespace steward::sheet {
namespace {

using steward::testing::MinimalXlsx;
using steward::testing::StoredZip;
using testing::Dump;
using testing::Fixture;
using Lines = std::vector<std::string>;

constexpr const char* kNs = " xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";

std::string Sheet(const std::string& rows) {
  return std::string("<worksheet") + kNs + "><sheetData>" + rows + "</sheetData></worksheet>";
}

std::string Styles(const std::string& num_fmts, const std::string& xfs) {
  return std::string("<styleSheet") + kNs + "><numFmts>" + num_fmts + "</numFmts><cellXfs>" + xfs +
         "</cellXfs></styleSheet>";
}

TEST(XlsxReaderTest, ReadsExcelsDialect) {
  // The first visible sheet ("名单"; "隐藏" is hidden); shared strings with rich text and a
  // phonetic guide; built-in and custom date formats; the phantom 1900-02-29 (serial 60) stays
  // a number; an 18-digit ID typed as a number reads in E notation; empty rows 4 and 6 skipped.
  const Lines expected = {
      "1: t:姓名 | t:身份证号 | t:出生日期 | t:登记日期 | t:年龄 | t:党员 | t:备注",
      "2: t:张三 | n:3.31181199001011E+17 | d:1990-01-01 | d:2024-01-01 | n:34 | b:TRUE | "
      "t:重点关注 ",
      "3: t:李四 | t:33118119850315002X | n:60 | d:1900-02-28 | e:#N/A | - | t:第一行\r\n第二行",
      "5: t:王五 | n:13800138000 | d:2024-01-01 12:00:00 | d:18:00:00 | n:0.1 | t:是",
      "7: - | - | - | - | n:34.1",
  };
  auto reader = OpenSheet(Fixture("excel.xlsx"));
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ((*reader)->format(), Format::kXlsx);
  EXPECT_EQ((*reader)->encoding(), "UTF-8");
  EXPECT_EQ(Dump(**reader), expected);
}

TEST(XlsxReaderTest, GivesDatesAsDatesAndSerials) {
  auto reader = OpenSheet(Fixture("excel.xlsx"));
  ASSERT_TRUE(reader);
  auto header = (*reader)->Next();
  auto second = (*reader)->Next();
  auto third = (*reader)->Next();
  auto fifth = (*reader)->Next();
  ASSERT_TRUE(header && second && third && fifth && *fifth);
  const Cell& born = (**second).cells[2];
  EXPECT_EQ(born.date, (Date{1990, 1, 1}));
  EXPECT_EQ(born.number, 32874);
  const Cell& id = (**second).cells[1];
  EXPECT_EQ(id.kind, CellKind::kNumber);
  EXPECT_EQ(id.number, 331181199001011000.0);  // what Excel kept of the 18 digits
  const Cell& before_phantom = (**third).cells[3];
  EXPECT_EQ(before_phantom.date, (Date{1900, 2, 28}));
  EXPECT_EQ(before_phantom.number, 60);  // days since 1899-12-30, Excel's bug corrected
  const Cell& time = (**fifth).cells[3];
  EXPECT_EQ(time.kind, CellKind::kDate);
  EXPECT_FALSE(time.date);
  EXPECT_DOUBLE_EQ(time.number, 0.75);
}

TEST(XlsxReaderTest, ReadsWpsAndLibreOfficeDialects) {
  // WPS/.NET: x: prefixes, inline strings, absolute targets, no shared strings.
  EXPECT_EQ(Dump(OpenSheet(Fixture("wps.xlsx"))),
            (Lines{"1: t:姓名 | t:身份证号 | t:出生日期",
                   "2: t:赵六 | t:331181199001011234 | d:2000-01-01",
                   "3: t:孙七 | n:1.5 | d:2023-01-01 06:00:00", "4: t:  两端空格  "}));
  // LibreOffice: rows and cells without r= follow the previous one; formula strings.
  EXPECT_EQ(Dump(OpenSheet(Fixture("libreoffice.xlsx"))),
            (Lines{"1: t:编号 | t:名称 | t:说明", "2: n:1 | t:甲 | t:1号",
                   "4: - | t: 前导空格 | t:乙", "5: - | - | n:-0.0025", "6: n:1E+21"}));
}

TEST(XlsxReaderTest, ReadsThe1904DateSystem) {
  auto reader = OpenSheet(Fixture("date1904.xlsx"));
  ASSERT_TRUE(reader);
  EXPECT_EQ(Dump(**reader),
            (Lines{"1: t:日期", "2: d:1904-01-01", "3: d:1990-01-01", "4: d:2024-01-01"}));
  auto again = OpenSheet(Fixture("date1904.xlsx"));
  (*again)->Next();
  auto first = (*again)->Next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((**first).cells[0].number, 1462);  // as a 1900-system serial
}

TEST(XlsxReaderTest, ConvertsSerialsLikeExcel) {
  const std::string styles = Styles(
      "<numFmt numFmtId=\"170\" formatCode=\"[h]:mm:ss\"/>"
      "<numFmt numFmtId=\"171\" formatCode=\"0.00&quot;天&quot;\"/>"
      "<numFmt numFmtId=\"172\" formatCode=\"[$-804]yyyy&quot;年&quot;m&quot;月&quot;\"/>",
      "<xf/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/>"
      "<xf numFmtId=\"172\"/><xf numFmtId=\"49\"/>");
  const std::string rows =
      "<row r=\"1\"><c s=\"1\"><v>1</v></c><c s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c>"
      "<c s=\"1\"><v>61</v></c><c s=\"1\"><v>0</v></c><c s=\"1\"><v>-1</v></c></row>"
      "<row r=\"2\"><c s=\"1\"><v>2958465</v></c><c s=\"1\"><v>2958466</v></c>"
      "<c s=\"1\"><v>45351.999999</v></c><c s=\"2\"><v>1.5</v></c><c s=\"3\"><v>2</v></c>"
      "<c s=\"4\"><v>45292</v></c><c s=\"5\"><v>12</v></c><c s=\"99\"><v>45292</v></c></row>";
  EXPECT_EQ(Dump(OpenSheetFromMemory(MinimalXlsx(Sheet(rows), "", styles))),
            (Lines{"1: d:1900-01-01 | d:1900-02-28 | n:60 | d:1900-03-01 | n:0 | n:-1",
                   "2: d:9999-12-31 | n:2958466 | d:2024-03-01 | d:12:00:00 | n:2 | d:2024-01-01 "
                   "| n:12 | n:45292"}));
}

TEST(XlsxReaderTest, ReadsEveryCellType) {
  const std::string strings = std::string("<sst") + kNs +
                              "><si><t>共享</t></si><si><t></t></si>"
                              "<si><r><t>a_x005F_x000D_</t></r></si></sst>";
  const std::string rows =
      "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c>"
      "<c t=\"inlineStr\"><is><t>😀_xD83D__xDE00__xD800_x</t></is></c>"
      "<c t=\"str\"><v>公式</v></c><c t=\"b\"><v>0</v></c><c t=\"e\"><v>#DIV/0!</v></c>"
      "<c t=\"d\"><v>2024-02-29T13:45:00</v></c><c t=\"n\"><v>abc</v></c><c><f>1+1</f></c>"
      "<c t=\"n\"><v>331181199001011234</v></c></row>";
  EXPECT_EQ(Dump(OpenSheetFromMemory(MinimalXlsx(Sheet(rows), strings))),
            (Lines{"1: t:共享 | - | t:a_x000D_ | t:😀😀_xD800_x | t:公式 | b:FALSE | e:#DIV/0! | "
                   "d:2024-02-29 13:45:00 | t:abc | - | n:3.31181199001011E+17"}));
}

TEST(XlsxReaderTest, PlacesCellsByReferenceAndRowsByNumber) {
  const std::string rows =
      "<row r=\"3\"><c r=\"c3\"><v>1</v></c><c><v>2</v></c><c r=\"AA3\"><v>3</v></c></row>"
      "<row><c r=\"B4\"><v>4</v></c></row>"
      "<row r=\"1048576\"><c r=\"XFD1048576\"><v>5</v></c></row>";
  ReadLimits wide;
  wide.max_columns = 16384;
  const Lines lines = Dump(OpenSheetFromMemory(MinimalXlsx(Sheet(rows)), wide));
  ASSERT_EQ(lines.size(), 3u);
  std::string third = "3: - | - | n:1 | n:2";
  for (int column = 4; column < 26; ++column) third += " | -";
  EXPECT_EQ(lines[0], third + " | n:3");  // C3, the next column, AA3
  EXPECT_EQ(lines[1], "4: - | n:4");
  EXPECT_EQ(lines[2].substr(0, 9), "1048576: ");
}

TEST(XlsxReaderTest, RefusesAbsurdDimensions) {
  const std::pair<std::string, std::string> cases[] = {
      {"<row r=\"99999999\"><c><v>1</v></c></row>",
       "error: 表格尺寸异常（第 99999999 行）/ absurd sheet dimension (row 99999999)"},
      {"<row r=\"123456789012345678901234567890\"/>",
       "error: 表格尺寸异常（第 1048577 行）/ absurd sheet dimension (row 1048577)"},
      {"<row r=\"7\"><c r=\"XFE7\"><v>1</v></c></row>",
       "error: 表格尺寸异常（第 7 行）/ absurd sheet dimension (row 7)"},
      {"<row r=\"2\"><c r=\"ABCD2\"><v>1</v></c></row>",
       "error: 表格尺寸异常（第 2 行）/ absurd sheet dimension (row 2)"},
      {"<row r=\"2\"><c r=\"ALM2\"><v>1</v></c></row>",  // column 1001
       "error: 表格尺寸异常：超过 1000 列的上限（第 2 行）/ absurd sheet dimension: more than 1000 "
       "columns (the limit; row 2)"},
      {"<row r=\"0\"/>", "error: 文件已损坏或不完整 / the file is damaged or truncated"},
  };
  for (const auto& [rows, error] : cases) {
    SCOPED_TRACE(rows);
    const Lines lines = Dump(OpenSheetFromMemory(MinimalXlsx(Sheet(rows))));
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), error);
  }
  // A dimension claiming the whole grid is fine, and so is an empty styled cell far right.
  const std::string fine =
      std::string("<worksheet") + kNs +
      "><dimension ref=\"A1:XFD1048576\"/><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c>"
      "<c r=\"XFD1\" s=\"3\"/></row></sheetData></worksheet>";
  EXPECT_EQ(Dump(OpenSheetFromMemory(MinimalXlsx(fine))), (Lines{"1: n:1"}));
}

TEST(XlsxReaderTest, EnforcesRowCellAndSharedStringLimits) {
  std::string rows;
  for (int i = 1; i <= 10; ++i) rows += "<row><c><v>" + std::to_string(i) + "</v></c></row>";
  ReadLimits three;
  three.max_rows = 3;
  EXPECT_EQ(Dump(OpenSheetFromMemory(MinimalXlsx(Sheet(rows)), three)),
            (Lines{"1: n:1", "2: n:2", "3: n:3",
                   "error: 表格超过 3 行的上限 / the sheet has more than 3 rows (the limit)"}));

  ReadLimits small_cells;
  small_cells.max_cell_bytes = 5;
  const std::string strings =
      std::string("<sst") + kNs + "><si><t>短</t></si><si><t>长长长长</t></si></sst>";
  EXPECT_EQ(
      Dump(OpenSheetFromMemory(
          MinimalXlsx(Sheet("<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>"), strings),
          small_cells)),
      (Lines{"error: 第 1 行第 2 列的内容超过 5 字节的上限 / row 1, column 2: more than 5 "
             "bytes in one cell (the limit)"}));
  EXPECT_EQ(Dump(OpenSheetFromMemory(
                     MinimalXlsx(Sheet("<row><c t=\"inlineStr\"><is><t>123456</t></is></c></row>")),
                     small_cells))
                .back()
                .find("error: 第 1 行第 1 列"),
            0u);

  ReadLimits small_table;
  small_table.max_shared_strings_bytes = 100;
  std::string many = std::string("<sst") + kNs + ">";
  for (int i = 0; i < 10; ++i) many += "<si><t>1234567890</t></si>";
  many += "</sst>";
  const std::string zip = MinimalXlsx(Sheet(""), many);
  auto opened = OpenSheetFromMemory(zip, small_table);
  ASSERT_FALSE(opened);
  EXPECT_EQ(
      opened.error().message,
      "共享字符串表超过 100 字节的上限 / the shared-string table is over 100 bytes (the limit)");
}

TEST(XlsxReaderTest, RefusesZipBombsBySizeRatioAndActualBytes) {
  // Ratio: the committed fixture, 30 MB of spaces deflated ~1000:1.
  auto bomb = OpenSheet(Fixture("zip_bomb.xlsx"));
  ASSERT_FALSE(bomb);
  EXPECT_EQ(bomb.error().message, "文件异常（疑似压缩炸弹）/ suspicious file (zip bomb?)");
  // Size: a stored 2 MiB sheet against a 1 MiB budget.
  ReadLimits small;
  small.max_uncompressed_bytes = 1 << 20;
  const std::string big = MinimalXlsx(Sheet(std::string(2 << 20, ' ')));
  auto too_big = OpenSheetFromMemory(big, small);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().message, bomb.error().message);
  // The budget counts bytes actually read, over all entries: 0.9 MiB of shared strings plus a
  // 0.9 MiB sheet pass the per-entry check and fail together.
  const std::string pad(900 << 10, ' ');
  const std::string strings = std::string("<sst") + kNs + ">" + pad + "</sst>";
  const std::string both = MinimalXlsx(Sheet(pad), strings);
  auto reader = OpenSheetFromMemory(both, small);
  if (reader) {
    EXPECT_EQ(Dump(**reader).back(), "error: " + bomb.error().message);
  } else {
    EXPECT_EQ(reader.error().message, bomb.error().message);
  }
  // Sizes that lie: the directory says 10 bytes, the entry holds more.
  std::string lying = MinimalXlsx(Sheet("<row><c><v>1</v></c></row>"));
  const std::string sheet_name = "xl/worksheets/sheet1.xml";
  for (size_t at = lying.find(sheet_name); at != std::string::npos;
       at = lying.find(sheet_name, at + 1)) {
    const bool central = lying.compare(at - 46, 4, "PK\x01\x02") == 0;
    const size_t sizes = central ? at - 46 + 20 : at - 30 + 18;
    for (int k = 0; k < 2; ++k) {
      const char ten[4] = {10, 0, 0, 0};
      lying.replace(sizes + 4 * k, 4, ten, 4);
    }
  }
  const Lines lied = Dump(OpenSheetFromMemory(lying));
  EXPECT_EQ(lied.back().find("error: 文件已损坏"), 0u) << lied.back();
}

TEST(XlsxReaderTest, TreatsMalformedPartsAsDamage) {
  const std::string damaged = "文件已损坏或不完整 / the file is damaged or truncated";
  const std::string cases[] = {
      MinimalXlsx(Sheet("<row><c><v>1</v></c>")),                     // unclosed
      MinimalXlsx("<!DOCTYPE w [<!ENTITY e \"x\">]><worksheet/>"),    // DTD
      MinimalXlsx(Sheet("<row><c t=\"s\"><v>5</v></c></row>")),       // no such shared string
      MinimalXlsx(Sheet("<row><x:c><v>1</v></x:c></row>")),           // unbound prefix
      MinimalXlsx(Sheet("<row><c><v>1</v></c></row>"), "<sst><si>"),  // broken shared strings
  };
  for (const std::string& zip : cases) {
    const Lines lines = Dump(OpenSheetFromMemory(zip));
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find(damaged), std::string::npos) << lines.back();
  }
  // A workbook whose only sheet is a chart sheet.
  const std::string chart_only = StoredZip({
      {"xl/workbook.xml", std::string("<workbook") + kNs +
                              " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                              "relationships\"><sheets><sheet name=\"c\" sheetId=\"1\" "
                              "r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/chartsheet\" Target=\"chartsheets/sheet1.xml\"/></Relationships>"},
  });
  EXPECT_EQ(Dump(OpenSheetFromMemory(chart_only)),
            (Lines{"open error: 工作簿中没有工作表 / the workbook has no worksheet"}));
}

TEST(XlsxReaderTest, FindsPartsWithoutRelationshipsAndByOddNames) {
  // No rels at all: xl/worksheets/sheet1.xml by convention; names with backslashes.
  const std::string zip = StoredZip({
      {"xl\\workbook.xml", std::string("<workbook") + kNs + "/>"},
      {"XL\\Worksheets\\Sheet1.xml", Sheet("<row><c><v>7</v></c></row>")},
  });
  EXPECT_EQ(Dump(OpenSheetFromMemory(zip)), (Lines{"1: n:7"}));
}

TEST(XlsxReaderTest, StreamsRowsAsTheyArrive) {
  std::string rows;
  const int count = 30'000;  // ~2.7 MB of XML, about 40 chunks
  for (int i = 1; i <= count; ++i) {
    const std::string n = std::to_string(i);
    rows += "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>张三" + n +
            "</t></is></c><c r=\"B" + n + "\"><v>" + n + "</v></c></row>";
  }
  const std::string zip = MinimalXlsx(Sheet(rows));
  auto reader = OpenSheetFromMemory(zip);
  ASSERT_TRUE(reader);
  int read = 0;
  double progress = 0;
  while (true) {
    auto row = (*reader)->Next();
    ASSERT_TRUE(row) << row.error().message;
    if (!*row) break;
    ++read;
    ASSERT_EQ((*row)->number, read);
    ASSERT_EQ((*row)->cells[1].number, read);
    ASSERT_GE((*reader)->progress(), progress);
    progress = (*reader)->progress();
    if (read == count / 2) {
      EXPECT_GT(progress, 0.3);
      EXPECT_LT(progress, 0.7);
    }
  }
  EXPECT_EQ(read, count);
  EXPECT_DOUBLE_EQ((*reader)->progress(), 1.0);
}

}  // namespace
}  // namespace steward::sheet
