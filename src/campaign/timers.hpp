// Timers: the one way the dialogue engine and the simulator wait, so tests and benchmarks run in
// virtual time (STYLE rule 4: no test waits on the wall clock).
//
// VirtualTimers runs callbacks in due order on the thread that calls Run*, advancing a FakeClock to
// each callback's time; nothing sleeps. Callbacks may schedule and cancel timers. Timers at the
// same instant run in the order they were scheduled. Not thread-safe: one thread owns it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "base/clock.hpp"

namespace steward::campaign {

class Timers {
 public:
  using TimerId = uint64_t;
  virtual ~Timers() = default;
  // Runs `fn` once, `delay_ms` from now (0: after the callbacks already due).
  virtual TimerId After(int64_t delay_ms, std::function<void()> fn) = 0;
  // Cancels a timer that has not run; a no-op for one that ran or was cancelled.
  virtual void Cancel(TimerId id) = 0;
  virtual const Clock& clock() const = 0;
};

class VirtualTimers final : public Timers {
 public:
  explicit VirtualTimers(int64_t start_millis) : clock_(start_millis) {}

  TimerId After(int64_t delay_ms, std::function<void()> fn) override;
  void Cancel(TimerId id) override;
  const Clock& clock() const override { return clock_; }

  // Runs timers until none is left; returns how many ran.
  uint64_t RunUntilIdle();
  // Runs the timers due up to now + `duration_ms`, then sets the clock there.
  uint64_t RunFor(int64_t duration_ms);
  size_t pending() const { return queue_.size(); }
  int64_t now() const { return clock_.NowMillis(); }

 private:
  bool RunOne(int64_t limit_ms);

  FakeClock clock_;
  TimerId next_id_ = 1;
  // (due time, id) -> callback; ids grow, so equal times run in scheduling order.
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> queue_;
  std::map<TimerId, int64_t> due_;  // id -> due time, for Cancel
};

// Timers on the wall clock with a thread of their own: what the server runs campaigns on. Every
// callback runs on that thread, one at a time, in due order; After and Cancel may be called from
// any thread (a request handler posts work with After(0, ...)). Due times are kept on the steady
// clock, so a wall-clock step neither fires nor stalls timers; clock() is the system clock.
class RealTimers final : public Timers {
 public:
  RealTimers() = default;
  ~RealTimers() override;

  TimerId After(int64_t delay_ms, std::function<void()> fn) override;
  void Cancel(TimerId id) override;
  const Clock& clock() const override { return clock_; }

  // Starts the thread. Once.
  void Start();
  // Runs nothing more and joins the thread (pending timers are dropped). Idempotent; not from a
  // callback.
  void Stop();

 private:
  void Loop();

  SystemClock clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  TimerId next_id_ = 1;  // guarded by mutex_
  // (steady due time in ms, id) -> callback; guarded by mutex_
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> queue_;
  std::map<TimerId, int64_t> due_;  // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::thread thread_;
};

}  // namespace steward::campaign
