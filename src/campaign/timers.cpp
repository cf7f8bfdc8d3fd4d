#include "campaign/timers.hpp"

namespace steward::campaign {

Timers::TimerId VirtualTimers::After(int64_t delay_ms, std::function<void()> fn) {
  const TimerId id = next_id_++;
  const int64_t due = clock_.NowMillis() + (delay_ms < 0 ? 0 : delay_ms);
  queue_.emplace(std::make_pair(due, id), std::move(fn));
  due_.emplace(id, due);
  return id;
}

void VirtualTimers::Cancel(TimerId id) {
  auto it = due_.find(id);
  if (it == due_.end()) return;
  queue_.erase({it->second, id});
  due_.erase(it);
}

bool VirtualTimers::RunOne(int64_t limit_ms) {
  if (queue_.empty()) return false;
  auto first = queue_.begin();
  if (first->first.first > limit_ms) return false;
  if (first->first.first > clock_.NowMillis()) clock_.Set(first->first.first);
  auto fn = std::move(first->second);
  due_.erase(first->first.second);
  queue_.erase(first);
  fn();
  return true;
}

uint64_t VirtualTimers::RunUntilIdle() {
  uint64_t ran = 0;
  while (RunOne(INT64_MAX)) ++ran;
  return ran;
}

uint64_t VirtualTimers::RunFor(int64_t duration_ms) {
  const int64_t limit = clock_.NowMillis() + duration_ms;
  uint64_t ran = 0;
  while (RunOne(limit)) ++ran;
  clock_.Set(limit);
  return ran;
}

}  // namespace steward::campaign
