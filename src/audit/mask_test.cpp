// MaskForAudit against its table, tests/cases/audit_mask.tsv.
#include "audit/mask.hpp"

#include <gtest/gtest.h>

#include "tests/cases/table.hpp"

namespace steward::audit {
namespace {

constexpr const char* kTablePath = STEWARD_SOURCE_DIR "/tests/cases/audit_mask.tsv";

TEST(AuditMaskTest, Table) {
  const auto rows = testing::ReadTable(kTablePath, {"input", "masked"});
  EXPECT_GE(rows.size(), 20u);
  for (const auto& row : rows) {
    const std::string input = testing::Unescape(row.cells[0]);
    const std::string expected = testing::Unescape(row.cells[1]);
    EXPECT_EQ(MaskForAudit(input), expected) << "audit_mask.tsv:" << row.line;
    // Masking is idempotent: a masked text has nothing left to mask.
    EXPECT_EQ(MaskForAudit(expected), expected) << "audit_mask.tsv:" << row.line;
  }
}

}  // namespace
}  // namespace steward::audit
