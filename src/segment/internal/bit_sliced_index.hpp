// BitSlicedIndex: an integer column as bit slices (O'Neil and Quass, "Improved query performance
// with variant indexes", 1997), so a range comparison over millions of rows is a few dozen
// bitmap operations instead of a pass over the column. Slice i holds the rows whose value minus
// `base` has bit i set; `exists` the rows with a value. Values outside [base, base + 2^bits) are
// kept apart as outliers and compared one by one (there should be none or few). Optionally the
// values are also binned (a bitmap per `bin_width` consecutive values, e.g. a year of birth
// days): a range then takes the whole bins inside it as one union (or the candidates minus the
// bins outside, whichever holds fewer rows) and walks the slices only for the rows of its two
// boundary bins. With few candidates (`within` under an eighth of the rows) the bins are skipped
// and the candidates walked.
// Internal to segment/. Thread-safety: const methods may run concurrently; Set needs exclusivity.
#pragma once

#include <algorithm>
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
  BitSlicedIndex(int bits, int64_t base, int64_t bin_width = 0);

  // Indexes rows 0 … column.size()-1 at once; rows holding `missing` have no value.
  void Build(std::span<const int32_t> column, int64_t missing);
  // Gives a row a value (nullopt: none), replacing what it had.
  void Set(uint32_t row, std::optional<int64_t> value);

  // Rows whose value satisfies `op` against `operand`; rows without a value never match. With
  // `within`, only rows of `within` are considered (the answer is the same on them, and every
  // bitmap operation works on the smaller set: an And passes what its cheaper children left).
  Roaring Compare(CompareOp op, int64_t operand, const Roaring* within = nullptr) const;
  // Rows whose value lies in [from, to); an open end when nullopt. A walk over the slices goes
  // down the bits the two ends share once, then two walks under that common prefix.
  Roaring Between(std::optional<int64_t> from, std::optional<int64_t> to,
                  const Roaring* within = nullptr) const;
  // Rows with a value.
  const Roaring& Exists() const { return exists_; }

  size_t BytesInBitmaps() const;

 private:
  // The in-range rows with a value (of `within`, when given): where every walk starts.
  Roaring Candidates(const Roaring* within) const;
  // Of `same` (rows that agree with `target` on every bit above `top`), those whose value's bits
  // top … 0 are below the target's into `less`, and equal into `equal`. In-range values only.
  void Walk(int64_t target, int top, Roaring same, Roaring* less, Roaring* equal) const;
  // Of the in-range rows `same`, those whose offset (value - base) lies in [low, high), with
  // 0 <= low < high <= 2^bits: by walking the slices.
  Roaring Walked(int64_t low, int64_t high, Roaring same) const;
  // The in-range rows (of `within`) whose offset lies in [low, high): by bins where there are.
  Roaring Offsets(int64_t low, int64_t high, const Roaring* within) const;
  int64_t Span() const { return int64_t{1} << bits_; }
  int64_t BinEnd(size_t bin) const {
    return std::min<int64_t>(static_cast<int64_t>(bin + 1) * bin_width_, Span());
  }
  // The value a row holds in the slices (it must be an in-range row).
  int64_t SlicedValue(uint32_t row) const;
  bool InRange(int64_t value) const { return value >= base_ && value - base_ < Span(); }

  int bits_;
  int64_t base_;
  Roaring exists_;  // in range and outliers
  std::vector<Roaring> slices_;
  std::map<uint32_t, int64_t> outliers_;
  int64_t bin_width_;
  std::vector<Roaring> bins_;  // by offset / bin_width_; empty without bins
};

}  // namespace steward::segment::internal
