#include "voice/sip_line.hpp"

#include <re.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "base/log.hpp"
#include "voice/dial_guard.hpp"
#include "voice/internal/sip_wire.hpp"
#include "voice/recordings.hpp"
#include "voice/rtp.hpp"

namespace steward::voice {
namespace {

constexpr int kQuit = 0;
constexpr int kDial = 1;
constexpr int kPlay = 2;
constexpr int kStopPrompt = 3;
constexpr int kHangup = 4;
constexpr int kTransfer = 5;
constexpr int kTransferWaitMs = 8000;  // for the far end's word on a transfer; then we leave anyway

struct Command {
  std::string call_id;
  std::string number;
  int ring_timeout_ms = 0;
  std::shared_ptr<const std::vector<int16_t>> audio;
  bool replace = false;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string PlString(const pl& text) { return std::string(text.p ? text.p : "", text.l); }

}  // namespace

struct Call {
  SipLine::Impl* line = nullptr;
  std::string id;
  sipsess* session = nullptr;
  sdp_session* sdp = nullptr;
  sdp_media* media = nullptr;
  udp_sock* rtp = nullptr;
  sa remote_rtp{};
  bool have_remote = false;
  tmr ring_timer{};
  sipsub* refer = nullptr;  // a transfer asked for (REFER) and its NOTIFYs
  tmr transfer_timer{};
  bool transferred = false;  // the far end reported the transfer target answered
  bool established = false;
  bool early_media = false;
  bool ended = false;
  Codec codec = Codec::kPcma;
  int event_payload_type = internal::kOfferedEventPayloadType;
  std::unique_ptr<RtpSender> sender;
  std::deque<std::shared_ptr<const std::vector<int16_t>>> prompts;
  size_t offset = 0;  // into prompts.front()
  bool talkspurt = true;
  DtmfReceiver dtmf;
  std::vector<int16_t> sent;     // what Steward said, from the answer (or early media) on
  std::vector<int16_t> heard;    // what the far end sent
  std::optional<EnergyVad> vad;  // detect_speech: the resident's utterances
  int64_t last_audio_ms = 0;     // when the far end's last audio packet came
};

struct SipLine::Impl {
  SipLineOptions options;
  SipLineListener& listener;
  std::thread thread;
  mqueue* queue = nullptr;  // set on the line's thread before Start returns
  sip* stack = nullptr;
  sipsess_sock* sessions = nullptr;
  sipevent_sock* events = nullptr;  // the NOTIFYs of our transfers
  sipreg* registration = nullptr;
  std::atomic<bool> registered{false};
  dnsc* dns = nullptr;
  tmr tick{};
  tmr shutdown_timer{};
  uint16_t port = 0;
  sa local{};
  std::unordered_map<std::string, std::unique_ptr<Call>> calls;
  std::vector<std::unique_ptr<Call>> ended;  // freed at the next tick, outside libre's handlers
  int64_t clock_start = 0;
  int64_t frames_done = 0;
  std::mt19937 random{std::random_device{}()};

  Impl(SipLineOptions o, SipLineListener& l) : options(std::move(o)), listener(l) {}

  // --- the line's thread ---------------------------------------------------------------------
  void Run(std::promise<Status>& started) {
    if (libre_init() != 0) {
      started.set_value(Fail(ErrorCode::kUnavailable, "libre cannot start"));
      return;
    }
    // A thousand calls, each with an RTP socket and a recording: raise the process's open-file
    // limit to its hard limit (at most 65,536) and libre's descriptor table with it.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
      const rlim_t wanted = std::min<rlim_t>(files.rlim_max, 65536);
      if (files.rlim_cur < wanted) {
        files.rlim_cur = wanted;
        setrlimit(RLIMIT_NOFILE, &files);
      }
      getrlimit(RLIMIT_NOFILE, &files);
      fd_setsize(static_cast<int>(std::min<rlim_t>(files.rlim_cur, 65536)));
    }
    const Status opened = Open();
    started.set_value(opened);
    if (opened) {
      clock_start = NowMs();
      tmr_start(&tick, kFrameMs, &Impl::OnTick, this);
      re_main(nullptr);
    }
    Close();
    libre_close();
  }

  Status Open() {
    if (sa_set_str(&local, options.local_address.c_str(), options.sip_port) != 0) {
      return Fail(ErrorCode::kInvalidArgument, "not an IP address: " + options.local_address);
    }
    // A DNS client only when a name must be looked up: libre's binds a socket on every
    // interface, and a trunk and registrar given as addresses need none.
    const bool names =
        (!options.trunk_uri.empty() && !internal::UriHostIsAddress(options.trunk_uri)) ||
        (!options.registrar.empty() && !internal::UriHostIsAddress(options.registrar));
    if (names) {
      dnsc_conf dns_conf{16, 1, 2000, 30000};
      sa servers[4];
      uint32_t server_count = 4;
      char domain[64] = "";
      if (dns_srv_get(domain, sizeof domain, servers, &server_count) != 0) server_count = 0;
      if (dnsc_alloc(&dns, &dns_conf, servers, server_count) != 0) {
        return Fail(ErrorCode::kUnavailable, "libre: no DNS client");
      }
    }
    // UDP, and TCP on the same port for trunks whose URI says ;transport=tcp. With sip_port 0
    // the kernel picks the UDP port, and another socket may hold that number for TCP: then the
    // line tries again with another (a few times), as a fixed port gets no second try.
    for (int attempt = 1;; ++attempt) {
      // When sip_close finds no transaction left, the loop can stop.
      if (sip_alloc(
              &stack, dns, 64, 64, 64, "Steward", [](void*) { re_cancel(); }, nullptr) != 0 ||
          sip_transp_add(stack, SIP_TRANSP_UDP, &local) != 0) {
        return Fail(ErrorCode::kUnavailable, "cannot bind SIP on " + options.local_address + ":" +
                                                 std::to_string(options.sip_port));
      }
      sa bound{};
      sip_transp_laddr(stack, &bound, SIP_TRANSP_UDP, nullptr);
      port = sa_port(&bound);
      if (sip_transp_add(stack, SIP_TRANSP_TCP, &bound) == 0) break;
      if (options.sip_port != 0 || attempt == 10) {
        return Fail(ErrorCode::kUnavailable, "cannot listen for SIP over TCP on " +
                                                 options.local_address + ":" +
                                                 std::to_string(port));
      }
      sip_close(stack, true);
      stack = static_cast<sip*>(mem_deref(stack));
    }
    if (sipsess_listen(&sessions, stack, 64, &Impl::OnIncoming, this) != 0 ||
        sipevent_listen(&events, stack, 32, 32, nullptr, nullptr) != 0 ||
        mqueue_alloc(&queue, &Impl::OnCommand, this) != 0) {
      return Fail(ErrorCode::kUnavailable, "libre: cannot listen for SIP sessions");
    }
    if (!options.registrar.empty()) {
      std::string host = options.registrar.substr(options.registrar.find(':') + 1);
      host = host.substr(0, host.find_first_of(":;>"));
      const std::string aor = "sip:" + options.from_user + "@" + host;
      if (sipreg_register(&registration, stack, options.registrar.c_str(), aor.c_str(),
                          options.display_name.c_str(), aor.c_str(),
                          static_cast<uint32_t>(std::max(60, options.register_expires)),
                          options.from_user.c_str(), nullptr, 0, 0, &Impl::OnAuth, this, false,
                          &Impl::OnRegistered, this, nullptr, nullptr) != 0) {
        return Fail(ErrorCode::kInvalidArgument, "cannot register at " + options.registrar);
      }
    }
    return Ok();
  }

  // Ends every call (their BYE and CANCEL go out), then lets libre finish its transactions for
  // up to half a second before the loop stops.
  void BeginShutdown() {
    std::vector<std::string> ids;
    for (const auto& [id, call] : calls) ids.push_back(id);
    for (const auto& id : ids) EndLocally(id);
    sessions = static_cast<sipsess_sock*>(mem_deref(sessions));
    events = static_cast<sipevent_sock*>(mem_deref(events));
    registration = static_cast<sipreg*>(mem_deref(registration));  // unregisters
    tmr_start(
        &shutdown_timer, 500, [](void*) { re_cancel(); }, nullptr);
    sip_close(stack, false);
  }

  void Close() {
    tmr_cancel(&tick);
    tmr_cancel(&shutdown_timer);
    std::vector<std::string> ids;
    for (const auto& [id, call] : calls) ids.push_back(id);
    for (const auto& id : ids) EndLocally(id);
    ended.clear();
    queue = static_cast<mqueue*>(mem_deref(queue));
    sessions = static_cast<sipsess_sock*>(mem_deref(sessions));
    events = static_cast<sipevent_sock*>(mem_deref(events));
    registration = static_cast<sipreg*>(mem_deref(registration));
    if (stack) sip_close(stack, true);
    stack = static_cast<sip*>(mem_deref(stack));
    dns = static_cast<dnsc*>(mem_deref(dns));
  }

  // A 401/407 challenge: our digest credentials, when configured.
  static int OnAuth(char** user, char** password, const char*, void* arg) {
    const auto* self = static_cast<const Impl*>(arg);
    if (self->options.auth_user.empty()) return EACCES;
    if (str_dup(user, self->options.auth_user.c_str()) != 0 ||
        str_dup(password, self->options.auth_password.c_str()) != 0) {
      return ENOMEM;
    }
    return 0;
  }

  static void OnRegistered(int error, const sip_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const bool now = error == 0 && msg && msg->scode >= 200 && msg->scode < 300;
    if (now != self->registered.exchange(now)) {
      if (now) {
        spdlog::info("voice: registered at {}", self->options.registrar);
      } else {
        spdlog::warn("voice: not registered at {} (SIP {})", self->options.registrar,
                     msg ? msg->scode : 0);
      }
    }
  }

  static void OnIncoming(const sip_msg* msg, void* arg) {
    // Residents do not call Steward: refuse incoming calls.
    sip_treply(nullptr, static_cast<Impl*>(arg)->stack, msg, 603, "Decline");
  }

  static void OnCommand(int id, void* data, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    std::unique_ptr<Command> command(static_cast<Command*>(data));
    switch (id) {
      case kQuit:
        self->BeginShutdown();
        break;
      case kDial:
        self->Dial(*command);
        break;
      case kPlay:
        self->Play(*command);
        break;
      case kStopPrompt:
        self->StopPrompt(command->call_id);
        break;
      case kHangup:
        self->EndLocally(command->call_id);
        break;
      case kTransfer:
        self->Transfer(*command);
        break;
      default:
        break;
    }
  }

  Call* Find(const std::string& id) {
    const auto found = calls.find(id);
    return found == calls.end() || found->second->ended ? nullptr : found->second.get();
  }

  void Dial(const Command& command) {
    if (calls.count(command.call_id) != 0) return;
    auto owned = std::make_unique<Call>();
    Call* call = owned.get();
    call->line = this;
    call->id = command.call_id;
    call->codec = options.preferred_codec;
    if (options.detect_speech) call->vad.emplace(options.vad);
    tmr_init(&call->ring_timer);
    tmr_init(&call->transfer_timer);
    calls.emplace(call->id, std::move(owned));
    const std::string uri = DialUri(command.number, options.trunk_uri);
    if (!dns && !internal::UriHostIsAddress(uri)) {
      spdlog::warn(
          "voice: a URI naming a host was dialled, but the line has no DNS client (its "
          "trunk is an address); the call fails");
      EndUnanswered(*call, {CallEnd::kNetwork, 0});
      return;
    }
    if (Status offered = Offer(*call, uri); !offered) {
      EndUnanswered(*call, {CallEnd::kNetwork, 0});
      return;
    }
    tmr_start(&call->ring_timer, static_cast<uint64_t>(command.ring_timeout_ms),
              &Impl::OnRingTimeout, call);
  }

  Status Offer(Call& call, const std::string& uri) {
    sa rtp_address = local;
    sa_set_port(&rtp_address, 0);
    if (udp_listen(&call.rtp, &rtp_address, &Impl::OnRtp, &call) != 0) {
      return Fail(ErrorCode::kUnavailable, "no RTP port");
    }
    sa bound{};
    udp_local_get(call.rtp, &bound);
    if (internal::MakeOffer(&call.sdp, &call.media, local, sa_port(&bound),
                            options.preferred_codec) != 0) {
      return Fail(ErrorCode::kInternal, "sdp");
    }
    mbuf* description = nullptr;
    if (sdp_encode(&description, call.sdp, true) != 0) return Fail(ErrorCode::kInternal, "sdp");
    char host[64];
    sa_ntop(&local, host, sizeof host);
    const std::string from = "sip:" + options.from_user + "@" + host + ":" + std::to_string(port);
    const int error = sipsess_connect(
        &call.session, sessions, uri.c_str(), options.display_name.c_str(), from.c_str(),
        options.from_user.c_str(), nullptr, 0, "application/sdp", description, &Impl::OnAuth, this,
        false, &Impl::OnOffer, &Impl::OnAnswer, &Impl::OnProgress, &Impl::OnEstablished,
        &Impl::OnInfo, nullptr, &Impl::OnClose, &call, "%s", "");
    mem_deref(description);
    if (error != 0) return Fail(ErrorCode::kUnavailable, "INVITE not sent");
    return Ok();
  }

  // The far end's SDP: its RTP address and the first common codec.
  static void TakeAnswer(Call& call, const sip_msg& msg) {
    if (!msg.mb || mbuf_get_left(msg.mb) == 0) return;
    if (sdp_decode(call.sdp, msg.mb, false) != 0) return;
    const auto negotiated = internal::Negotiate(call.media);
    if (!negotiated) return;
    call.codec = negotiated->codec;
    call.event_payload_type = negotiated->event_payload_type;
    call.remote_rtp = *sdp_media_raddr(call.media);
    if (!call.have_remote) {
      std::uniform_int_distribution<uint32_t> any;
      call.sender = std::make_unique<RtpSender>(
          call.codec == Codec::kPcmu ? kPayloadPcmu : kPayloadPcma, any(call.line->random),
          static_cast<uint16_t>(any(call.line->random)), any(call.line->random));
    }
    call.have_remote = true;
  }

  static int OnOffer(mbuf** description, const sip_msg* msg, void* arg) {
    // A re-INVITE: answer from the same session.
    auto* call = static_cast<Call*>(arg);
    if (sdp_decode(call->sdp, msg->mb, true) != 0) return EPROTO;
    return sdp_encode(description, call->sdp, false);
  }

  static int OnAnswer(const sip_msg* msg, void* arg) {
    TakeAnswer(*static_cast<Call*>(arg), *msg);
    return 0;
  }

  static void OnProgress(const sip_msg* msg, void* arg) {
    auto* call = static_cast<Call*>(arg);
    if (call->ended) return;
    if (msg->scode == 180) {
      call->line->listener.OnRinging(call->id);
    } else if (msg->scode == 183 && msg->mb && mbuf_get_left(msg->mb) > 0) {
      TakeAnswer(*call, *msg);
      if (call->have_remote && !call->early_media) {
        call->early_media = true;
        call->line->listener.OnEarlyMedia(call->id);
      }
    }
  }

  static void OnEstablished(const sip_msg*, void* arg) {
    auto* call = static_cast<Call*>(arg);
    if (call->ended) return;
    tmr_cancel(&call->ring_timer);
    if (!call->have_remote) {
      // Answered without an SDP answer we can use (no address, no common codec, garbage): we
      // could not talk, so leave at once (dropping the session sends BYE) as a network failure.
      call->line->EndUnanswered(*call, {CallEnd::kNetwork, 200});
      return;
    }
    call->established = true;
    if (!call->early_media) {  // the recording starts at the answer, or with the early media
      call->sent.clear();
      call->heard.clear();
    }
    call->line->listener.OnAnswered(call->id);
  }

  static void OnInfo(struct sip* stack, const sip_msg* msg, void* arg) {
    auto* call = static_cast<Call*>(arg);
    const std::string type = PlString(msg->ctyp.type) + "/" + PlString(msg->ctyp.subtype);
    const std::string_view body =
        msg->mb ? std::string_view(reinterpret_cast<const char*>(mbuf_buf(msg->mb)),
                                   mbuf_get_left(msg->mb))
                : std::string_view();
    const auto key = ParseDtmfInfo(type, body);
    sip_reply(stack, msg, key ? 200 : 415, key ? "OK" : "Unsupported Media Type");
    if (key && call->established && !call->ended) call->line->listener.OnKey(call->id, *key);
  }

  static void OnClose(int error, const sip_msg* msg, void* arg) {
    auto* call = static_cast<Call*>(arg);
    if (call->ended) return;
    call->session = nullptr;  // libre frees it after this handler
    if (call->established) {
      call->line->Finish(*call, HungUpBy::kRemote);
    } else {
      const int status = error == 0 || (msg && !msg->req) ? (msg ? msg->scode : 0) : 0;
      call->line->EndUnanswered(
          *call, {status >= 300 ? CallEndForStatus(status) : CallEnd::kNetwork, status});
    }
  }

  static void OnRingTimeout(void* arg) {
    auto* call = static_cast<Call*>(arg);
    call->line->EndUnanswered(*call, {CallEnd::kNoAnswer, 0});  // dropping the session sends CANCEL
  }

  static void OnRtp(const sa*, mbuf* buffer, void* arg) {
    auto* call = static_cast<Call*>(arg);
    if (call->ended) return;
    const std::string_view datagram(reinterpret_cast<const char*>(mbuf_buf(buffer)),
                                    mbuf_get_left(buffer));
    const auto packet = ParseRtp(datagram);
    if (!packet) return;
    if (packet->header.payload_type == call->event_payload_type) {
      const auto event = ParseTelephoneEvent(packet->payload);
      if (!event) return;
      const char key = call->dtmf.OnPacket(packet->header, *event);
      if (key && call->established) call->line->listener.OnKey(call->id, key);
    } else if (packet->header.payload_type == kPayloadPcma ||
               packet->header.payload_type == kPayloadPcmu) {
      if (!call->established && !call->early_media) return;
      const auto samples =
          Decode(packet->payload,
                 packet->header.payload_type == kPayloadPcmu ? Codec::kPcmu : Codec::kPcma);
      call->heard.insert(call->heard.end(), samples.begin(), samples.end());
      call->last_audio_ms = NowMs();
      if (call->vad && call->established) {
        if (auto utterance = call->vad->Feed(samples)) {
          call->line->listener.OnSpeech(call->id, std::move(*utterance));
        }
      }
    }
  }

  // Every 20 ms of the line's clock, one frame to every call with media; missed ticks catch up
  // (at most five frames, then the clock skips).
  static void OnTick(void* arg) {
    auto* self = static_cast<Impl*>(arg);
    self->ended.clear();
    const int64_t due = (NowMs() - self->clock_start) / kFrameMs;
    if (due - self->frames_done > 5) self->frames_done = due - 5;
    self->FlushSpeech();
    for (; self->frames_done < due; ++self->frames_done) {
      for (auto& [id, call] : self->calls) {
        if (!call->ended && call->have_remote && (call->established || call->early_media)) {
          self->SendFrame(*call);
        }
      }
    }
    tmr_start(&self->tick, kFrameMs, &Impl::OnTick, self);
  }

  // An utterance whose far end stopped sending audio (its own VAD) ends when the trailing silence
  // would have.
  void FlushSpeech() {
    const int64_t now = NowMs();
    for (auto& [id, call] : calls) {
      if (call->ended || !call->vad || !call->vad->in_speech()) continue;
      if (now - call->last_audio_ms < options.vad.trailing_silence_ms) continue;
      if (auto utterance = call->vad->Flush()) listener.OnSpeech(call->id, std::move(*utterance));
    }
  }

  void SendFrame(Call& call) {
    std::vector<int16_t> frame(kSamplesPerFrame, 0);
    bool finished = false;
    bool start = false;
    if (!call.prompts.empty()) {
      const auto& prompt = *call.prompts.front();
      start = call.talkspurt;
      call.talkspurt = false;
      const size_t take = std::min<size_t>(kSamplesPerFrame, prompt.size() - call.offset);
      std::copy_n(prompt.begin() + static_cast<std::ptrdiff_t>(call.offset), take, frame.begin());
      call.offset += take;
      if (call.offset >= prompt.size()) {
        call.prompts.pop_front();
        call.offset = 0;
        call.talkspurt = true;
        finished = call.prompts.empty();
      }
    }
    mbuf* buffer = mbuf_alloc(12 + kSamplesPerFrame);
    const std::string packet = call.sender->Next(Encode(frame, call.codec), start);
    mbuf_write_mem(buffer, reinterpret_cast<const uint8_t*>(packet.data()), packet.size());
    mbuf_set_pos(buffer, 0);
    udp_send(call.rtp, &call.remote_rtp, buffer);
    mem_deref(buffer);
    call.sent.insert(call.sent.end(), frame.begin(), frame.end());
    if (finished && call.established) listener.OnPromptFinished(call.id);
  }

  void Play(const Command& command) {
    Call* call = Find(command.call_id);
    if (!call || !command.audio) return;
    if (command.replace) {
      call->prompts.clear();
      call->offset = 0;
    }
    call->prompts.push_back(command.audio);
    if (call->prompts.size() == 1) call->talkspurt = true;
  }

  void StopPrompt(const std::string& id) {
    if (Call* call = Find(id)) {
      call->prompts.clear();
      call->offset = 0;
      call->talkspurt = true;
    }
  }

  // A blind transfer: REFER in the call's dialog, then our leg leaves (BYE) once the far end's
  // NOTIFY says how the target answered, the REFER is refused, or kTransferWaitMs pass.
  void Transfer(const Command& command) {
    Call* call = Find(command.call_id);
    if (!call || call->refer) return;
    if (!call->established) {
      EndLocally(command.call_id);
      return;
    }
    const std::string target = DialUri(command.number, options.trunk_uri);
    if (sipevent_drefer(&call->refer, events, sipsess_dialog(call->session),
                        options.from_user.c_str(), &Impl::OnAuth, this, false, &Impl::OnReferNotify,
                        &Impl::OnReferClose, call, "Refer-To: <%s>\r\n", target.c_str()) != 0) {
      Finish(*call, HungUpBy::kLocal);
      return;
    }
    tmr_start(&call->transfer_timer, kTransferWaitMs, &Impl::OnTransferDone, call);
  }

  // A NOTIFY of the transfer: its message/sipfrag body is the target's status line.
  static void OnReferNotify(struct sip* stack, const sip_msg* msg, void* arg) {
    auto* call = static_cast<Call*>(arg);
    const std::string_view body =
        msg->mb ? std::string_view(reinterpret_cast<const char*>(mbuf_buf(msg->mb)),
                                   mbuf_get_left(msg->mb))
                : std::string_view();
    const int status = internal::SipfragStatus(body);
    if (status == 0) {
      sip_reply(stack, msg, 400, "Bad sipfrag");
      return;
    }
    sip_reply(stack, msg, 200, "OK");
    if (status < 200 || call->ended) return;  // 100 Trying, 180 Ringing: the transfer goes on
    call->transferred = status < 300;
    tmr_start(&call->transfer_timer, 0, &Impl::OnTransferDone, call);  // outside libre's handler
  }

  static void OnReferClose(int, const sip_msg*, const sipevent_substate*, void* arg) {
    auto* call = static_cast<Call*>(arg);
    call->refer = static_cast<sipsub*>(mem_deref(call->refer));
    if (!call->ended) tmr_start(&call->transfer_timer, 0, &Impl::OnTransferDone, call);
  }

  static void OnTransferDone(void* arg) {
    auto* call = static_cast<Call*>(arg);
    if (call->ended) return;
    call->line->Finish(*call, call->transferred ? HungUpBy::kTransferred : HungUpBy::kLocal);
  }

  void EndLocally(const std::string& id) {
    Call* call = Find(id);
    if (!call) return;
    if (call->established) {
      Finish(*call, HungUpBy::kLocal);  // dropping the session sends BYE
    } else {
      EndUnanswered(*call, {CallEnd::kNoAnswer, 0});  // CANCEL
    }
  }

  std::string WriteRecording(const Call& call) {
    if (options.recording_dir.empty()) return "";
    auto saved = SaveRecording(options.recording_dir, call.id,
                               WavBytes(Interleave(call.sent, call.heard, kTelephoneRate)));
    if (!saved) {
      spdlog::error("voice: call {} not recorded: {}", call.id, saved.error().ToString());
      return "";
    }
    return saved->string();
  }

  void Release(Call& call) {
    call.ended = true;
    tmr_cancel(&call.ring_timer);
    tmr_cancel(&call.transfer_timer);
    call.refer = static_cast<sipsub*>(mem_deref(call.refer));
    call.session = static_cast<sipsess*>(mem_deref(call.session));
    call.rtp = static_cast<udp_sock*>(mem_deref(call.rtp));
    call.sdp = static_cast<sdp_session*>(mem_deref(call.sdp));
    auto found = calls.find(call.id);
    if (found != calls.end()) {
      ended.push_back(std::move(found->second));
      calls.erase(found);
    }
  }

  void Finish(Call& call, HungUpBy by) {
    const std::string id = call.id;
    const std::string recording = WriteRecording(call);
    Release(call);
    listener.OnHungUp(id, by, recording);
  }

  void EndUnanswered(Call& call, SipCallEnd end) {
    const std::string id = call.id;
    Release(call);
    listener.OnFailed(id, end);
  }

  void Push(int id, std::unique_ptr<Command> command) {
    if (queue && mqueue_push(queue, id, command.get()) == 0) command.release();
  }
};

SipLine::SipLine(SipLineOptions options, SipLineListener& listener)
    : impl_(std::make_unique<Impl>(std::move(options), listener)) {}

SipLine::~SipLine() { Stop(); }

namespace {
std::atomic<bool> line_running{false};  // libre's loop state is the process's: one line at a time
}  // namespace

Status SipLine::Start() {
  if (impl_->thread.joinable()) return Fail(ErrorCode::kFailedPrecondition, "the line is running");
  if (line_running.exchange(true)) {
    return Fail(ErrorCode::kFailedPrecondition,
                "another SIP line runs in this process (libre has one loop per process)");
  }
  std::promise<Status> started;
  auto result = started.get_future();
  impl_->thread = std::thread([this, &started] { impl_->Run(started); });
  Status status = result.get();
  if (!status) {
    impl_->thread.join();
    line_running = false;
  }
  return status;
}

void SipLine::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->Push(kQuit, std::make_unique<Command>());
  impl_->thread.join();
  line_running = false;
}

uint16_t SipLine::sip_port() const { return impl_->port; }

bool SipLine::registered() const { return impl_->registered; }

void SipLine::Dial(const std::string& call_id, const std::string& number, int ring_timeout_ms) {
  auto command = std::make_unique<Command>();
  command->call_id = call_id;
  command->number = number;
  command->ring_timeout_ms = ring_timeout_ms;
  impl_->Push(kDial, std::move(command));
}

void SipLine::Play(const std::string& call_id, std::shared_ptr<const std::vector<int16_t>> audio,
                   bool replace) {
  auto command = std::make_unique<Command>();
  command->call_id = call_id;
  command->audio = std::move(audio);
  command->replace = replace;
  impl_->Push(kPlay, std::move(command));
}

void SipLine::StopPrompt(const std::string& call_id) {
  auto command = std::make_unique<Command>();
  command->call_id = call_id;
  impl_->Push(kStopPrompt, std::move(command));
}

void SipLine::Hangup(const std::string& call_id) {
  auto command = std::make_unique<Command>();
  command->call_id = call_id;
  impl_->Push(kHangup, std::move(command));
}

void SipLine::Transfer(const std::string& call_id, const std::string& number) {
  auto command = std::make_unique<Command>();
  command->call_id = call_id;
  command->number = number;
  impl_->Push(kTransfer, std::move(command));
}

}  // namespace steward::voice
