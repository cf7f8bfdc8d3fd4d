#include "campaign/call_driver.hpp"

namespace steward::campaign {

CallDriver::CallDriver(int64_t call_id, const Script& script, Variables variables, Channel& channel,
                       Timers& timers, Hooks hooks)
    : call_id_(call_id),
      channel_(channel),
      timers_(timers),
      hooks_(std::move(hooks)),
      session_(script, std::move(variables), channel.HasSpeech()) {}

CallDriver::~CallDriver() {
  if (timer_ != 0) timers_.Cancel(timer_);
}

Status CallDriver::Start(const std::string& phone, int ring_timeout_ms) {
  return channel_.Dial({call_id_, phone, ring_timeout_ms}, this);
}

void CallDriver::OnChannelEvent(const ChannelEvent& event) {
  if (session_.ended()) return;
  // Any event ends a wait for input; the session starts a new one when it still waits.
  if (timer_ != 0 && event.kind != ChannelEventKind::kRinging &&
      event.kind != ChannelEventKind::kEarlyMedia) {
    timers_.Cancel(timer_);
    timer_ = 0;
  }
  Carry(session_.OnEvent(event));
  if (session_.ended() && hooks_.ended) hooks_.ended(*this);
}

void CallDriver::Carry(std::vector<Action> actions) {
  for (auto& action : actions) {
    switch (action.kind) {
      case Action::Kind::kPlay:
        channel_.Play(call_id_, action.prompt);
        break;
      case Action::Kind::kStopPrompt:
        channel_.StopPrompt(call_id_);
        break;
      case Action::Kind::kStartTimer:
        if (timer_ != 0) timers_.Cancel(timer_);
        timer_ = timers_.After(action.timer_ms, [this] {
          timer_ = 0;
          Carry(session_.OnTimeout(timers_.clock().NowMillis()));
        });
        break;
      case Action::Kind::kCommit:
        if (hooks_.commit) {
          if (!hooks_.commit(action.answer)) {
            // Never go on with an answer that was not saved: leave the call.
            channel_.Hangup(call_id_);
            return;
          }
        }
        break;
      case Action::Kind::kHangup:
        channel_.Hangup(call_id_);
        break;
      case Action::Kind::kTransfer:
        channel_.Transfer(call_id_, action.phone);
        break;
    }
  }
}

}  // namespace steward::campaign
