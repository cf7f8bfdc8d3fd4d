// CallDriver: runs one CallSession over a Channel — dials, forwards the channel's events to the
// session, carries out the session's actions in order, and keeps its one timer on Timers.
//
// The `commit` hook runs for every answer before the next prompt is played (the campaign persists
// it there; a hook that fails ends the call rather than go on with an answer unsaved). `ended`
// runs once, last, when the call is over; it must not destroy the driver (schedule that on the
// timers instead).
// Threads: everything runs on the channel's thread, which is also the one running `timers`.
#pragma once

#include <functional>
#include <memory>

#include "campaign/channel.hpp"
#include "campaign/session.hpp"
#include "campaign/timers.hpp"

namespace steward::campaign {

class CallDriver final : public CallSink {
 public:
  struct Hooks {
    std::function<Status(const Answer&)> commit;  // may be empty
    std::function<void(CallDriver&)> ended;       // may be empty
  };

  CallDriver(int64_t call_id, const Script& script, Variables variables, Channel& channel,
             Timers& timers, Hooks hooks);
  ~CallDriver() override;

  // Dials; an error means no call was placed (and `ended` will not run).
  Status Start(const std::string& phone, int ring_timeout_ms);
  void OnChannelEvent(const ChannelEvent& event) override;

  int64_t call_id() const { return call_id_; }
  const CallSession& session() const { return session_; }

 private:
  void Carry(std::vector<Action> actions);

  int64_t call_id_;
  Channel& channel_;
  Timers& timers_;
  Hooks hooks_;
  CallSession session_;
  Timers::TimerId timer_ = 0;
};

}  // namespace steward::campaign
