// Channel: how the AI social worker reaches a phone. The contract the phone line (voice/, SIP)
// and the simulator both implement; docs/channel.md describes it for implementers.
//
// A campaign (or `steward script try`) asks a Channel to Dial a number for a call id and gives it a
// CallSink. From then on the channel reports what happens as ChannelEvents, in order, on the
// channel's own thread (the simulator's: the thread running its VirtualTimers); the sink must not
// block. Every dialled call ends with exactly one kHungUp or kFailed event, after which the channel
// forgets the call id. Commands (Play, StopPrompt, Hangup, Transfer) for a call that has ended are
// ignored. Phone numbers handed to a channel are plain text: a channel never logs them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace steward::campaign {

enum class ChannelEventKind {
  kRinging,         // 180: the far end rings
  kEarlyMedia,      // 183 with media: an operator's announcement may play before an answer
  kAnswered,        // 200: the call is up; the dialogue starts
  kDigit,           // a DTMF digit (RFC 4733 or SIP INFO): one of 0-9 * #
  kSpeech,          // a final ASR transcript (only where an ASR server is configured)
  kPromptFinished,  // the prompt started by the last Play finished playing (not sent after Stop)
  kHungUp,          // the call ended after it was answered
  kFailed,          // the call ended without an answer
};

enum class HangupBy { kRemote, kLocal };

// Why a call was not answered (kFailed). The SIP mapping is in docs/channel.md.
enum class FailCause {
  kNoAnswer,       // the ring timeout passed (or 408/480)
  kBusy,           // 486, 600
  kDeclined,       // 603
  kInvalidNumber,  // 404, 484, 604
  kNetwork,        // 5xx, transport errors, no response: retryable
};

struct ChannelEvent {
  ChannelEventKind kind = ChannelEventKind::kRinging;
  int64_t call_id = 0;
  int64_t at_ms = 0;                      // the channel's clock
  char digit = 0;                         // kDigit
  std::string transcript;                 // kSpeech: the recognised text
  HangupBy by = HangupBy::kRemote;        // kHungUp
  std::string recording;                  // kHungUp: the call's recording file, when recorded
  FailCause cause = FailCause::kNetwork;  // kFailed
};

// One keypad choice of a question, passed along with its prompt so a simulated far end can choose
// (the SIP channel ignores it).
struct KeyOption {
  char digit = 0;
  std::string value;
};

struct Prompt {
  std::string node_id;              // the script node it comes from (for recordings and logs)
  std::string text;                 // rendered text, variables filled in; spoken by TTS
  std::vector<std::string> pieces;  // `text` cut where variables meet fixed text (RenderPieces)
  std::string recording;            // a recorded prompt's name, preferred over TTS when set
  bool interruptible = true;  // false for the opening: digits and speech are ignored while it plays
  bool expects_input = false;   // an ask: the far end is expected to answer after it
  std::vector<KeyOption> keys;  // an ask's keypad map
  int max_digits = 0;           // an ask taking a string of keys (a phone number): its most keys
  char end_key = 0;             // … and the key that ends it early ('#'); 0 for a one-key ask
  char opt_out_key = 0;         // the key that opts out during this prompt (0: none)
};

class CallSink {
 public:
  virtual ~CallSink() = default;
  virtual void OnChannelEvent(const ChannelEvent& event) = 0;
};

struct DialRequest {
  int64_t call_id = 0;  // unique per attempt; the attempt is persisted before Dial is called
  std::string phone;    // plain digits; never logged
  int ring_timeout_ms = 30000;
};

class Channel {
 public:
  virtual ~Channel() = default;
  // Places the call. An error means the call was not placed and no event will follow.
  virtual Status Dial(const DialRequest& request, CallSink* sink) = 0;
  // Plays a prompt on an answered call, replacing any prompt still playing.
  virtual void Play(int64_t call_id, const Prompt& prompt) = 0;
  // Stops the prompt playing (barge-in); no kPromptFinished follows for it.
  virtual void StopPrompt(int64_t call_id) = 0;
  // Ends the call from our side; kHungUp with HangupBy::kLocal follows.
  virtual void Hangup(int64_t call_id) = 0;
  // Hands the answered call to a person's phone (blind transfer); kHungUp (kLocal) follows when
  // our leg leaves the call.
  virtual void Transfer(int64_t call_id, const std::string& phone) = 0;
  // Whether spoken answers arrive as kSpeech events (an ASR server is configured).
  virtual bool HasSpeech() const = 0;
  // Texts the channel will soon be asked to speak (a campaign's prompt pieces, PromptPieces): a
  // channel that synthesises speech renders them ahead. Returns at once.
  virtual void Prepare(const std::vector<std::string>& /*texts*/) {}
  // Why no call should be placed now, or empty: a channel with a TTS says so while its voice is
  // failing (nobody would hear a word) or the pieces given to Prepare are still being rendered.
  // The runner dials nothing while it says so, and asks again at its next tick.
  virtual std::string NotReady() { return {}; }
};

}  // namespace steward::campaign
