// SipChannel: campaign's Channel on the phone line. Adapts voice::SipLine (which knows nothing of
// campaigns) to the contract of docs/channel.md: prompts are spoken through the PromptCache (TTS),
// SIP outcomes become FailCause, and every event is handed to the campaign's Timers thread, where
// the runner and its call drivers live (RealTimers keeps them in order).
//
// Thread-safety: Channel methods on the timers' thread (as the runner calls them); the line's
// listener methods on the line's thread; the sink map is guarded by a mutex.
// Recordings are <recording_dir>/<call id>.wav, the call id being the attempt's id; the hang-up
// event carries the file name, which the attempt keeps (call_attempt.recording).
// Transfer is a blind REFER (SipLine::Transfer); the same dial guard applies to its target.
// Not yet: spoken answers (ASR).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/config.hpp"
#include "campaign/channel.hpp"
#include "campaign/timers.hpp"
#include "voice/prompt_cache.hpp"
#include "voice/sip_line.hpp"

namespace steward::app {

class SipChannel final : public campaign::Channel, public voice::SipLineListener {
 public:
  // `allowed_prefixes`: when not empty, only numbers starting with one of them are dialled.
  // Demo numbers (demo::IsDemoPhone) are dialled only to a loopback peer, always.
  SipChannel(campaign::Timers& timers, voice::PromptCache& prompts, voice::SipLineOptions options,
             std::vector<std::string> allowed_prefixes = {});
  ~SipChannel() override;

  Status Start();  // binds the line
  void Stop();
  uint16_t sip_port() const { return line_.sip_port(); }

  // campaign::Channel
  Status Dial(const campaign::DialRequest& request, campaign::CallSink* sink) override;
  void Play(int64_t call_id, const campaign::Prompt& prompt) override;
  void StopPrompt(int64_t call_id) override;
  void Hangup(int64_t call_id) override;
  void Transfer(int64_t call_id, const std::string& phone) override;
  bool HasSpeech() const override { return false; }

  // voice::SipLineListener
  void OnRinging(const std::string& call_id) override;
  void OnEarlyMedia(const std::string& call_id) override;
  void OnAnswered(const std::string& call_id) override;
  void OnKey(const std::string& call_id, char key) override;
  void OnPromptFinished(const std::string& call_id) override;
  void OnHungUp(const std::string& call_id, voice::HungUpBy by,
                const std::string& recording) override;
  void OnFailed(const std::string& call_id, voice::SipCallEnd end) override;

 private:
  void Post(const std::string& call_id, campaign::ChannelEvent event, bool last);
  // Why `phone` may not be dialled or transferred to (voice::RefuseDial), or empty.
  std::string Refusal(const std::string& phone) const;

  campaign::Timers& timers_;
  voice::PromptCache& prompts_;
  std::string trunk_uri_;
  std::vector<std::string> allowed_prefixes_;
  voice::SipLine line_;
  std::mutex mutex_;
  std::unordered_map<int64_t, campaign::CallSink*> sinks_;  // guarded by mutex_
};

// The line's settings from the configuration ([voice]): address, caller ID, trunk, digest
// credentials, registrar; recordings in DATA_DIR/recordings.
voice::SipLineOptions SipLineOptionsFrom(const Config& config);

// The FailCause of an unanswered call (docs/channel.md's table).
campaign::FailCause FailCauseFor(voice::CallEnd end);

}  // namespace steward::app
