// The phone line: outbound SIP calls (RFC 3261, over UDP, or TCP when the URI says
// ;transport=tcp) with G.711 audio in 20 ms RTP frames, keys by RFC 4733 and SIP INFO, blind
// transfer by REFER, digest authentication and REGISTER, and a stereo recording of each call.
// Built on libre, whose event loop runs on a thread of this object's own; nothing outside voice/
// sees libre types. libre keeps its loop's state per process: one line runs at a time (a second
// Start fails until the first is stopped).
//
// Threading: Dial, Play, StopPrompt and Hangup may be called from any thread; they are queued to
// the line's thread (libre's message queue) and never call the listener re-entrantly. The
// listener is called on the line's thread, in the order of docs/channel.md: ringing, early
// media, answered, keys, prompt finished, and exactly one hung-up or failed per dialled call,
// after which the call id is forgotten. The listener must not block.
//
// Ownership: the caller owns the listener, which must outlive Stop(). Phones and keys are never
// logged here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "voice/audio.hpp"
#include "voice/sip_status.hpp"
#include "voice/vad.hpp"

namespace steward::voice {

struct SipLineOptions {
  std::string local_address = "127.0.0.1";  // where SIP and RTP sockets are bound
  uint16_t sip_port = 0;                    // 0: a free port (see SipLine::sip_port())
  std::string from_user = "steward";        // the caller ID's user part
  std::string display_name = "Steward";
  // Where calls go: "sip:{number}@host:port" with {number} replaced by the dialled digits, or
  // a SIP URI given whole in Dial.
  std::string trunk_uri;
  Codec preferred_codec = Codec::kPcma;  // Chinese trunks usually want PCMA
  std::string recording_dir;             // empty: no recordings
  // Digest credentials (RFC 8760/2617) for a trunk or registrar that challenges with 401/407:
  // answered for INVITE, REFER and REGISTER. Empty user: challenges are not answered.
  std::string auth_user;
  std::string auth_password;
  // When set ("sip:HOST:PORT"), the line registers there as sip:<from_user>@HOST, renews before
  // `register_expires` seconds pass, and unregisters at Stop.
  std::string registrar;
  int register_expires = 600;
  // Cut what the resident says on an answered call into utterances (EnergyVad) for
  // SipLineListener::OnSpeech: when an ASR server is configured.
  bool detect_speech = false;
  VadOptions vad;
};

struct SipCallEnd {
  CallEnd end = CallEnd::kNetwork;
  int status = 0;  // the SIP final response, 0 for none (timeout, transport error)
};

// kTransferred: our leg left (BYE) after the far end reported the transfer's target answered.
enum class HungUpBy { kRemote, kLocal, kTransferred };

class SipLineListener {
 public:
  virtual ~SipLineListener() = default;
  virtual void OnRinging(const std::string& call_id) = 0;
  virtual void OnEarlyMedia(const std::string& call_id) = 0;
  virtual void OnAnswered(const std::string& call_id) = 0;
  virtual void OnKey(const std::string& call_id, char key) = 0;
  virtual void OnPromptFinished(const std::string& call_id) = 0;
  // The call was answered and has ended; `recording` is the WAV path (empty without one).
  virtual void OnHungUp(const std::string& call_id, HungUpBy by, const std::string& recording) = 0;
  virtual void OnFailed(const std::string& call_id, SipCallEnd end) = 0;
  // An utterance of the resident (detect_speech only), at kTelephoneRate, on the line's thread.
  virtual void OnSpeech(const std::string& /*call_id*/, Audio /*utterance*/) {}
};

class SipLine {
 public:
  SipLine(SipLineOptions options, SipLineListener& listener);
  ~SipLine();  // Stop()
  SipLine(const SipLine&) = delete;
  SipLine& operator=(const SipLine&) = delete;

  // Binds the SIP socket and starts the line's thread. kUnavailable when libre cannot start or
  // the address cannot be bound.
  Status Start();
  // Ends every call (BYE or CANCEL, reported as hung up locally or failed) and joins the thread.
  void Stop();

  // The SIP port bound (after Start).
  uint16_t sip_port() const;
  // Whether the registrar's last answer to our REGISTER was 2xx (false without a registrar).
  bool registered() const;

  // Places a call to `number` through the trunk (or to `number` itself when it starts with
  // "sip:"). A ring timeout sends CANCEL and ends the call as no answer.
  void Dial(const std::string& call_id, const std::string& number, int ring_timeout_ms);
  // Plays 8 kHz mono audio to the far end after what is playing (replacing it when `replace`).
  void Play(const std::string& call_id, std::shared_ptr<const std::vector<int16_t>> audio,
            bool replace);
  void StopPrompt(const std::string& call_id);
  void Hangup(const std::string& call_id);
  // A blind transfer of an answered call to `number` (a SIP URI, or a number through the trunk)
  // by REFER; OnHungUp follows: kTransferred when the far end reports the target answered, else
  // kLocal (refused, failed, or no word within eight seconds). An unanswered call is cancelled.
  void Transfer(const std::string& call_id, const std::string& number);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::voice
