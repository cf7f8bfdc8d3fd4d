#include "registry/phone.hpp"

#include <gtest/gtest.h>

#include "tests/cases/table.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace steward::registry {
namespace {

constexpr const char* kTablePath = STEWARD_SOURCE_DIR "/tests/cases/phone.tsv";

using testing::ReadTable;
using testing::Row;
using testing::Unescape;

const char* KindName(PhoneKind kind) { return kind == PhoneKind::kMobile ? "mobile" : "landline"; }

// Checks one table row; a failed ASSERT ends only this row, the loop goes on.
void CheckRow(const Row& row) {
  const std::string input = Unescape(row.cells[0]);
  const std::string& expect = row.cells[1];
  SCOPED_TRACE(::testing::Message()
               << "phone.tsv:" << row.line << " input \"" << row.cells[0] << "\"");
  const Result<PhoneInfo> result = NormalizePhone(input);
  if (expect == "ok") {
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_EQ(result->normalized, row.cells[2]);
    EXPECT_STREQ(KindName(result->kind), row.cells[3].c_str());
    EXPECT_EQ(MaskPhone(*result), row.cells[4]);
    // The normalised form is a fixed point.
    const Result<PhoneInfo> again = NormalizePhone(result->normalized);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->normalized, result->normalized);
    EXPECT_EQ(again->kind, result->kind);
  } else {
    ASSERT_FALSE(result.has_value()) << "accepted as " << result->normalized;
    const Error& error = result.error();
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    ASSERT_EQ(error.details.size(), 1u);
    EXPECT_EQ(error.details[0].field, "phone");
    EXPECT_EQ(error.details[0].code, expect);
    EXPECT_FALSE(error.details[0].message.empty());
    EXPECT_EQ(error.message, error.details[0].message);
  }
}

TEST(PhoneTable, EveryRow) {
  const std::vector<Row> rows =
      ReadTable(kTablePath, {"input", "expect", "normalized", "kind", "masked"});
  ASSERT_GE(rows.size(), 20u);
  for (const Row& row : rows) CheckRow(row);
}

TEST(NormalizePhone, LandlineWithoutAreaCodeSaysSo) {
  const auto result = NormalizePhone("7123456");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().details[0].code, "phone.format");
  EXPECT_NE(result.error().message.find("区号"), std::string::npos);
}

TEST(MaskPhone, KeepsAreaCodeAndLastFour) {
  EXPECT_EQ(MaskPhone(PhoneInfo{"13812345678", PhoneKind::kMobile}), "138****5678");
  EXPECT_EQ(MaskPhone(PhoneInfo{"0578-7123456", PhoneKind::kLandline}), "0578-***3456");
  EXPECT_EQ(MaskPhone(PhoneInfo{"010-12345678", PhoneKind::kLandline}), "010-****5678");
  // Not from NormalizePhone: still never shows the whole number.
  EXPECT_EQ(MaskPhone(PhoneInfo{"12345", PhoneKind::kMobile}), "*****");
  EXPECT_EQ(MaskPhone(PhoneInfo{"0578-123", PhoneKind::kLandline}), "0578-***");
}

}  // namespace
}  // namespace steward::registry
