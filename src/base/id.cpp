#include "base/id.hpp"

#include <cassert>
#include <stdexcept>

namespace steward {

IdParts SplitId(Id id) {
  IdParts parts;
  parts.sequence = static_cast<int>(id & ((1 << kIdSequenceBits) - 1));
  parts.minter = static_cast<int>((id >> kIdSequenceBits) & kMaxMinter);
  parts.millis = (id >> (kIdSequenceBits + kIdMinterBits)) + kIdEpochMillis;
  return parts;
}

Id MakeId(int64_t unix_millis, int minter, int sequence) {
  const int64_t since = unix_millis - kIdEpochMillis;
  return (since << (kIdSequenceBits + kIdMinterBits)) |
         (static_cast<int64_t>(minter) << kIdSequenceBits) | sequence;
}

IdGenerator::IdGenerator(const Clock& clock, int minter)
    : clock_(clock), minter_(minter), last_(0) {
  if (minter < 0 || minter > kMaxMinter) throw std::invalid_argument("id minter out of range");
}

Id IdGenerator::Next() {
  const int64_t now = clock_.NowMillis() - kIdEpochMillis;
  int64_t last = last_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t floor = now << kIdSequenceBits;
    const int64_t next = last >= floor ? last + 1 : floor;
    if (last_.compare_exchange_weak(last, next, std::memory_order_relaxed)) {
      const int64_t millis = next >> kIdSequenceBits;
      const int sequence = static_cast<int>(next & ((1 << kIdSequenceBits) - 1));
      return (millis << (kIdSequenceBits + kIdMinterBits)) |
             (static_cast<int64_t>(minter_) << kIdSequenceBits) | sequence;
    }
  }
}

}  // namespace steward
