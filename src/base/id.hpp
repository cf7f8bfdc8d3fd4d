// Ids: 64-bit, time-ordered, mintable anywhere without a round trip.
//
// Layout (most significant first): 1 zero bit | 41 bits milliseconds since 2024-01-01 UTC |
// 10 bits minter | 12 bits sequence. A minter is a server node (config `node_id`, default 1) or an
// offline field client (given its own minter number when it is enrolled), so ids minted apart never
// collide. Ids sort by creation time, which keeps B-tree inserts at the right edge.
// Dense row numbers used by in-memory indexes are derived at load time and never stored as ids.
//
// Thread-safety: IdGenerator::Next is lock-free and may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.hpp"

namespace steward {

using Id = int64_t;

inline constexpr int64_t kIdEpochMillis = 1704067200000;  // 2024-01-01T00:00:00Z
inline constexpr int kIdMinterBits = 10;
inline constexpr int kIdSequenceBits = 12;
inline constexpr int kMaxMinter = (1 << kIdMinterBits) - 1;

struct IdParts {
  int64_t millis = 0;  // Unix epoch milliseconds
  int minter = 0;
  int sequence = 0;
};

IdParts SplitId(Id id);
Id MakeId(int64_t unix_millis, int minter, int sequence);

class IdGenerator {
 public:
  // `minter` must be in [0, kMaxMinter]. The clock must outlive the generator.
  IdGenerator(const Clock& clock, int minter);

  // Strictly increasing for this generator. When more than 4,096 ids are asked for in one
  // millisecond, the generator runs ahead of the wall clock rather than repeating an id.
  Id Next();

  int minter() const { return minter_; }

 private:
  const Clock& clock_;
  const int minter_;
  std::atomic<int64_t> last_;  // last (millis << 12 | sequence) handed out
};

}  // namespace steward
