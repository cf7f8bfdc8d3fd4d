#include "auth/internal/login_throttle.hpp"

namespace steward::auth::internal {

int64_t LoginThrottle::RetryAfter(std::string_view client, int64_t now) {
  if (client.empty() || max_failures_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto found = failures_.find(std::string(client));
  if (found == failures_.end()) return 0;
  auto& times = found->second;
  while (!times.empty() && times.front() + window_millis_ <= now) times.pop_front();
  if (times.empty()) {
    failures_.erase(found);
    return 0;
  }
  if (static_cast<int>(times.size()) < max_failures_) return 0;
  return times.front() + window_millis_ - now;
}

void LoginThrottle::CountFailure(std::string_view client, int64_t now) {
  if (client.empty() || max_failures_ <= 0) return;
  std::lock_guard lock(mutex_);
  auto found = failures_.find(std::string(client));
  if (found == failures_.end()) {
    if (failures_.size() >= kMaxClients) DropExpired(now);
    if (failures_.size() >= kMaxClients) failures_.erase(failures_.begin());
    found = failures_.emplace(std::string(client), std::deque<int64_t>()).first;
  }
  auto& times = found->second;
  times.push_back(now);
  while (static_cast<int>(times.size()) > max_failures_) times.pop_front();
}

void LoginThrottle::DropExpired(int64_t now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    const auto& times = it->second;
    if (times.empty() || times.back() + window_millis_ <= now) {
      it = failures_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace steward::auth::internal
