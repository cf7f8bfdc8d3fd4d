#include "campaign/timers.hpp"

#include <chrono>

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

namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RealTimers::~RealTimers() { Stop(); }

Timers::TimerId RealTimers::After(int64_t delay_ms, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  const TimerId id = next_id_++;
  const int64_t due = SteadyMillis() + (delay_ms < 0 ? 0 : delay_ms);
  queue_.emplace(std::make_pair(due, id), std::move(fn));
  due_.emplace(id, due);
  wake_.notify_one();
  return id;
}

void RealTimers::Cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  auto it = due_.find(id);
  if (it == due_.end()) return;
  queue_.erase({it->second, id});
  due_.erase(it);
}

void RealTimers::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void RealTimers::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  queue_.clear();
  due_.clear();
}

void RealTimers::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    const int64_t now = SteadyMillis();
    if (first->first.first > now) {
      wake_.wait_for(lock, std::chrono::milliseconds(first->first.first - now));
      continue;
    }
    auto fn = std::move(first->second);
    due_.erase(first->first.second);
    queue_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace steward::campaign
