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

std::unique_ptr<voice::Tts> TtsFrom(const Config& config) {
  if (config.tts_url.empty()) return std::make_unique<voice::EspeakTts>();
  return std::make_unique<voice::HttpTts>(
      voice::HttpSpeechOptions{.url = config.tts_url,
                               .model = config.tts_model,
                               .voice = config.tts_voice,
                               .api_key = config.speech_api_key});
}

std::unique_ptr<voice::Asr> AsrFrom(const Config& config) {
  if (config.asr_url.empty()) return nullptr;
  return std::make_unique<voice::HttpAsr>(voice::HttpSpeechOptions{
      .url = config.asr_url, .model = config.asr_model, .api_key = config.speech_api_key});
}

namespace {

voice::SipLineOptions WithSpeech(voice::SipLineOptions options, bool speech) {
  options.detect_speech = speech;
  return options;
}

}  // namespace

SipChannel::SipChannel(campaign::Timers& timers, voice::PromptCache& prompts,
                       voice::SipLineOptions options, std::vector<std::string> allowed_prefixes,
                       voice::Asr* asr)
    : timers_(timers),
      prompts_(prompts),
      trunk_uri_(options.trunk_uri),
      allowed_prefixes_(std::move(allowed_prefixes)),
      line_(WithSpeech(std::move(options), asr != nullptr), *this),
      asr_(asr) {}

SipChannel::~SipChannel() { Stop(); }

Status SipChannel::Start() {
  STEWARD_TRY(line_.Start());
  for (int i = 0; asr_ && asr_threads_.empty() && i < kAsrThreads; ++i) {
    asr_threads_.emplace_back([this] { Transcribe(); });
  }
  return Ok();
}

void SipChannel::Stop() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;  // a prompt synthesised from now on is not played
  }
  line_.Stop();
  {
    std::lock_guard lock(mutex_);
    asr_stopping_ = true;
  }
  asr_wake_.notify_all();
  for (auto& thread : asr_threads_) thread.join();
  asr_threads_.clear();
}

void SipChannel::OnSpeech(const std::string& call_id, voice::Audio utterance) {
  {
    std::lock_guard lock(mutex_);
    if (asr_stopping_) return;
    utterances_.emplace_back(call_id, std::move(utterance));
  }
  asr_wake_.notify_one();
}

void SipChannel::Transcribe() {
  std::unique_lock lock(mutex_);
  while (true) {
    asr_wake_.wait(lock, [this] { return asr_stopping_ || !utterances_.empty(); });
    if (asr_stopping_) return;
    auto [call_id, utterance] = std::move(utterances_.front());
    utterances_.pop_front();
    lock.unlock();
    auto text = asr_->Transcribe(utterance);
    if (!text) {
      // The keypad still works; what was said is never logged.
      spdlog::warn("campaigns: a spoken answer was not transcribed: {}", text.error().ToString());
    } else if (!text->empty()) {
      Post(call_id, {.kind = campaign::ChannelEventKind::kSpeech, .transcript = *text}, false);
    }
    lock.lock();
  }
}

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
  {
    std::lock_guard lock(shared_->mutex);
    shared_->turns[request.call_id] = 0;
  }
  line_.Dial(std::to_string(request.call_id), request.phone, request.ring_timeout_ms);
  return Ok();
}

std::string SipChannel::Refusal(const std::string& phone) const {
  return voice::RefuseDial(phone, demo::IsDemoPhone(phone), voice::DialUri(phone, trunk_uri_),
                           allowed_prefixes_);
}

void SipChannel::Prepare(const std::vector<std::string>& texts) {
  prompts_.Warm(texts);
  std::lock_guard lock(mutex_);
  preparing_.insert(texts.begin(), texts.end());
}

std::string SipChannel::NotReady() {
  if (prompts_.failing()) {
    // Probe the voice every few seconds: its next success lets the calls go.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_probe_ >= std::chrono::seconds(5)) {
      last_probe_ = now;
      prompts_.RetryFailed();
    }
    return "语音合成失败，暂不拨号 / the speech synthesis is failing: no calls until it speaks";
  }
  std::lock_guard lock(mutex_);
  std::erase_if(preparing_, [this](const std::string& text) { return prompts_.Settled(text); });
  return preparing_.empty() ? "" : "正在准备提示音 / the prompts are being rendered";
}

void SipChannel::Play(int64_t call_id, const campaign::Prompt& prompt) {
  uint64_t turn = 0;
  {
    std::lock_guard lock(shared_->mutex);
    turn = ++shared_->turns[call_id];
  }
  // The prompt cache answers at once when every piece is cached, else from its worker once they
  // are synthesised: the timers' thread never waits for the TTS. What the call did meanwhile
  // (a key stopped the prompt, another prompt replaced it, it ended) makes this audio stale.
  auto deliver = [this, shared = shared_, call_id, turn,
                  node = prompt.node_id](Result<voice::PromptCache::Samples> audio_or) {
    std::lock_guard lock(shared->mutex);
    if (shared->stopped) return;
    const auto current = shared->turns.find(call_id);
    if (current == shared->turns.end() || current->second != turn) return;
    if (!audio_or) {
      // Without a voice the call cannot go on: end it rather than leave the resident in silence.
      spdlog::error("campaigns: no audio for a prompt of node {}: {}", node,
                    audio_or.error().ToString());
      line_.Hangup(std::to_string(call_id));
      return;
    }
    line_.Play(std::to_string(call_id), *audio_or, /*replace=*/true);
  };
  // A node's own recording first; then its text, spliced from the cache (where a recorded
  // prompt says a piece, the cache takes it).
  if (!prompt.recording.empty()) {
    if (auto recorded = prompts_.Recording(prompt.recording)) return deliver(*recorded);
  }
  if (prompt.text.empty()) {
    return deliver(Fail(ErrorCode::kNotFound, "the recorded prompt " + prompt.recording +
                                                  " is missing and the node has no text"));
  }
  prompts_.Fetch(prompt.pieces.empty() ? std::vector<std::string>{prompt.text} : prompt.pieces,
                 std::move(deliver));
}

void SipChannel::StopPrompt(int64_t call_id) {
  NextTurn(call_id);
  line_.StopPrompt(std::to_string(call_id));
}

void SipChannel::Hangup(int64_t call_id) {
  NextTurn(call_id);
  line_.Hangup(std::to_string(call_id));
}

void SipChannel::NextTurn(int64_t call_id) {
  std::lock_guard lock(shared_->mutex);
  if (auto found = shared_->turns.find(call_id); found != shared_->turns.end()) ++found->second;
}

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
  if (last) {
    std::lock_guard lock(shared_->mutex);
    shared_->turns.erase(event.call_id);
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
