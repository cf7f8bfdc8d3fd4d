#include "registry/id_number.hpp"

#include <gtest/gtest.h>

#include "tests/cases/table.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace steward::registry {
namespace {

constexpr Date kToday{2026, 11, 28};
constexpr const char* kTablePath = STEWARD_SOURCE_DIR "/tests/cases/id_number.tsv";

using testing::ReadTable;
using testing::Row;
using testing::Unescape;

bool KnownRegion(std::string_view region6) {
  EXPECT_EQ(region6.size(), 6u);
  return region6.substr(0, 4) == "3311" || region6.substr(0, 4) == "1101";
}

std::string JoinWarnings(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "-";
  std::string joined;
  for (const auto& warning : warnings) {
    if (!joined.empty()) joined += ",";
    joined += warning;
  }
  return joined;
}

// Checks one table row; a failed ASSERT ends only this row, the loop goes on.
void CheckRow(const Row& row) {
  const std::string input = Unescape(row.cells[0]);
  const std::string& expect = row.cells[1];
  SCOPED_TRACE(::testing::Message()
               << "id_number.tsv:" << row.line << " input \"" << row.cells[0] << "\"");
  const Result<IdNumberInfo> result = CheckIdNumber(input, kToday, KnownRegion);
  if (expect == "ok") {
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_EQ(result->normalized, row.cells[2]);
    EXPECT_EQ(result->region_code, row.cells[2].substr(0, 6));
    EXPECT_EQ(result->birth_date.ToString(), row.cells[3]);
    EXPECT_STREQ(GenderCode(result->gender), row.cells[4].c_str());
    EXPECT_EQ(result->upgraded_from_15 ? "yes" : "no", row.cells[5]);
    EXPECT_EQ(JoinWarnings(result->warnings), row.cells[6]);
    EXPECT_EQ(MaskIdNumber(result->normalized), row.cells[7]);
    // The normalised form is a fixed point.
    const Result<IdNumberInfo> again = CheckIdNumber(result->normalized, kToday, KnownRegion);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->normalized, result->normalized);
    EXPECT_FALSE(again->upgraded_from_15);
  } else {
    ASSERT_FALSE(result.has_value()) << "accepted as " << result->normalized;
    const Error& error = result.error();
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    ASSERT_EQ(error.details.size(), 1u);
    EXPECT_EQ(error.details[0].field, "id_number");
    EXPECT_EQ(error.details[0].code, expect);
    EXPECT_FALSE(error.details[0].message.empty());
    EXPECT_EQ(error.message, error.details[0].message);
  }
}

TEST(IdNumberTable, EveryRow) {
  const std::vector<Row> rows = ReadTable(
      kTablePath,
      {"input", "expect", "normalized", "birth_date", "gender", "upgraded", "warnings", "masked"});
  ASSERT_GE(rows.size(), 25u);
  for (const Row& row : rows) CheckRow(row);
}

TEST(IdNumberCheckChar, StandardExamples) {
  EXPECT_EQ(IdNumberCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(IdNumberCheckChar("34052419800101001"), 'X');
  EXPECT_EQ(IdNumberCheckChar("44052418800101001"), '4');
  EXPECT_EQ(IdNumberCheckChar("51010819900506002"), '7');
}

TEST(CheckIdNumber, NoCallbackMeansNoRegionWarning) {
  const auto result = CheckIdNumber("440301198506150016", kToday);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->warnings.empty());
  EXPECT_EQ(result->region_code, "440301");
}

TEST(CheckIdNumber, MessagesAreChineseAndCodesStable) {
  const auto result = CheckIdNumber("110105194912310021", kToday);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("身份证号校验位错误"), std::string::npos);
  EXPECT_EQ(result.error().details[0].code, "id_number.checksum");
}

TEST(CheckIdNumber, TodayDecidesTheFuture) {
  EXPECT_FALSE(CheckIdNumber("331181202611280029", Date{2026, 11, 27}).has_value());
  EXPECT_TRUE(CheckIdNumber("331181202611280029", Date{2026, 11, 28}).has_value());
}

TEST(CrossCheckIdNumber, MatchAndAbsentStatementsPass) {
  const auto info = CheckIdNumber("11010519491231002X", kToday);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(CrossCheckIdNumber(*info, Date{1949, 12, 31}, Gender::kFemale).has_value());
  EXPECT_TRUE(CrossCheckIdNumber(*info, std::nullopt, std::nullopt).has_value());
}

TEST(CrossCheckIdNumber, ReportsEachMismatch) {
  const auto info = CheckIdNumber("11010519491231002X", kToday);
  ASSERT_TRUE(info.has_value());

  const Status birth = CrossCheckIdNumber(*info, Date{1949, 12, 30}, Gender::kFemale);
  ASSERT_FALSE(birth.has_value());
  EXPECT_EQ(birth.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(birth.error().details.size(), 1u);
  EXPECT_EQ(birth.error().details[0].code, "id_number.birth_date_mismatch");
  EXPECT_EQ(birth.error().details[0].field, "id_number");

  const Status gender = CrossCheckIdNumber(*info, std::nullopt, Gender::kMale);
  ASSERT_FALSE(gender.has_value());
  ASSERT_EQ(gender.error().details.size(), 1u);
  EXPECT_EQ(gender.error().details[0].code, "id_number.gender_mismatch");

  const Status both = CrossCheckIdNumber(*info, Date{1950, 1, 1}, Gender::kMale);
  ASSERT_FALSE(both.has_value());
  ASSERT_EQ(both.error().details.size(), 2u);
  EXPECT_EQ(both.error().details[0].code, "id_number.birth_date_mismatch");
  EXPECT_EQ(both.error().details[1].code, "id_number.gender_mismatch");
}

TEST(Gender, ParseAndCode) {
  struct Case {
    const char* text;
    bool ok;
    Gender gender;
  };
  const Case cases[] = {
      {"male", true, Gender::kMale},       {"Male", true, Gender::kMale},
      {"M", true, Gender::kMale},          {"m", true, Gender::kMale},
      {"男", true, Gender::kMale},         {"1", true, Gender::kMale},
      {" female ", true, Gender::kFemale}, {"FEMALE", true, Gender::kFemale},
      {"f", true, Gender::kFemale},        {"女", true, Gender::kFemale},
      {"2", true, Gender::kFemale},        {"", false, Gender::kMale},
      {"0", false, Gender::kMale},         {"男性", false, Gender::kMale},
      {"x", false, Gender::kMale},
  };
  for (const Case& c : cases) {
    Gender parsed = Gender::kMale;
    EXPECT_EQ(ParseGender(c.text, &parsed), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(parsed, c.gender) << c.text;
    }
  }
  EXPECT_STREQ(GenderCode(Gender::kMale), "male");
  EXPECT_STREQ(GenderCode(Gender::kFemale), "female");
}

TEST(MaskIdNumber, OtherLengths) {
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "1101**********002X");
  EXPECT_EQ(MaskIdNumber("110105491231002"), "11***********02");
  EXPECT_EQ(MaskIdNumber("123456"), "12**56");
  EXPECT_EQ(MaskIdNumber("12345"), "12*45");
  EXPECT_EQ(MaskIdNumber("1234"), "****");
  EXPECT_EQ(MaskIdNumber(""), "");
  EXPECT_EQ(MaskIdNumber("张三丰四五"), "张三*四五");
}

}  // namespace
}  // namespace steward::registry
