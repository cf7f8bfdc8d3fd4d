#include "voice/internal/sip_wire.hpp"

#include <re.h>

#include <charconv>

#include "voice/rtp.hpp"

namespace steward::voice::internal {
namespace {

std::string PlString(const pl& text) { return std::string(text.p ? text.p : "", text.l); }

std::string_view Body(const mbuf* buffer) {
  if (!buffer) return {};
  return {reinterpret_cast<const char*>(mbuf_buf(buffer)), mbuf_get_left(buffer)};
}

// An mbuf holding a copy of `bytes`; nullptr when memory runs out.
mbuf* BufferOf(std::string_view bytes) {
  mbuf* buffer = mbuf_alloc(bytes.size() + 1);
  if (!buffer) return nullptr;
  if (mbuf_write_mem(buffer, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) != 0) {
    mem_deref(buffer);
    return nullptr;
  }
  mbuf_set_pos(buffer, 0);
  return buffer;
}

}  // namespace

int MakeOffer(sdp_session** session, sdp_media** media, const sa& local, uint16_t rtp_port,
              Codec preferred) {
  if (int error = sdp_session_alloc(session, &local); error != 0) return error;
  if (int error = sdp_media_add(media, *session, "audio", rtp_port, "RTP/AVP"); error != 0) {
    return error;
  }
  const bool pcma_first = preferred == Codec::kPcma;
  sdp_format_add(nullptr, *media, false, pcma_first ? "8" : "0", pcma_first ? "PCMA" : "PCMU", 8000,
                 1, nullptr, nullptr, nullptr, false, nullptr);
  sdp_format_add(nullptr, *media, false, pcma_first ? "0" : "8", pcma_first ? "PCMU" : "PCMA", 8000,
                 1, nullptr, nullptr, nullptr, false, nullptr);
  const std::string events = std::to_string(kOfferedEventPayloadType);
  return sdp_format_add(nullptr, *media, false, events.c_str(), "telephone-event", 8000, 1, nullptr,
                        nullptr, nullptr, false, "0-15");
}

std::optional<Negotiated> Negotiate(const sdp_media* media) {
  const sdp_format* format = sdp_media_rformat(media, nullptr);
  const sa* address = sdp_media_raddr(media);
  if (!format || !address || !sa_isset(address, SA_ALL)) return std::nullopt;
  Negotiated negotiated;
  negotiated.codec = format->pt == kPayloadPcmu ? Codec::kPcmu : Codec::kPcma;
  if (const sdp_format* events = sdp_media_rformat(media, "telephone-event")) {
    negotiated.event_payload_type = events->pt;
  }
  return negotiated;
}

std::optional<AnswerMedia> ReadSdpAnswer(std::string_view sdp, Codec preferred) {
  sa local{};
  sa_set_str(&local, "127.0.0.1", 0);
  sdp_session* session = nullptr;
  sdp_media* media = nullptr;
  mbuf* buffer = BufferOf(sdp);
  std::optional<AnswerMedia> answer;
  mbuf* offer = nullptr;  // encoded as the line sends it: libre answers against what it offered
  if (buffer && MakeOffer(&session, &media, local, 40000, preferred) == 0 &&
      sdp_encode(&offer, session, true) == 0 && sdp_decode(session, buffer, false) == 0) {
    if (auto negotiated = Negotiate(media)) {
      const sa* address = sdp_media_raddr(media);
      char host[64] = {};
      sa_ntop(address, host, sizeof host);
      answer = AnswerMedia{*negotiated, host, sa_port(address)};
    }
  }
  mem_deref(offer);
  mem_deref(buffer);
  mem_deref(session);
  return answer;
}

bool UriHostIsAddress(std::string_view uri) {
  if (uri.starts_with("<")) uri.remove_prefix(1);
  if (const size_t colon = uri.find(':'); colon != std::string_view::npos) {
    uri.remove_prefix(colon + 1);  // the scheme
  }
  if (const size_t at = uri.rfind('@'); at != std::string_view::npos) uri.remove_prefix(at + 1);
  std::string host;
  if (uri.starts_with("[")) {
    const size_t close = uri.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(uri.substr(1, close - 1));
  } else {
    host = std::string(uri.substr(0, uri.find_first_of(":;>?")));
  }
  sa address{};
  return !host.empty() && sa_set_str(&address, host.c_str(), 0) == 0;
}

int SipfragStatus(std::string_view body) {
  int status = 0;
  if (body.starts_with("SIP/2.0 ") && body.size() >= 11) {
    const auto [end, error] = std::from_chars(body.data() + 8, body.data() + 11, status);
    if (error != std::errc() || end != body.data() + 11) return 0;
  }
  return status >= 100 && status <= 699 ? status : 0;
}

std::optional<WireReading> ReadSipDatagram(std::string_view bytes) {
  mbuf* buffer = BufferOf(bytes);
  if (!buffer) return std::nullopt;
  sip_msg* msg = nullptr;
  const int error = sip_msg_decode(&msg, buffer);
  mem_deref(buffer);  // the message holds its own reference
  if (error != 0 || !msg) return std::nullopt;
  WireReading reading;
  reading.request = msg->req;
  reading.status = msg->scode;
  reading.method = PlString(msg->met);
  const std::string type = PlString(msg->ctyp.type) + "/" + PlString(msg->ctyp.subtype);
  const std::string_view body = Body(msg->mb);
  if (reading.request && reading.method == "INFO") reading.key = ParseDtmfInfo(type, body);
  if (reading.request && reading.method == "NOTIFY") reading.sipfrag_status = SipfragStatus(body);
  if (type == "application/sdp") reading.media = ReadSdpAnswer(body, Codec::kPcma);
  mem_deref(msg);
  return reading;
}

}  // namespace steward::voice::internal
