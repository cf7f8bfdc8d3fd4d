// The values Excel shows: number text, serials under date formats, format-code classification.
#include <gtest/gtest.h>

#include "sheet/internal/reader_base.hpp"

namespace steward::sheet::internal {
namespace {

TEST(CellTest, FormatsNumbersLikeExcelsGeneralFormat) {
  const std::pair<double, const char*> cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {42, "42"},
      {-2.5, "-2.5"},
      {0.1, "0.1"},
      {0.10000000000000001, "0.1"},
      {1.0 / 3, "0.333333333333333"},
      {13800138000, "13800138000"},
      {123456789012345, "123456789012345"},
      {331181199001011234.0, "3.31181199001011E+17"},
      {1e21, "1E+21"},
      {0.00001, "1E-05"},
  };
  for (const auto& [value, text] : cases) EXPECT_EQ(FormatNumber(value), text) << value;
}

TEST(CellTest, ReadsSerialsInBothDateSystems) {
  struct Case {
    double serial;
    DateStyle style;
    bool date1904;
    const char* text;
    CellKind kind;
  };
  const Case cases[] = {
      {1, DateStyle::kDate, false, "1900-01-01", CellKind::kDate},
      {59, DateStyle::kDate, false, "1900-02-28", CellKind::kDate},
      {60, DateStyle::kDate, false, "60", CellKind::kNumber},  // 1900-02-29 never was
      {61, DateStyle::kDate, false, "1900-03-01", CellKind::kDate},
      {0.5, DateStyle::kDate, false, "0.5", CellKind::kNumber},  // "1900-01-00"
      {32874, DateStyle::kDate, false, "1990-01-01", CellKind::kDate},
      {45292.75, DateStyle::kDate, false, "2024-01-01 18:00:00", CellKind::kDate},
      {0, DateStyle::kDate, true, "1904-01-01", CellKind::kDate},
      {43830, DateStyle::kDate, true, "2024-01-01", CellKind::kDate},
      {2957003, DateStyle::kDate, true, "9999-12-31", CellKind::kDate},
      {2957004, DateStyle::kDate, true, "2957004", CellKind::kNumber},
      {-1, DateStyle::kDate, false, "-1", CellKind::kNumber},
      {0.25, DateStyle::kTime, false, "06:00:00", CellKind::kDate},
      {3.999999, DateStyle::kTime, true, "00:00:00", CellKind::kDate},
      {45292, DateStyle::kNone, false, "45292", CellKind::kNumber},
  };
  for (const Case& test : cases) {
    const Cell cell = SerialCell(test.serial, test.style, test.date1904);
    EXPECT_EQ(cell.text, test.text) << test.serial;
    EXPECT_EQ(cell.kind, test.kind) << test.serial;
  }
  EXPECT_EQ(SerialCell(0, DateStyle::kDate, true).number, 1462);
  EXPECT_EQ(SerialCell(61, DateStyle::kDate, false).number, 61);
  EXPECT_EQ(SerialCell(59, DateStyle::kDate, false).number, 60);
}

TEST(CellTest, ClassifiesNumberFormats) {
  const std::pair<const char*, DateStyle> cases[] = {
      {"General", DateStyle::kNone},
      {"@", DateStyle::kNone},
      {"0.00", DateStyle::kNone},
      {"#,##0.00_);[Red](#,##0.00)", DateStyle::kNone},
      {"0.00E+00", DateStyle::kNone},
      {"0\"天\"", DateStyle::kNone},
      {"\"yyyy\"0", DateStyle::kNone},
      {"\\d0", DateStyle::kNone},
      {"[Red]0", DateStyle::kNone},
      {"yyyy\"年\"m\"月\"d\"日\"", DateStyle::kDate},
      {"[$-804]yyyy\"年\"m\"月\"", DateStyle::kDate},
      {"[DBNum1][$-804]m\"月\"d\"日\"", DateStyle::kDate},
      {"mmm-yy", DateStyle::kDate},
      {"m", DateStyle::kDate},
      {"yyyy/m/d h:mm", DateStyle::kDate},
      {"h:mm AM/PM", DateStyle::kTime},
      {"mm:ss", DateStyle::kTime},
      {"[h]:mm", DateStyle::kTime},
      {"上午/下午h\"时\"mm\"分\"", DateStyle::kTime},
  };
  for (const auto& [code, style] : cases) EXPECT_EQ(ClassifyFormatCode(code), style) << code;
  EXPECT_EQ(ClassifyBuiltinFormat(14), DateStyle::kDate);
  EXPECT_EQ(ClassifyBuiltinFormat(22), DateStyle::kDate);
  EXPECT_EQ(ClassifyBuiltinFormat(20), DateStyle::kTime);
  EXPECT_EQ(ClassifyBuiltinFormat(31), DateStyle::kDate);
  EXPECT_EQ(ClassifyBuiltinFormat(49), DateStyle::kNone);
  EXPECT_EQ(ClassifyBuiltinFormat(0), DateStyle::kNone);
}

TEST(CellTest, ValidatesUtf8) {
  bool incomplete = false;
  EXPECT_EQ(ValidUtf8Prefix("abc张三", &incomplete), 9u);
  EXPECT_EQ(ValidUtf8Prefix("ab\xE5\xBC", &incomplete), 2u);
  EXPECT_TRUE(incomplete);
  EXPECT_EQ(ValidUtf8Prefix("ab\xC0\x80", &incomplete), 2u);  // overlong
  EXPECT_FALSE(incomplete);
  EXPECT_EQ(ValidUtf8Prefix("\xED\xA0\x80", &incomplete), 0u);      // surrogate
  EXPECT_EQ(ValidUtf8Prefix("\xF4\x90\x80\x80", &incomplete), 0u);  // past U+10FFFF
  EXPECT_EQ(ValidUtf8Prefix("\xF0\x9F\x98\x80", &incomplete), 4u);
}

}  // namespace
}  // namespace steward::sheet::internal
