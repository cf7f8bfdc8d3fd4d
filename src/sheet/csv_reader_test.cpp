// CSV: every fixture as a table, encodings, separators, chunk boundaries, limits, and a
// 200,000-row file streamed in bounded memory.
#include <iconv.h>
#include <malloc.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "sheet/internal/sheet_testing.hpp"
#include "sheet/reader.hpp"

namespace steward::sheet {
namespace {

using testing::Dump;
using testing::Fixture;
using Lines = std::vector<std::string>;

struct CsvCase {
  const char* fixture;
  const char* encoding;
  Lines rows;
};

TEST(CsvReaderTest, ReadsEveryFixture) {
  const Lines people = {
      "1: t:姓名 | t:身份证号 | t:电话 | t:出生日期 | t:备注",
      "2: t:张三 | t:331181199001011234 | t:13800138000 | t:1990-01-01 | t:住址：龙泉市,城东街道",
      "3: t:李四 | t:33118119850315002X | t:13900139000 | t:1985-03-15 | t:他说\"你好\"",
      "4: t:王五 | t:331181200012310011 | - | t:2000-12-31 | t:第一行\r\n第二行",
  };
  Lines people_lf = people;
  people_lf[3] = "4: t:王五 | t:331181200012310011 | - | t:2000-12-31 | t:第一行\n第二行";
  const CsvCase cases[] = {
      {"utf8.csv", "UTF-8", people},
      {"utf8_bom.csv", "UTF-8 (BOM)", people_lf},
      {"gb18030.csv",
       "GB18030",
       {"1: t:姓名 | t:民族 | t:住址", "2: t:刘䶮 | t:汉族 | t:龙泉市㐀村",
        "3: t:欧阳娜娜 | t:回族 | t:城东街道,1号"}},
      {"tab.csv",
       "UTF-8",
       {"1: t:姓名 | t:年龄 | t:备注", "2: t:张三 | t:34 | t:有,逗号", "3: t:李四"}},
      {"semicolon.csv", "UTF-8", {"1: t:姓名 | t:年龄", "2: t:张三 | t:34"}},
      {"cr_endings.csv", "UTF-8", {"1: t:a | t:b", "2: t:1 | t:x\ry", "3: t:2 | t:z"}},
      // Blank lines and all-empty records are skipped; the numbers keep their places.
      {"blank_lines.csv", "UTF-8", {"1: t:a | t:b", "3: t:1 | t:2", "6: t:3 | t:4"}},
      {"unterminated_quote.csv",
       "UTF-8",
       {"1: t:a | t:b", "2: t:1 | t:2",
        "error: 第 3 行的引号没有闭合 / row 3: a quoted field is not closed"}},
  };
  for (const CsvCase& test : cases) {
    SCOPED_TRACE(test.fixture);
    auto reader = OpenSheet(Fixture(test.fixture));
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ((*reader)->format(), Format::kCsv);
    EXPECT_EQ((*reader)->encoding(), test.encoding);
    EXPECT_EQ(Dump(**reader), test.rows);
  }
}

TEST(CsvReaderTest, KeepsCellsAsTypedAndQuotesAsRfc4180Says) {
  const Lines expected = {
      "1: t: 前后空格  | t:\"quoted\" tail | t:a\"b | t:x\"\"y",
      "2: - | - | t:3",
  };
  EXPECT_EQ(Dump(OpenSheetFromMemory(" 前后空格 ,\"\"\"quoted\"\"\" tail,a\"b,x\"\"y\n,\"\",3")),
            expected);
}

TEST(CsvReaderTest, GuessesTheSeparatorFromTheFirstLineOutsideQuotes) {
  EXPECT_EQ(Dump(OpenSheetFromMemory("\"a,b,c\";d\n1;2\n")),
            (Lines{"1: t:a,b,c | t:d", "2: t:1 | t:2"}));
  EXPECT_EQ(Dump(OpenSheetFromMemory("a\tb;c\n")), (Lines{"1: t:a | t:b;c"}));
  EXPECT_EQ(Dump(OpenSheetFromMemory("a;b,c\n")), (Lines{"1: t:a;b | t:c"}));  // tie: comma
  EXPECT_EQ(Dump(OpenSheetFromMemory("单列\n第二行\n")), (Lines{"1: t:单列", "2: t:第二行"}));
}

// Rows long enough that multi-byte characters straddle the 1 MiB chunk boundaries.
std::string ManyRows(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    text += "欧阳㐀䶮" + std::to_string(i) + ",\"第" + std::to_string(i) + "行\r\n续\"\n";
  }
  return text;
}

TEST(CsvReaderTest, DecodesAcrossChunkBoundariesInBothEncodings) {
  const int count = 40'000;  // ~1.6 MB of UTF-8, ~1.2 MB of GB18030
  const std::string utf8 = ManyRows(count);
  // The same text in GB18030, converted by glibc's iconv (the reader's converter, backwards).
  std::string gb;
  {
    iconv_t to_gb = iconv_open("GB18030", "UTF-8");
    ASSERT_NE(to_gb, reinterpret_cast<iconv_t>(-1));
    gb.resize(utf8.size() * 2);
    char* in = const_cast<char*>(utf8.data());
    size_t in_left = utf8.size();
    char* out = gb.data();
    size_t out_left = gb.size();
    ASSERT_NE(iconv(to_gb, &in, &in_left, &out, &out_left), static_cast<size_t>(-1));
    gb.resize(gb.size() - out_left);
    iconv_close(to_gb);
  }
  ASSERT_GT(gb.size(), 1u << 20);  // more than one chunk in both encodings
  for (const std::string* bytes : std::vector<const std::string*>{&utf8, &gb}) {
    auto reader = OpenSheetFromMemory(*bytes);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ((*reader)->encoding(), bytes == &utf8 ? "UTF-8" : "GB18030");
    int rows = 0;
    while (true) {
      auto row = (*reader)->Next();
      ASSERT_TRUE(row) << row.error().message;
      if (!*row) break;
      ++rows;
      const std::string n = std::to_string(rows);
      ASSERT_EQ((*row)->number, rows);
      ASSERT_EQ((*row)->cells.size(), 2u);
      ASSERT_EQ((*row)->cells[0].text, "欧阳㐀䶮" + n);
      ASSERT_EQ((*row)->cells[1].text, "第" + n + "行\r\n续");
    }
    EXPECT_EQ(rows, count);
  }
}

TEST(CsvReaderTest, BadBytesPastTheSniffedPrefixNameTheirRow) {
  std::string text = "a,b\n";
  int rows = 1;
  while (text.size() < (1 << 20) + 100'000) {  // past the first 1 MiB chunk too
    text += "张三,1\n";
    ++rows;
  }
  text += "李四,\xFF\xFE\n";
  const Lines lines = Dump(OpenSheetFromMemory(text), 1'000'000);
  ASSERT_EQ(lines.size(), static_cast<size_t>(rows) + 1);
  const std::string row = std::to_string(rows + 1);
  EXPECT_EQ(lines.back(), "error: 第 " + row + " 行的文字编码有误（应为 UTF-8 或 GB18030）/ row " +
                              row + ": invalid text encoding (expected UTF-8 or GB18030)");
  // A file cut inside a character is the same error.
  EXPECT_EQ(Dump(OpenSheetFromMemory(text.substr(0, 100'000) + "\xE5\xBC"), 1'000'000)
                .back()
                .find("error: 第 "),
            0u);
}

TEST(CsvReaderTest, EnforcesTheLimits) {
  const std::string ten_rows = "h1,h2\n1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n7,8\n8,9\n9,10\n";
  ReadLimits rows;
  rows.max_rows = 3;
  const Lines limited = Dump(OpenSheetFromMemory(ten_rows, rows));
  ASSERT_EQ(limited.size(), 4u);
  EXPECT_EQ(limited[3], "error: 表格超过 3 行的上限 / the sheet has more than 3 rows (the limit)");

  ReadLimits columns;
  columns.max_columns = 2;
  // Empty fields past the limit (Excel pads CSV rows with commas) are fine; content is not.
  EXPECT_EQ(Dump(OpenSheetFromMemory("a,b,,,,\n1,2,,\n", columns)),
            (Lines{"1: t:a | t:b", "2: t:1 | t:2"}));
  EXPECT_EQ(Dump(OpenSheetFromMemory("a,b\n1,2,3\n", columns)).back(),
            "error: 表格尺寸异常：超过 2 列的上限（第 2 行）/ absurd sheet dimension: more than 2 "
            "columns (the limit; row 2)");

  ReadLimits cell;
  cell.max_cell_bytes = 4;
  EXPECT_EQ(Dump(OpenSheetFromMemory("abcd,x\nab,abcde\n", cell)).back(),
            "error: 第 2 行第 2 列的内容超过 4 字节的上限 / row 2, column 2: more than 4 bytes in "
            "one cell (the limit)");
  // An unclosed quote at the start of a huge file stops at the cell limit, not at 1 GB.
  EXPECT_EQ(
      Dump(OpenSheetFromMemory("\"" + std::string(100, 'x'), cell)).back().find("第 1 行第 1 列"),
      7u);
}

#if defined(__SANITIZE_ADDRESS__)
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

// Bytes allocated and not yet freed: the reader's own footprint, unlike peak RSS, which
// ASan's quarantine of freed blocks inflates.
size_t LiveHeapBytes() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

TEST(CsvReaderTest, StreamsTwoHundredThousandRowsInBoundedMemory) {
  testing::TempDir dir;
  const auto path = dir.path() / "big.csv";
  {
    std::ofstream file(path, std::ios::binary);
    file << "姓名,身份证号,电话,出生日期,备注\n";
    for (int i = 1; i <= 200'000; ++i) {
      file << "张三" << i << ",331181199001011234,13800138000,1990-01-01,\"备注,第" << i
           << "行\"\n";
    }
  }
  const auto file_size = std::filesystem::file_size(path);
  ASSERT_GT(file_size, 14u << 20);
  const size_t heap_before = LiveHeapBytes();
  size_t heap_peak = heap_before;
  const auto start = std::chrono::steady_clock::now();
  auto reader = OpenSheet(path);
  ASSERT_TRUE(reader);
  int64_t rows = 0, last = 0;
  double progress = 0;
  while (true) {
    auto row = (*reader)->Next();
    ASSERT_TRUE(row) << row.error().message;
    if (!*row) break;
    ++rows;
    last = (*row)->number;
    EXPECT_GE((*reader)->progress(), progress);
    progress = (*reader)->progress();
    if (rows % 1000 == 0) heap_peak = std::max(heap_peak, LiveHeapBytes());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rows, 200'001);
  EXPECT_EQ(last, 200'001);
  EXPECT_DOUBLE_EQ((*reader)->progress(), 1.0);
  // The reader holds a raw and a decoded 1 MiB chunk, whatever the file's size (~15 MB here).
  EXPECT_LT(heap_peak - heap_before, 8u << 20);
  RecordProperty("seconds", std::to_string(seconds));
}

}  // namespace
}  // namespace steward::sheet
