#include "segment/internal/bit_sliced_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace steward::segment::internal {
namespace {

constexpr int32_t kMissing = -999999;

// The rows a plain scan of the column selects.
Roaring Scan(const std::vector<int32_t>& column, CompareOp op, int64_t operand) {
  Roaring rows;
  for (uint32_t row = 0; row < column.size(); ++row) {
    const int64_t value = column[row];
    if (value == kMissing) continue;
    const bool match = op == CompareOp::kEqual         ? value == operand
                       : op == CompareOp::kNotEqual    ? value != operand
                       : op == CompareOp::kLess        ? value < operand
                       : op == CompareOp::kLessOrEqual ? value <= operand
                       : op == CompareOp::kGreater     ? value > operand
                                                       : value >= operand;
    if (match) rows.add(row);
  }
  return rows;
}

constexpr CompareOp kOps[] = {CompareOp::kEqual,   CompareOp::kNotEqual,
                              CompareOp::kLess,    CompareOp::kLessOrEqual,
                              CompareOp::kGreater, CompareOp::kGreaterOrEqual};

// A 6-bit index over [-20, 44) with values from -40 to 60 (outliers on both sides) and missing
// ones, compared at every operand around the range, then again after random Sets.
class BitSlicedIndexTest : public ::testing::TestWithParam<int64_t> {};  // the bin width

TEST_P(BitSlicedIndexTest, AgreesWithAScanForEveryOperatorAndOperand) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int32_t> value(-40, 60);
  std::vector<int32_t> column(3000);
  for (auto& cell : column) cell = random() % 10 == 0 ? kMissing : value(random);
  BitSlicedIndex index(6, -20, GetParam());
  index.Build(column, kMissing);
  for (int round = 0; round < 2; ++round) {
    for (int64_t operand = -45; operand <= 65; ++operand) {
      for (CompareOp op : kOps) {
        ASSERT_EQ(index.Compare(op, operand), Scan(column, op, operand))
            << "round " << round << " op " << CompareOpText(op) << " " << operand;
      }
    }
    EXPECT_EQ(index.Exists().cardinality(),
              column.size() - std::count(column.begin(), column.end(), kMissing));
    for (int change = 0; change < 500; ++change) {
      const uint32_t row = random() % column.size();
      column[row] = random() % 5 == 0 ? kMissing : value(random);
      index.Set(row, column[row] == kMissing ? std::nullopt : std::optional<int64_t>(column[row]));
    }
  }
}

std::vector<uint32_t> Rows(const Roaring& bitmap) { return {bitmap.begin(), bitmap.end()}; }

TEST(BitSlicedIndex, BetweenIsHalfOpenAndOpenEnded) {
  std::vector<int32_t> column = {5, 10, 15, kMissing, 20, -3};
  BitSlicedIndex index(4, 0);  // -3 and 20 are outliers
  index.Build(column, kMissing);
  EXPECT_EQ(Rows(index.Between(10, 20)), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(Rows(index.Between(std::nullopt, 10)), (std::vector<uint32_t>{0, 5}));
  EXPECT_EQ(Rows(index.Between(15, std::nullopt)), (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(Rows(index.Between(std::nullopt, std::nullopt)),
            (std::vector<uint32_t>{0, 1, 2, 4, 5}));
}

// Every range [from, to) around the index's span, with and without a set of candidate rows,
// against a scan: both ends inside (the shared-prefix walk) and either end outside or open.
TEST_P(BitSlicedIndexTest, BetweenAndWithinAgreeWithAScan) {
  std::mt19937 random(11);
  std::uniform_int_distribution<int32_t> value(-30, 50);
  std::vector<int32_t> column(2000);
  for (auto& cell : column) cell = random() % 10 == 0 ? kMissing : value(random);
  BitSlicedIndex index(6, -20, GetParam());  // [-20, 44): outliers below and above
  index.Build(column, kMissing);
  for (int change = 0; change < 300; ++change) {  // Set keeps slices and bins alike
    const uint32_t row = random() % column.size();
    column[row] = random() % 5 == 0 ? kMissing : value(random);
    index.Set(row, column[row] == kMissing ? std::nullopt : std::optional<int64_t>(column[row]));
  }
  Roaring within;
  for (uint32_t row = 0; row < column.size(); ++row) {
    if (random() % 3 == 0) within.add(row);
  }
  for (int64_t from = -35; from <= 55; from += 1) {
    for (int64_t to = from - 1; to <= 56; to += 3) {
      const Roaring expected =
          Scan(column, CompareOp::kGreaterOrEqual, from) & Scan(column, CompareOp::kLess, to);
      ASSERT_EQ(index.Between(from, to), expected) << "[" << from << ", " << to << ")";
      ASSERT_EQ(index.Between(from, to, &within), expected & within)
          << "[" << from << ", " << to << ") within";
    }
    ASSERT_EQ(index.Between(from, std::nullopt, &within),
              Scan(column, CompareOp::kGreaterOrEqual, from) & within);
    for (CompareOp op : kOps) {
      ASSERT_EQ(index.Compare(op, from, &within), Scan(column, op, from) & within)
          << CompareOpText(op) << " " << from << " within";
    }
  }
}

// No bins; bins of 1, of 5 (the last one short), of 7 and one bin for everything.
INSTANTIATE_TEST_SUITE_P(BinWidths, BitSlicedIndexTest, ::testing::Values(0, 1, 5, 7, 64));

}  // namespace
}  // namespace steward::segment::internal
