#include "segment/internal/bit_sliced_index.hpp"

namespace steward::segment::internal {

BitSlicedIndex::BitSlicedIndex(int bits, int64_t base) : bits_(bits), base_(base), slices_(bits) {}

void BitSlicedIndex::Build(std::span<const int32_t> column, int64_t missing) {
  exists_ = Roaring();
  outliers_.clear();
  std::vector<uint32_t> rows;
  rows.reserve(column.size());
  for (uint32_t row = 0; row < column.size(); ++row) {
    if (column[row] == missing) continue;
    rows.push_back(row);
    if (!InRange(column[row])) outliers_[row] = column[row];
  }
  exists_.addMany(rows.size(), rows.data());
  exists_.runOptimize();
  // One slice at a time, so the scratch list stays one column long.
  for (int bit = 0; bit < bits_; ++bit) {
    rows.clear();
    for (uint32_t row = 0; row < column.size(); ++row) {
      const int64_t value = column[row];
      if (value != missing && InRange(value) && (((value - base_) >> bit) & 1) != 0) {
        rows.push_back(row);
      }
    }
    slices_[bit] = Roaring();
    slices_[bit].addMany(rows.size(), rows.data());
    slices_[bit].runOptimize();
  }
}

void BitSlicedIndex::Set(uint32_t row, std::optional<int64_t> value) {
  exists_.remove(row);
  outliers_.erase(row);
  for (auto& slice : slices_) slice.remove(row);
  if (!value) return;
  exists_.add(row);
  if (!InRange(*value)) {
    outliers_[row] = *value;
    return;
  }
  for (int bit = 0; bit < bits_; ++bit) {
    if (((*value - base_) >> bit) & 1) slices_[bit].add(row);
  }
}

void BitSlicedIndex::Split(int64_t operand, Roaring* less, Roaring* equal) const {
  *less = Roaring();
  *equal = Roaring();
  if (operand >= base_ + (int64_t{1} << bits_)) {
    *less = exists_;  // every in-range value; the outliers are sorted out below
    for (const auto& [row, value] : outliers_) less->remove(row);
  } else if (operand >= base_) {
    // From the highest bit down: rows still equal so far fall below wherever the operand has a 1
    // and they a 0, and drop out (above it) where the operand has a 0 and they a 1.
    const int64_t target = operand - base_;
    Roaring same = exists_;
    for (const auto& [row, value] : outliers_) same.remove(row);
    for (int bit = bits_ - 1; bit >= 0 && !same.isEmpty(); --bit) {
      if ((target >> bit) & 1) {
        *less |= same - slices_[bit];
        same &= slices_[bit];
      } else {
        same -= slices_[bit];
      }
    }
    *equal = std::move(same);
  }
  for (const auto& [row, value] : outliers_) {
    if (value < operand) less->add(row);
    if (value == operand) equal->add(row);
  }
}

Roaring BitSlicedIndex::Compare(CompareOp op, int64_t operand) const {
  Roaring less, equal;
  switch (op) {
    case CompareOp::kLess:
      Split(operand, &less, &equal);
      return less;
    case CompareOp::kLessOrEqual:
      Split(operand, &less, &equal);
      return less | equal;
    case CompareOp::kGreater:
      Split(operand, &less, &equal);
      return exists_ - less - equal;
    case CompareOp::kGreaterOrEqual:
      Split(operand, &less, &equal);
      return exists_ - less;
    case CompareOp::kEqual:
      Split(operand, &less, &equal);
      return equal;
    case CompareOp::kNotEqual:
      Split(operand, &less, &equal);
      return exists_ - equal;
  }
  return Roaring();
}

Roaring BitSlicedIndex::Between(std::optional<int64_t> from, std::optional<int64_t> to) const {
  Roaring result = to ? Compare(CompareOp::kLess, *to) : exists_;
  if (from) result -= Compare(CompareOp::kLess, *from);
  return result;
}

size_t BitSlicedIndex::BytesInBitmaps() const {
  size_t bytes = exists_.getSizeInBytes() + outliers_.size() * 48;
  for (const auto& slice : slices_) bytes += slice.getSizeInBytes();
  return bytes;
}

}  // namespace steward::segment::internal
