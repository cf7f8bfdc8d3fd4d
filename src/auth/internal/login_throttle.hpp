// Failed sign-ins counted per client address, so that one address can neither guess passwords
// across many accounts nor lock them all out (the per-account lock is in session.cpp).
//
// A sliding window: once `max_failures` failures from one address fall within `window_millis`,
// that address is refused until the oldest of them leaves the window. A success does not clear
// the count (one known account must not buy unlimited guesses at others). The state is in memory
// only: a restart forgets it, and each process of a deployment counts on its own. At most
// kMaxClients addresses are tracked; beyond that, addresses whose failures have all left the
// window are dropped first, then arbitrary ones (an attacker with that many addresses is not
// stopped by a per-address count anyway). The empty address (no network peer: the CLI, tests) is
// never throttled.
// Threads: thread-safe; one mutex guards the table.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace steward::auth::internal {

class LoginThrottle {
 public:
  static constexpr size_t kMaxClients = 65536;

  // max_failures <= 0 turns the throttle off.
  LoginThrottle(int max_failures, int64_t window_millis)
      : max_failures_(max_failures), window_millis_(window_millis) {}

  // Milliseconds until `client` may try again at `now`; 0 when it may try now.
  int64_t RetryAfter(std::string_view client, int64_t now);
  void CountFailure(std::string_view client, int64_t now);

 private:
  void DropExpired(int64_t now);  // mutex_ held

  const int max_failures_;
  const int64_t window_millis_;
  std::mutex mutex_;
  // Failure times per address, oldest first, at most max_failures_ each. Guarded by mutex_.
  std::unordered_map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace steward::auth::internal
