// SipChannel: campaign's Channel on the phone line. Adapts voice::SipLine (which knows nothing of
// campaigns) to the contract of docs/channel.md: prompts are spoken through the PromptCache (TTS;
// spliced from their pieces, synthesised off the timers' thread, warmed by Prepare), SIP outcomes
// become FailCause, and every event is handed to the campaign's Timers thread, where
// the runner and its call drivers live (RealTimers keeps them in order).
//
// Thread-safety: Channel methods on the timers' thread (as the runner calls them); the line's
// listener methods on the line's thread; prompt audio arrives on the cache's worker threads. The
// sink map is guarded by a mutex; each call's prompt turn (which audio is still wanted) by the
// shared state's, which outlives the channel for callbacks still queued in the cache.
// Recordings are <recording_dir>/<call id>.wav, the call id being the attempt's id; the hang-up
// event carries the file name, which the attempt keeps (call_attempt.recording).
// Transfer is a blind REFER (SipLine::Transfer); the same dial guard applies to its target.
// Spoken answers: with an Asr, the line's VAD cuts each utterance and the channel's ASR threads
// have it transcribed (four at once, in the order they were said); the keypad works the same with
// or without it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/config.hpp"
#include "campaign/channel.hpp"
#include "campaign/timers.hpp"
#include "voice/http_speech.hpp"
#include "voice/prompt_cache.hpp"
#include "voice/sip_line.hpp"

namespace steward::app {

class SipChannel final : public campaign::Channel, public voice::SipLineListener {
 public:
  // `allowed_prefixes`: when not empty, only numbers starting with one of them are dialled.
  // Demo numbers (demo::IsDemoPhone) are dialled only to a loopback peer, always.
  // `asr`: when set, what residents say is cut into utterances (the line's VAD), transcribed on
  // threads of the channel's own and reported as kSpeech; it outlives the channel.
  SipChannel(campaign::Timers& timers, voice::PromptCache& prompts, voice::SipLineOptions options,
             std::vector<std::string> allowed_prefixes = {}, voice::Asr* asr = nullptr);
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
  bool HasSpeech() const override { return asr_ != nullptr; }
  void Prepare(const std::vector<std::string>& texts) override;
  std::string NotReady() override;

  // voice::SipLineListener
  void OnRinging(const std::string& call_id) override;
  void OnEarlyMedia(const std::string& call_id) override;
  void OnAnswered(const std::string& call_id) override;
  void OnKey(const std::string& call_id, char key) override;
  void OnPromptFinished(const std::string& call_id) override;
  void OnHungUp(const std::string& call_id, voice::HungUpBy by,
                const std::string& recording) override;
  void OnFailed(const std::string& call_id, voice::SipCallEnd end) override;
  void OnSpeech(const std::string& call_id, voice::Audio utterance) override;

 private:
  void Post(const std::string& call_id, campaign::ChannelEvent event, bool last);
  // Why `phone` may not be dialled or transferred to (voice::RefuseDial), or empty.
  std::string Refusal(const std::string& phone) const;
  // The audio of the prompt asked for so far is no longer wanted.
  void NextTurn(int64_t call_id);
  // An ASR thread: utterances in, kSpeech events out.
  void Transcribe();

  struct Shared {
    std::mutex mutex;
    bool stopped = false;
    std::unordered_map<int64_t, uint64_t> turns;  // call -> its latest Play, StopPrompt or Hangup
  };

  campaign::Timers& timers_;
  voice::PromptCache& prompts_;
  std::string trunk_uri_;
  std::vector<std::string> allowed_prefixes_;
  voice::SipLine line_;
  std::mutex mutex_;
  std::unordered_map<int64_t, campaign::CallSink*> sinks_;  // guarded by mutex_
  // Prepare's texts not rendered yet, each once however often it is asked for; guarded by mutex_.
  std::set<std::string, std::less<>> preparing_;
  std::chrono::steady_clock::time_point last_probe_{};  // the timers' thread only
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  voice::Asr* asr_;
  static constexpr int kAsrThreads = 4;  // transcriptions at once (each waits on the server)
  std::vector<std::thread> asr_threads_;
  std::condition_variable asr_wake_;
  bool asr_stopping_ = false;                                    // guarded by mutex_
  std::deque<std::pair<std::string, voice::Audio>> utterances_;  // guarded by mutex_
};

// The line's settings from the configuration ([voice]): address, caller ID, trunk, digest
// credentials, registrar; recordings in DATA_DIR/recordings.
voice::SipLineOptions SipLineOptionsFrom(const Config& config);

// The voice prompts are synthesised in: the HTTP TTS server of [speech] tts_url, else espeak-ng.
std::unique_ptr<voice::Tts> TtsFrom(const Config& config);

// The ASR server of [speech] asr_url, or nullptr (keypad answers only).
std::unique_ptr<voice::Asr> AsrFrom(const Config& config);

// The FailCause of an unanswered call (docs/channel.md's table).
campaign::FailCause FailCauseFor(voice::CallEnd end);

}  // namespace steward::app
