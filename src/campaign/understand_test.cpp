// Chinese answer understanding and forms of address, against tests/cases/understand.tsv and
// tests/cases/address_form.tsv.
#include "campaign/understand.hpp"

#include <gtest/gtest.h>

#include "campaign/variables.hpp"
#include "tests/cases/table.hpp"

namespace steward::campaign {
namespace {

std::string YesNoName(YesNo answer) {
  switch (answer) {
    case YesNo::kYes:
      return "yes";
    case YesNo::kNo:
      return "no";
    case YesNo::kUnknown:
      return "unknown";
  }
  return "?";
}

TEST(UnderstandTest, Table) {
  const auto rows = testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/understand.tsv",
                                       {"kind", "input", "expect"});
  ASSERT_GT(rows.size(), 60u);
  for (const auto& row : rows) {
    const std::string& kind = row.cells[0];
    const std::string input = testing::Unescape(row.cells[1]);
    const std::string& expect = row.cells[2];
    SCOPED_TRACE("understand.tsv line " + std::to_string(row.line) + ": " + input);
    if (kind == "yes_no") {
      EXPECT_EQ(YesNoName(UnderstandYesNo(input)), expect);
    } else if (kind == "repeat") {
      EXPECT_EQ(IsRepeatRequest(input) ? "true" : "false", expect);
    } else if (kind == "number") {
      auto number = FindNumber(input);
      EXPECT_EQ(number ? std::to_string(*number) : "-", expect);
    } else if (kind == "digits") {
      const std::string digits = SpokenDigits(input);
      EXPECT_EQ(digits.empty() ? "-" : digits, expect);
    } else if (kind == "time") {
      auto time = UnderstandTime(input);
      EXPECT_EQ(time ? time->ToValue() : "-", expect);
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
    }
  }
}

TEST(AddressFormTest, Table) {
  const auto rows = testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/address_form.tsv",
                                       {"name", "gender", "age", "expect"});
  ASSERT_GT(rows.size(), 10u);
  for (const auto& row : rows) {
    SCOPED_TRACE("address_form.tsv line " + std::to_string(row.line));
    const Gender gender = row.cells[1] == "male"     ? Gender::kMale
                          : row.cells[1] == "female" ? Gender::kFemale
                                                     : Gender::kUnknown;
    std::optional<int> age;
    if (row.cells[2] != "-") age = std::stoi(row.cells[2]);
    EXPECT_EQ(AddressForm(row.cells[0], gender, age), row.cells[3]);
  }
}

TEST(AddressFormTest, FormsAreConfigurable) {
  AddressOptions options;
  options.elder_age = 70;
  options.elder_male = "大伯";
  options.elder_female = "大妈";
  EXPECT_EQ(AddressForm("王建国", Gender::kMale, 65, options), "王先生");
  EXPECT_EQ(AddressForm("王建国", Gender::kMale, 70, options), "王大伯");
  EXPECT_EQ(AddressForm("李秀英", Gender::kFemale, 80, options), "李大妈");
}

TEST(VariablesTest, RenderFillsKnownNamesAndDropsUnknownOnes) {
  const Variables variables = {{"address", "王阿姨"}, {"campaign.date", "12月8日"}};
  EXPECT_EQ(Render("{{address}}您好，{{ campaign.date }}见。{{nobody}}完", variables),
            "王阿姨您好，12月8日见。完");
  EXPECT_EQ(Render("没有变量 {{ 未闭合", variables), "没有变量 {{ 未闭合");
  EXPECT_EQ(VariablesIn("{{a}}{{b}}{{a}}"), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace steward::campaign
