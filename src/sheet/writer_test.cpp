// The writers: workbooks are unzipped (libzip) and their XML checked, and read back through
// OpenSheet; CSV files are checked byte by byte and read back.
#include <iconv.h>
#include <sys/stat.h>
#include <zip.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sheet/csv_writer.hpp"
#include "sheet/reader.hpp"
#include "sheet/xlsx_writer.hpp"
#include "tests/support/workbook_files.hpp"

namespace steward::sheet {
namespace {

using steward::testing::Count;
using steward::testing::ReadFile;
using steward::testing::ZipEntry;

class TempFolder {
 public:
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "steward-writer-XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // Names of the files in the folder (to see that no temporary file is left behind).
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

// Every row of the file's first sheet, as texts by column.
std::vector<std::vector<std::string>> ReadBack(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  auto reader = OpenSheet(path);
  EXPECT_TRUE(reader) << reader.error().ToString();
  if (!reader) return rows;
  for (;;) {
    auto row = (*reader)->Next();
    EXPECT_TRUE(row) << row.error().ToString();
    if (!row || !*row) break;
    std::vector<std::string> texts;
    for (const auto& cell : (*row)->cells) texts.push_back(cell.text);
    rows.push_back(std::move(texts));
  }
  return rows;
}

SheetSetup People(int64_t rows_per_sheet = kMaxRowsPerSheet) {
  SheetSetup setup;
  setup.name = "居民信息";
  setup.title = "城东社区居民信息（导出日期 2026-11-28）";
  setup.columns = {{"姓名", 0, ColumnFormat::kText, "", {}, ChoiceCheck::kStrict},
                   {"身份证号", 22, ColumnFormat::kText, "", {}, ChoiceCheck::kStrict},
                   {"版本", 6, ColumnFormat::kGeneral, "", {}, ChoiceCheck::kStrict}};
  setup.rows_per_sheet = rows_per_sheet;
  return setup;
}

std::vector<CellValue> Person(std::string name, std::string id_number, double version) {
  std::vector<CellValue> cells;
  cells.push_back(CellValue::Text(std::move(name)));
  cells.push_back(CellValue::Text(std::move(id_number)));
  cells.push_back(CellValue::Number(version));
  return cells;
}

TEST(XlsxWriterTest, WritesTitleHeaderAndRowsWithIdNumbersAsText) {
  TempFolder folder;
  const auto path = folder / "people.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer) << writer.error().ToString();
  ASSERT_TRUE((*writer)->AddSheet(People()));
  ASSERT_TRUE((*writer)->WriteRow(Person("张三", "33118119800101105X", 1)));
  ASSERT_TRUE((*writer)->WriteRow(Person("李四", "331181199002151008", 12)));
  std::vector<CellValue> short_row = {CellValue::Text("王五")};  // the rest stays empty
  ASSERT_TRUE((*writer)->WriteRow(short_row));
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing appears before Close";
  ASSERT_TRUE((*writer)->Close());
  EXPECT_EQ((*writer)->sheet_count(), 1);
  EXPECT_EQ((*writer)->rows_written(), 3);
  EXPECT_EQ(folder.Files(), std::vector<std::string>{"people.xlsx"});
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "exports hold personal data";

  const std::string xml = ZipEntry(path, "xl/worksheets/sheet1.xml");
  ASSERT_FALSE(xml.empty());
  EXPECT_NE(xml.find("<mergeCell ref=\"A1:C1\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("ySplit=\"2\""), std::string::npos) << "frozen below the header";
  EXPECT_NE(xml.find("state=\"frozen\""), std::string::npos);
  // Constant-memory mode writes strings inline; the ID number is a string, never a number.
  EXPECT_NE(xml.find("t=\"inlineStr\"><is><t>33118119800101105X</t>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<v>12</v>"), std::string::npos);
  // The text format (built-in number format 49, "@") is on the text columns.
  EXPECT_NE(ZipEntry(path, "xl/styles.xml").find("numFmtId=\"49\""), std::string::npos);

  const auto rows = ReadBack(path);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], std::vector<std::string>{"城东社区居民信息（导出日期 2026-11-28）"});
  EXPECT_EQ(rows[1], (std::vector<std::string>{"姓名", "身份证号", "版本"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"张三", "33118119800101105X", "1"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"李四", "331181199002151008", "12"}));
  EXPECT_EQ(rows[4], std::vector<std::string>{"王五"});
}

TEST(XlsxWriterTest, ContinuesOnNewSheetsWithTitleAndHeaderRepeated) {
  TempFolder folder;
  const auto path = folder / "many.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer) << writer.error().ToString();
  ASSERT_TRUE((*writer)->AddSheet(People(/*rows_per_sheet=*/5)));  // title + header + 3 rows
  for (int i = 1; i <= 7; ++i) {
    ASSERT_TRUE(
        (*writer)->WriteRow(Person("居民" + std::to_string(i), "id" + std::to_string(i), i)));
  }
  ASSERT_TRUE((*writer)->Close());
  EXPECT_EQ((*writer)->sheet_count(), 3);
  EXPECT_EQ((*writer)->rows_written(), 7);

  const std::string book = ZipEntry(path, "xl/workbook.xml");
  EXPECT_NE(book.find("name=\"居民信息\""), std::string::npos) << book;
  EXPECT_NE(book.find("name=\"居民信息(2)\""), std::string::npos) << book;
  EXPECT_NE(book.find("name=\"居民信息(3)\""), std::string::npos) << book;
  for (int sheet = 1; sheet <= 3; ++sheet) {
    const std::string xml = ZipEntry(path, "xl/worksheets/sheet" + std::to_string(sheet) + ".xml");
    EXPECT_NE(xml.find("城东社区居民信息"), std::string::npos) << "title on sheet " << sheet;
    EXPECT_NE(xml.find("<t>身份证号</t>"), std::string::npos) << "header on sheet " << sheet;
    EXPECT_NE(xml.find("ySplit=\"2\""), std::string::npos) << sheet;
    EXPECT_EQ(Count(xml, "<row "), sheet < 3 ? 5u : 3u) << sheet;
  }
  const std::string second = ZipEntry(path, "xl/worksheets/sheet2.xml");
  EXPECT_NE(second.find("<t>居民4</t>"), std::string::npos);
  EXPECT_NE(second.find("<t>居民6</t>"), std::string::npos);
  EXPECT_EQ(second.find("<t>居民7</t>"), std::string::npos);
}

TEST(XlsxWriterTest, AFullSheetStartsNoEmptyContinuation) {
  TempFolder folder;
  const auto path = folder / "exact.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer);
  SheetSetup setup = People(/*rows_per_sheet=*/4);
  setup.title.clear();  // header + 3 rows per sheet
  ASSERT_TRUE((*writer)->AddSheet(setup));
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE((*writer)->WriteRow(Person("x", "y", i)));
  ASSERT_TRUE((*writer)->Close());
  EXPECT_EQ((*writer)->sheet_count(), 2);
  EXPECT_EQ(ZipEntry(path, "xl/worksheets/sheet3.xml"), "");
  EXPECT_EQ(ZipEntry(path, "xl/worksheets/sheet1.xml").find("mergeCell"), std::string::npos);
}

TEST(XlsxWriterTest, ContinuationNamesStayWithinExcelsLimit) {
  TempFolder folder;
  const auto path = folder / "long.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer);
  SheetSetup setup = People(/*rows_per_sheet=*/3);
  setup.name = std::string(31, 'n');
  ASSERT_TRUE((*writer)->AddSheet(setup));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*writer)->WriteRow(Person("x", "y", i)));
  ASSERT_TRUE((*writer)->Close());
  EXPECT_NE(ZipEntry(path, "xl/workbook.xml").find("name=\"" + std::string(28, 'n') + "(2)\""),
            std::string::npos);
}

TEST(XlsxWriterTest, TemplateFeaturesNotesDropDownsAndHiddenChoiceSheet) {
  TempFolder folder;
  const auto path = folder / "template.xlsx";
  for (Mode mode : {Mode::kNormal, Mode::kConstantMemory}) {
    auto writer = XlsxWriter::Create(path, mode);
    ASSERT_TRUE(writer);
    std::vector<std::string> long_list;
    for (int i = 0; i < 60; ++i) long_list.push_back("标签名称" + std::to_string(i));
    SheetSetup setup;
    setup.name = "模板";
    setup.title = "说明第一行\n说明第二行";
    setup.columns = {
        {"姓名*", 0, ColumnFormat::kText, "必填", {}, ChoiceCheck::kStrict},
        {"性别", 0, ColumnFormat::kText, "男 或 女", {"男", "女"}, ChoiceCheck::kStrict},
        {"标签", 0, ColumnFormat::kText, "", long_list, ChoiceCheck::kSuggest},
        {"关系", 0, ColumnFormat::kText, "", {"户主", "配偶,伴侣"}, ChoiceCheck::kSuggest},
    };
    ASSERT_TRUE((*writer)->AddSheet(setup));
    ASSERT_TRUE((*writer)->Close());

    const std::string xml = ZipEntry(path, "xl/worksheets/sheet1.xml");
    EXPECT_EQ(Count(xml, "<dataValidation "), 3u) << xml;
    EXPECT_NE(xml.find("<formula1>\"男,女\"</formula1>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("sqref=\"B3:B1048576\""), std::string::npos) << xml;
    // The long list and the list with a comma live in rows of the hidden sheet.
    EXPECT_NE(xml.find("<formula1>'_choices'!$A$1:$BH$1</formula1>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<formula1>'_choices'!$A$2:$B$2</formula1>"), std::string::npos) << xml;
    EXPECT_EQ(Count(xml, "showErrorMessage=\"1\""), 1u) << "only the strict list refuses values";
    const std::string book = ZipEntry(path, "xl/workbook.xml");
    EXPECT_NE(book.find("name=\"_choices\" sheetId=\"2\" state=\"hidden\""), std::string::npos)
        << book;
    // Normal mode puts strings in the shared-string table, constant-memory mode inline.
    EXPECT_NE((ZipEntry(path, "xl/worksheets/sheet2.xml") + ZipEntry(path, "xl/sharedStrings.xml"))
                  .find("标签名称59"),
              std::string::npos);
    const std::string notes = ZipEntry(path, "xl/comments1.xml");
    EXPECT_NE(notes.find("必填"), std::string::npos) << notes;
    EXPECT_NE(notes.find("男 或 女"), std::string::npos) << notes;
  }
}

TEST(XlsxWriterTest, ErrorCellsAreRedAndCarryTheirNote) {
  TempFolder folder;
  const auto path = folder / "report.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer);
  SheetSetup setup = People();
  setup.title.clear();
  setup.columns.push_back({"错误", 40, ColumnFormat::kText, "", {}, ChoiceCheck::kStrict});
  ASSERT_TRUE((*writer)->AddSheet(setup));
  std::vector<CellValue> row = {
      CellValue::Empty(CellStyle::kError), CellValue::Text("3311811980", CellStyle::kError),
      CellValue::Number(1), CellValue::Text("姓名必填；身份证号长度不对")};
  row[1].note = "身份证号应为18位";
  ASSERT_TRUE((*writer)->WriteRow(row));
  ASSERT_TRUE((*writer)->Close());
  EXPECT_NE(ZipEntry(path, "xl/styles.xml").find("FFFFC7CE"), std::string::npos);
  const std::string xml = ZipEntry(path, "xl/worksheets/sheet1.xml");
  EXPECT_NE(xml.find("<c r=\"A2\" s="), std::string::npos) << "a red blank: " << xml;
  EXPECT_NE(ZipEntry(path, "xl/comments1.xml").find("身份证号应为18位"), std::string::npos);
}

TEST(XlsxWriterTest, RefusesWhatExcelCannotHold) {
  TempFolder folder;
  EXPECT_EQ(XlsxWriter::Create(folder / "missing" / "x.xlsx", Mode::kNormal).error().code,
            ErrorCode::kNotFound);
  {
    auto writer = XlsxWriter::Create(folder / "a.xlsx", Mode::kNormal);
    ASSERT_TRUE(writer);
    EXPECT_EQ((*writer)->WriteRow(Person("x", "y", 1)).error().code,
              ErrorCode::kFailedPrecondition);
    SheetSetup bad = People();
    bad.name = "a/b";
    EXPECT_EQ((*writer)->AddSheet(bad).error().code, ErrorCode::kInvalidArgument);
  }
  {
    auto writer = XlsxWriter::Create(folder / "b.xlsx", Mode::kNormal);
    ASSERT_TRUE(writer);
    SheetSetup bad = People();
    bad.name = std::string(32, 'n');
    EXPECT_EQ((*writer)->AddSheet(bad).error().code, ErrorCode::kInvalidArgument);
  }
  {
    auto writer = XlsxWriter::Create(folder / "c.xlsx", Mode::kNormal);
    ASSERT_TRUE(writer);
    SheetSetup bad = People(/*rows_per_sheet=*/2);  // title + header, no room for data
    EXPECT_EQ((*writer)->AddSheet(bad).error().code, ErrorCode::kInvalidArgument);
  }
  {
    auto writer = XlsxWriter::Create(folder / "d.xlsx", Mode::kConstantMemory);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->AddSheet(People()));
    auto too_wide = Person("x", "y", 1);
    too_wide.push_back(CellValue::Text("z"));
    EXPECT_EQ((*writer)->WriteRow(too_wide).error().code, ErrorCode::kInvalidArgument);
  }
  {
    auto writer = XlsxWriter::Create(folder / "e.xlsx", Mode::kConstantMemory);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->AddSheet(People()));
    auto huge = Person(std::string(32'768, 'x'), "y", 1);
    auto written = (*writer)->WriteRow(huge);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(written.error().message.find("cell A3"), std::string::npos)
        << written.error().message;
    EXPECT_FALSE((*writer)->Close()) << "a failed writer stays failed";
  }
  // No writer was closed successfully: nothing is left in the folder.
  EXPECT_TRUE(folder.Files().empty());
}

TEST(XlsxWriterTest, ReplacesInvalidUtf8) {
  TempFolder folder;
  const auto path = folder / "utf8.xlsx";
  auto writer = XlsxWriter::Create(path, Mode::kConstantMemory);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->AddSheet(People()));
  ASSERT_TRUE(
      (*writer)->WriteRow(Person("a\xFF"
                                 "b",
                                 "\xE5\xB1", 1)));
  ASSERT_TRUE((*writer)->Close());
  const auto rows = ReadBack(path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][0],
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(rows[2][1], "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ValidUtf8("居民 ok"), "居民 ok");
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "a surrogate";
}

std::vector<CellValue> Texts(std::initializer_list<std::string_view> texts) {
  std::vector<CellValue> cells;
  for (auto text : texts) cells.push_back(CellValue::Text(std::string(text)));
  return cells;
}

TEST(CsvWriterTest, WritesRfc4180WithBomAndQuotes) {
  TempFolder folder;
  const auto path = folder / "people.csv";
  auto writer = CsvWriter::Create(path);
  ASSERT_TRUE(writer) << writer.error().ToString();
  ASSERT_TRUE((*writer)->WriteRow(Texts({"姓名", "备注", "版本"})));
  std::vector<CellValue> row = Texts({"张三", "住\"东\"区, 3楼\r\n二行"});
  row.push_back(CellValue::Number(3));
  ASSERT_TRUE((*writer)->WriteRow(row));
  row = Texts({" 前后空格 ", ""});
  row.push_back(CellValue::Number(0.1));
  ASSERT_TRUE((*writer)->WriteRow(row));
  std::vector<CellValue> empties = {CellValue::Empty(), CellValue::Empty()};
  ASSERT_TRUE((*writer)->WriteRow(empties));
  ASSERT_TRUE((*writer)->Close());
  EXPECT_EQ((*writer)->rows_written(), 4);
  EXPECT_EQ(folder.Files(), std::vector<std::string>{"people.csv"});
  EXPECT_EQ(ReadFile(path),
            "\xEF\xBB\xBF"
            "姓名,备注,版本\r\n"
            "张三,\"住\"\"东\"\"区, 3楼\r\n二行\",3\r\n"
            "\" 前后空格 \",,0.1\r\n"
            ",\r\n");
}

TEST(CsvWriterTest, GuardsAgainstFormulasUnlessAskedNotTo) {
  TempFolder folder;
  const auto guarded = folder / "guarded.csv";
  const auto plain = folder / "plain.csv";
  for (auto [path, guard] :
       {std::pair{guarded, FormulaGuard::kApostrophe}, std::pair{plain, FormulaGuard::kNone}}) {
    auto writer = CsvWriter::Create(path, {CsvEncoding::kUtf8, guard});
    ASSERT_TRUE(writer);
    std::vector<CellValue> row =
        Texts({"=1+2", "+86 138", "-x", "@SUM(A1)", "\tTab", "a=b", "13812345678"});
    row.push_back(CellValue::Number(-5));
    ASSERT_TRUE((*writer)->WriteRow(row));
    ASSERT_TRUE((*writer)->Close());
  }
  EXPECT_EQ(ReadFile(guarded), "'=1+2,'+86 138,'-x,'@SUM(A1),'\tTab,a=b,13812345678,-5\r\n");
  EXPECT_EQ(ReadFile(plain), "=1+2,+86 138,-x,@SUM(A1),\tTab,a=b,13812345678,-5\r\n");
}

std::string Gb18030ToUtf8(const std::string& bytes) {
  iconv_t converter = iconv_open("UTF-8", "GB18030");
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* next = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(converter, &in, &in_left, &next, &out_left), static_cast<size_t>(-1));
  iconv_close(converter);
  out.resize(out.size() - out_left);
  return out;
}

TEST(CsvWriterTest, Gb18030RoundTrips) {
  TempFolder folder;
  const auto path = folder / "gb.csv";
  auto writer = CsvWriter::Create(path, {CsvEncoding::kGb18030, FormulaGuard::kApostrophe});
  ASSERT_TRUE(writer) << writer.error().ToString();
  // 龙泉 is in GBK; 𠀀 (U+20000) and 😀 need GB18030's four-byte forms.
  ASSERT_TRUE((*writer)->WriteRow(Texts({"姓名", "备注"})));
  ASSERT_TRUE((*writer)->WriteRow(Texts({"龙泉·剑池", "𠀀😀, 畲族"})));
  ASSERT_TRUE((*writer)->Close());
  const std::string bytes = ReadFile(path);
  EXPECT_FALSE(bytes.starts_with("\xEF\xBB\xBF")) << "no BOM in GB18030";
  EXPECT_EQ(bytes.substr(0, 4), "\xD0\xD5\xC3\xFB") << "姓名 in GB18030";
  EXPECT_EQ(Gb18030ToUtf8(bytes), "姓名,备注\r\n龙泉·剑池,\"𠀀😀, 畲族\"\r\n");
}

TEST(CsvWriterTest, ReadsBackThroughTheReader) {
  TempFolder folder;
  const auto path = folder / "back.csv";
  auto writer = CsvWriter::Create(path);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->WriteRow(Texts({"姓名", "身份证号", "备注"})));
  ASSERT_TRUE((*writer)->WriteRow(Texts({"张三", "33118119800101105X", "多行\n备注, 带\"引号\""})));
  ASSERT_TRUE((*writer)->Close());
  const auto rows = ReadBack(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"姓名", "身份证号", "备注"}));
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"张三", "33118119800101105X", "多行\n备注, 带\"引号\""}));
}

TEST(CsvWriterTest, LeavesNothingWhenNotClosed) {
  TempFolder folder;
  {
    auto writer = CsvWriter::Create(folder / "abandoned.csv");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->WriteRow(Texts({"a"})));
  }
  EXPECT_TRUE(folder.Files().empty());
  EXPECT_EQ(CsvWriter::Create(folder / "no" / "x.csv").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace steward::sheet
