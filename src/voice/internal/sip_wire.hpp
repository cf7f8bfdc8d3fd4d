// What the phone line reads off the wire in SIP messages, apart from libre's own parsing: our SDP
// offer and what an answer to it leaves us (address, codec, telephone-event type), a REFER's
// NOTIFY sipfrag status, and a whole datagram read the way the line would act on it (what the SIP
// fuzzer drives). libre types appear only as forward declarations, for sip_line.cpp.
//
// Thread-safety: pure functions of their arguments; the session ones touch only what they are
// given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "voice/audio.hpp"

struct sa;
struct sdp_media;
struct sdp_session;

namespace steward::voice::internal {

constexpr int kOfferedEventPayloadType = 101;

// Our offer on `session` (allocated here; the caller derefs it): one audio stream on `rtp_port`,
// PCMA and PCMU with `preferred` first, and telephone-event 0-15. 0 or an errno.
int MakeOffer(sdp_session** session, sdp_media** media, const sa& local, uint16_t rtp_port,
              Codec preferred);

// What an SDP answer decoded into `media` gives: the first codec both sides have, and the
// answer's telephone-event payload type (ours when it has none). nullopt without a common codec
// or a usable address.
struct Negotiated {
  Codec codec = Codec::kPcma;
  int event_payload_type = kOfferedEventPayloadType;
};
std::optional<Negotiated> Negotiate(const sdp_media* media);

// `sdp` as the answer to a fresh offer from 127.0.0.1: what Negotiate makes of it, and where the
// far end's audio is. For the fuzzer and tests.
struct AnswerMedia {
  Negotiated negotiated;
  std::string host;
  uint16_t port = 0;
};
std::optional<AnswerMedia> ReadSdpAnswer(std::string_view sdp, Codec preferred);

// Whether the host of a SIP URI ("sip:user@host:port;params", "<sip:…>", "sip:[::1]:5080") is an
// IP address, so reaching it needs no DNS.
bool UriHostIsAddress(std::string_view uri);

// The status code of a message/sipfrag body ("SIP/2.0 200 OK" → 200); 0 when it is not a status
// line with a code from 100 to 699.
int SipfragStatus(std::string_view body);

// A SIP datagram read as the line would: libre decodes it, then the line's own readers look at an
// INFO's keys, a NOTIFY's sipfrag and an SDP body. For the fuzzer: nullopt when libre refuses it.
struct WireReading {
  bool request = false;
  int status = 0;                    // a response's code
  std::string method;                // a request's method
  std::optional<char> key;           // an INFO's DTMF key
  int sipfrag_status = 0;            // a NOTIFY's
  std::optional<AnswerMedia> media;  // an application/sdp body's
};
std::optional<WireReading> ReadSipDatagram(std::string_view bytes);

}  // namespace steward::voice::internal
