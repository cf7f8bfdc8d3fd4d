#include "voice/rtp.hpp"

#include <algorithm>
#include <cctype>

namespace steward::voice {
namespace {

uint16_t Read16(std::string_view bytes, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                               static_cast<unsigned char>(bytes[at + 1]));
}
uint32_t Read32(std::string_view bytes, size_t at) {
  return (uint32_t{Read16(bytes, at)} << 16) | Read16(bytes, at + 2);
}
void Write16(std::string& out, uint16_t value) {
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value & 0xFF);
}
void Write32(std::string& out, uint32_t value) {
  Write16(out, static_cast<uint16_t>(value >> 16));
  Write16(out, static_cast<uint16_t>(value & 0xFFFF));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A key written as itself ("5", "*", "#", "A") or as its event number ("10" is '*', "11" '#').
std::optional<char> KeyOf(std::string_view text) {
  text = Trim(text);
  if (text.size() == 1) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
    return std::nullopt;
  }
  if (text == "10") return '*';
  if (text == "11") return '#';
  return std::nullopt;
}

}  // namespace

std::optional<RtpPacket> ParseRtp(std::string_view datagram) {
  if (datagram.size() < 12) return std::nullopt;
  const auto first = static_cast<unsigned char>(datagram[0]);
  if ((first >> 6) != 2) return std::nullopt;
  const bool padding = first & 0x20;
  const bool extension = first & 0x10;
  const size_t csrc_count = first & 0x0F;
  const auto second = static_cast<unsigned char>(datagram[1]);
  RtpPacket packet;
  packet.header.marker = second & 0x80;
  packet.header.payload_type = second & 0x7F;
  packet.header.sequence = Read16(datagram, 2);
  packet.header.timestamp = Read32(datagram, 4);
  packet.header.ssrc = Read32(datagram, 8);
  size_t at = 12 + 4 * csrc_count;
  if (at > datagram.size()) return std::nullopt;
  if (extension) {
    if (at + 4 > datagram.size()) return std::nullopt;
    at += 4 + 4 * size_t{Read16(datagram, at + 2)};
    if (at > datagram.size()) return std::nullopt;
  }
  size_t end = datagram.size();
  if (padding) {
    const size_t pad = static_cast<unsigned char>(datagram.back());
    if (pad == 0 || pad > end - at) return std::nullopt;
    end -= pad;
  }
  packet.payload = datagram.substr(at, end - at);
  return packet;
}

std::string BuildRtp(const RtpHeader& header, std::string_view payload) {
  std::string out;
  out.reserve(12 + payload.size());
  out += static_cast<char>(0x80);
  out += static_cast<char>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F));
  Write16(out, header.sequence);
  Write32(out, header.timestamp);
  Write32(out, header.ssrc);
  out += payload;
  return out;
}

RtpSender::RtpSender(uint8_t payload_type, uint32_t ssrc, uint16_t first_sequence,
                     uint32_t first_timestamp)
    : payload_type_(payload_type),
      ssrc_(ssrc),
      sequence_(first_sequence),
      timestamp_(first_timestamp) {}

std::string RtpSender::Next(std::string_view payload, bool talkspurt_start) {
  const std::string packet =
      BuildRtp({talkspurt_start, payload_type_, sequence_, timestamp_, ssrc_}, payload);
  ++sequence_;
  timestamp_ += static_cast<uint32_t>(payload.size());  // G.711: one byte per sample
  return packet;
}

std::optional<TelephoneEvent> ParseTelephoneEvent(std::string_view payload) {
  // Several events may be stacked (RFC 4733 §2.5.1.5, redundancy); the first one is current.
  if (payload.size() < 4) return std::nullopt;
  TelephoneEvent event;
  event.event = static_cast<uint8_t>(payload[0]);
  const auto flags = static_cast<unsigned char>(payload[1]);
  event.end = flags & 0x80;
  event.volume = flags & 0x3F;
  event.duration = Read16(payload, 2);
  return event;
}

std::string BuildTelephoneEvent(const TelephoneEvent& event) {
  std::string out;
  out += static_cast<char>(event.event);
  out += static_cast<char>((event.end ? 0x80 : 0) | (event.volume & 0x3F));
  Write16(out, event.duration);
  return out;
}

char EventKey(uint8_t event) {
  if (event <= 9) return static_cast<char>('0' + event);
  if (event == 10) return '*';
  if (event == 11) return '#';
  if (event >= 12 && event <= 15) return static_cast<char>('A' + (event - 12));
  return '\0';
}

char DtmfReceiver::OnPacket(const RtpHeader& header, const TelephoneEvent& event) {
  const char key = EventKey(event.event);
  if (key == '\0') return '\0';
  const size_t remembered = std::min(seen_, recent_.size());
  const std::pair<uint32_t, uint8_t> seen(header.timestamp, event.event);
  for (size_t i = 0; i < remembered; ++i) {
    if (recent_[i] == seen) return '\0';
  }
  recent_[seen_ % recent_.size()] = seen;
  ++seen_;
  return key;
}

std::optional<char> ParseDtmfInfo(std::string_view content_type, std::string_view body) {
  content_type = Trim(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoringCase(content_type, "application/dtmf")) return KeyOf(body);
  if (!EqualsIgnoringCase(content_type, "application/dtmf-relay")) return std::nullopt;
  while (!body.empty()) {
    const size_t end = body.find_first_of("\r\n");
    const std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    if (EqualsIgnoringCase(Trim(line.substr(0, equals)), "signal"))
      return KeyOf(line.substr(equals + 1));
  }
  return std::nullopt;
}

}  // namespace steward::voice
