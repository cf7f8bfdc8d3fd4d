// RTP (RFC 3550) as the phone line speaks it: 20 ms G.711 frames with their timestamps and
// marker bits, and keypad answers as RFC 4733 telephone-events or SIP INFO bodies.
//
// Parsers take untrusted bytes from the network and never read past them (fuzzed:
// tests/fuzz/rtp_fuzz.cpp). Thread-safety: RtpSender and DtmfReceiver belong to one call and are
// used from the voice thread only; the functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace steward::voice {

inline constexpr int kFrameMs = 20;
inline constexpr int kSamplesPerFrame = 160;  // 20 ms at 8 kHz
inline constexpr uint8_t kPayloadPcmu = 0;
inline constexpr uint8_t kPayloadPcma = 8;

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

struct RtpPacket {
  RtpHeader header;
  std::string_view payload;  // inside the datagram parsed; padding removed
};

// A version-2 RTP packet (CSRCs, a header extension and padding skipped), or nullopt for
// anything else (short, another version, padding or extension longer than the packet).
std::optional<RtpPacket> ParseRtp(std::string_view datagram);

// The 12-byte header and the payload.
std::string BuildRtp(const RtpHeader& header, std::string_view payload);

// Numbers one direction of a call's audio: the sequence number grows by one per packet and the
// timestamp by the samples of each frame; the marker bit is set on the first packet of a
// talkspurt (each prompt). Starts from the given random values (RFC 3550 §5.1).
class RtpSender {
 public:
  RtpSender(uint8_t payload_type, uint32_t ssrc, uint16_t first_sequence, uint32_t first_timestamp);

  // The next packet carrying `payload` (one 20 ms frame).
  std::string Next(std::string_view payload, bool talkspurt_start);

  // The numbers the next packet will carry.
  uint16_t sequence() const { return sequence_; }
  uint32_t timestamp() const { return timestamp_; }

 private:
  uint8_t payload_type_;
  uint32_t ssrc_;
  uint16_t sequence_;
  uint32_t timestamp_;
};

// An RFC 4733 §2.3 telephone-event payload.
struct TelephoneEvent {
  uint8_t event = 0;  // 0-9, 10 '*', 11 '#', 12-15 A-D, others not keys
  bool end = false;
  uint8_t volume = 0;
  uint16_t duration = 0;  // in timestamp units
};

std::optional<TelephoneEvent> ParseTelephoneEvent(std::string_view payload);
std::string BuildTelephoneEvent(const TelephoneEvent& event);

// The key of an event code ('0'-'9', '*', '#', 'A'-'D'), or '\0' for other events.
char EventKey(uint8_t event);

// Turns a call's telephone-event packets into key presses: one key per event, however many
// packets carry it (RFC 4733 repeats the start, the updates and three end packets, all with the
// event's timestamp), reported at its first packet so barge-in is quick, even when that packet
// is an end packet (the start was lost). Reordered or repeated packets of the last few events
// are not reported again.
class DtmfReceiver {
 public:
  // The key pressed, when this packet starts a new event; '\0' otherwise.
  char OnPacket(const RtpHeader& header, const TelephoneEvent& event);

 private:
  // The last events' (timestamp, event code): an event's repeated packets share both; a new key
  // has a new timestamp, or at least another code.
  std::array<std::pair<uint32_t, uint8_t>, 8> recent_{};
  size_t seen_ = 0;
};

// The key in a SIP INFO body: `application/dtmf-relay` ("Signal=5\r\nDuration=160") or
// `application/dtmf` ("5"). nullopt for other types and bodies without one key.
std::optional<char> ParseDtmfInfo(std::string_view content_type, std::string_view body);

}  // namespace steward::voice
