// BitSlicedIndex: an integer column as bit slices (O'Neil and Quass, "Improved query performance
// with variant indexes", 1997), so a range comparison over millions of rows is a few dozen
// bitmap operations instead of a pass over the column. Slice i holds the rows whose value minus
// `base` has bit i set; `exists` the rows with a value. Values outside [base, base + 2^bits) are
// kept apart as outliers and compared one by one (there should be none or few).
// Internal to segment/. Thread-safety: const methods may run concurrently; Set needs exclusivity.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include <roaring/roaring.hh>

#include "segment/query.hpp"

namespace steward::segment::internal {

class BitSlicedIndex {
 public:
  BitSlicedIndex(int bits, int64_t base);

  // Indexes rows 0 … column.size()-1 at once; rows holding `missing` have no value.
  void Build(std::span<const int32_t> column, int64_t missing);
  // Gives a row a value (nullopt: none), replacing what it had.
  void Set(uint32_t row, std::optional<int64_t> value);

  // Rows whose value satisfies `op` against `operand`; rows without a value never match.
  Roaring Compare(CompareOp op, int64_t operand) const;
  // Rows whose value lies in [from, to); an open end when nullopt.
  Roaring Between(std::optional<int64_t> from, std::optional<int64_t> to) const;
  // Rows with a value.
  const Roaring& Exists() const { return exists_; }

  size_t BytesInBitmaps() const;

 private:
  // Rows with a value below `operand`, and those equal to it.
  void Split(int64_t operand, Roaring* less, Roaring* equal) const;
  bool InRange(int64_t value) const {
    return value >= base_ && value - base_ < (int64_t{1} << bits_);
  }

  int bits_;
  int64_t base_;
  Roaring exists_;  // in range and outliers
  std::vector<Roaring> slices_;
  std::map<uint32_t, int64_t> outliers_;
};

}  // namespace steward::segment::internal
