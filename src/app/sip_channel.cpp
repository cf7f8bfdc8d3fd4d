#include "app/sip_channel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "demo/demo.hpp"
#include "voice/dial_guard.hpp"

namespace steward::app {

campaign::FailCause FailCauseFor(voice::CallEnd end) {
  switch (end) {
    case voice::CallEnd::kNoAnswer:
      return campaign::FailCause::kNoAnswer;
    case voice::CallEnd::kBusy:
      return campaign::FailCause::kBusy;
    case voice::CallEnd::kDeclined:
      return campaign::FailCause::kDeclined;
    case voice::CallEnd::kInvalidNumber:
      return campaign::FailCause::kInvalidNumber;
    case voice::CallEnd::kNetwork:
      return campaign::FailCause::kNetwork;
  }
  return campaign::FailCause::kNetwork;
}

voice::SipLineOptions SipLineOptionsFrom(const Config& config) {
  voice::SipLineOptions line;
  line.local_address = config.sip_local_address;
  line.sip_port = static_cast<uint16_t>(std::clamp(config.sip_port, 0, 65535));
  line.from_user = config.sip_caller_id;
  line.display_name = config.sip_display_name;
  line.trunk_uri = config.sip_trunk;
  line.auth_user = config.sip_auth_user;
  line.auth_password = config.sip_auth_password;
  line.registrar = config.sip_registrar;
  line.register_expires = config.sip_register_expires;
  line.recording_dir = (std::filesystem::path(config.data_dir) / "recordings").string();
  return line;
}

SipChannel::SipChannel(campaign::Timers& timers, voice::PromptCache& prompts,
                       voice::SipLineOptions options, std::vector<std::string> allowed_prefixes)
    : timers_(timers),
      prompts_(prompts),
      trunk_uri_(options.trunk_uri),
      allowed_prefixes_(std::move(allowed_prefixes)),
      line_(std::move(options), *this) {}

SipChannel::~SipChannel() { Stop(); }

Status SipChannel::Start() { return line_.Start(); }

void SipChannel::Stop() { line_.Stop(); }

Status SipChannel::Dial(const campaign::DialRequest& request, campaign::CallSink* sink) {
  const std::string refused = Refusal(request.phone);
  if (!refused.empty()) {
    spdlog::warn("campaigns: call {} not dialled: {}", request.call_id, refused);
    return Fail(ErrorCode::kFailedPrecondition, refused);
  }
  {
    std::lock_guard lock(mutex_);
    sinks_[request.call_id] = sink;
  }
  line_.Dial(std::to_string(request.call_id), request.phone, request.ring_timeout_ms);
  return Ok();
}

std::string SipChannel::Refusal(const std::string& phone) const {
  return voice::RefuseDial(phone, demo::IsDemoPhone(phone), voice::DialUri(phone, trunk_uri_),
                           allowed_prefixes_);
}

void SipChannel::Play(int64_t call_id, const campaign::Prompt& prompt) {
  auto audio = prompts_.Get(prompt.text);
  if (!audio) {
    // Without a voice the call cannot go on: end it rather than leave the resident in silence.
    spdlog::error("campaigns: no audio for a prompt of node {}: {}", prompt.node_id,
                  audio.error().ToString());
    line_.Hangup(std::to_string(call_id));
    return;
  }
  line_.Play(std::to_string(call_id), *audio, /*replace=*/true);
}

void SipChannel::StopPrompt(int64_t call_id) { line_.StopPrompt(std::to_string(call_id)); }

void SipChannel::Hangup(int64_t call_id) { line_.Hangup(std::to_string(call_id)); }

void SipChannel::Transfer(int64_t call_id, const std::string& phone) {
  const std::string refused = Refusal(phone);
  if (!refused.empty()) {
    spdlog::warn("campaigns: call {} not transferred: {}", call_id, refused);
    line_.Hangup(std::to_string(call_id));
    return;
  }
  line_.Transfer(std::to_string(call_id), phone);
}

void SipChannel::Post(const std::string& call_id, campaign::ChannelEvent event, bool last) {
  event.call_id = std::stoll(call_id);
  event.at_ms = timers_.clock().NowMillis();
  campaign::CallSink* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    const auto found = sinks_.find(event.call_id);
    if (found == sinks_.end()) return;
    sink = found->second;
    if (last) sinks_.erase(found);
  }
  timers_.After(0, [sink, event] { sink->OnChannelEvent(event); });
}

void SipChannel::OnRinging(const std::string& call_id) {
  Post(call_id, {.kind = campaign::ChannelEventKind::kRinging}, false);
}
void SipChannel::OnEarlyMedia(const std::string& call_id) {
  Post(call_id, {.kind = campaign::ChannelEventKind::kEarlyMedia}, false);
}
void SipChannel::OnAnswered(const std::string& call_id) {
  Post(call_id, {.kind = campaign::ChannelEventKind::kAnswered}, false);
}
void SipChannel::OnKey(const std::string& call_id, char key) {
  if (key == 'A' || key == 'B' || key == 'C' || key == 'D') return;  // not on a phone's keypad
  Post(call_id, {.kind = campaign::ChannelEventKind::kDigit, .digit = key}, false);
}
void SipChannel::OnPromptFinished(const std::string& call_id) {
  Post(call_id, {.kind = campaign::ChannelEventKind::kPromptFinished}, false);
}
void SipChannel::OnHungUp(const std::string& call_id, voice::HungUpBy by,
                          const std::string& recording) {
  Post(call_id,
       {.kind = campaign::ChannelEventKind::kHungUp,
        .by = by == voice::HungUpBy::kRemote ? campaign::HangupBy::kRemote
                                             : campaign::HangupBy::kLocal,  // ours, or transferred
        .recording = recording.empty() ? "" : std::filesystem::path(recording).filename().string()},
       true);
}
void SipChannel::OnFailed(const std::string& call_id, voice::SipCallEnd end) {
  Post(call_id, {.kind = campaign::ChannelEventKind::kFailed, .cause = FailCauseFor(end.end)},
       true);
}

}  // namespace steward::app
