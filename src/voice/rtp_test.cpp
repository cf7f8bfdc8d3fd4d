// RTP framing, RFC 4733 key presses (duplicates, lost starts, repeated keys), SIP INFO bodies,
// and the SIP status table (tests/cases/sip_status.tsv).
#include "voice/rtp.hpp"

#include <gtest/gtest.h>

#include "tests/cases/table.hpp"
#include "voice/sip_status.hpp"

namespace steward::voice {
namespace {

TEST(Rtp, SenderNumbersFramesAndMarksTalkspurts) {
  RtpSender sender(kPayloadPcma, 0x11223344, 65535, 4294967200u);
  const std::string frame(kSamplesPerFrame, '\xD5');
  const auto first = ParseRtp(sender.Next(frame, true));
  const auto second = ParseRtp(sender.Next(frame, false));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->header.marker);
  EXPECT_FALSE(second->header.marker);
  EXPECT_EQ(first->header.payload_type, kPayloadPcma);
  EXPECT_EQ(first->header.ssrc, 0x11223344u);
  EXPECT_EQ(second->header.sequence, 0);     // wraps
  EXPECT_EQ(second->header.timestamp, 64u);  // wraps too
  EXPECT_EQ(uint32_t(second->header.timestamp - first->header.timestamp), 160u);
  EXPECT_EQ(first->payload.size(), 160u);
}

TEST(Rtp, ParserSkipsCsrcsExtensionsAndPadding) {
  std::string packet = BuildRtp({false, 101, 7, 1000, 42}, "");
  packet[0] = static_cast<char>(0x80 | 0x20 | 0x10 | 0x01);  // padding, extension, one CSRC
  packet += std::string("\x00\x00\x00\x09", 4);              // the CSRC
  packet += std::string("\xBE\xDE\x00\x01", 4);              // extension header, one word
  packet += std::string("\x01\x02\x03\x04", 4);              // extension word
  packet += std::string("\x05\x80\x01\x40", 4);              // telephone-event '5', end
  packet += std::string("\x00\x00\x03", 3);                  // three bytes of padding
  const auto parsed = ParseRtp(packet);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.payload_type, 101);
  ASSERT_EQ(parsed->payload.size(), 4u);
  const auto event = ParseTelephoneEvent(parsed->payload);
  ASSERT_TRUE(event);
  EXPECT_EQ(EventKey(event->event), '5');
  EXPECT_TRUE(event->end);
  EXPECT_EQ(event->duration, 320);
}

TEST(Rtp, ParserRefusesBrokenPackets) {
  EXPECT_FALSE(ParseRtp("short"));
  std::string v1 = BuildRtp({}, "x");
  v1[0] = 0x40;
  EXPECT_FALSE(ParseRtp(v1));
  std::string csrcs = BuildRtp({}, "");
  csrcs[0] = static_cast<char>(0x8F);  // 15 CSRCs that are not there
  EXPECT_FALSE(ParseRtp(csrcs));
  std::string padding = BuildRtp({}, "ab");
  padding[0] = static_cast<char>(0xA0);
  padding.back() = 9;  // more padding than payload
  EXPECT_FALSE(ParseRtp(padding));
  EXPECT_FALSE(ParseTelephoneEvent("abc"));
}

// RFC 4733 as phones send it: start packets, updates, three end packets, all with the event's
// timestamp; the next press has a new timestamp.
TEST(Dtmf, OneKeyPerEventHoweverManyPackets) {
  DtmfReceiver receiver;
  std::string keys;
  auto feed = [&](uint32_t timestamp, uint8_t event, bool end, uint16_t duration) {
    const char key = receiver.OnPacket({false, 101, 0, timestamp, 1}, {event, end, 10, duration});
    if (key) keys += key;
  };
  for (uint16_t d : {160, 320, 480}) feed(8000, 1, false, d);
  for (int i = 0; i < 3; ++i) feed(8000, 1, true, 640);
  feed(8000, 1, true, 640);    // a late duplicate
  feed(16000, 1, false, 160);  // the same key again: a new press
  feed(16000, 1, true, 320);
  feed(24000, 11, true, 480);  // only end packets arrived: '#' still counts, once
  feed(24000, 11, true, 480);
  feed(32000, 16, false, 160);  // not a key (event 16: flash)
  EXPECT_EQ(keys, "11#");
}

TEST(Dtmf, SipInfoBodies) {
  EXPECT_EQ(ParseDtmfInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"), '5');
  EXPECT_EQ(ParseDtmfInfo("Application/DTMF-Relay; charset=x", "Duration=250\nsignal = #\n"), '#');
  EXPECT_EQ(ParseDtmfInfo("application/dtmf-relay", "Signal=11\r\n"), '#');
  EXPECT_EQ(ParseDtmfInfo("application/dtmf", "*"), '*');
  EXPECT_EQ(ParseDtmfInfo("application/dtmf-relay", "Signal=55\r\n"), std::nullopt);
  EXPECT_EQ(ParseDtmfInfo("application/dtmf-relay", "Duration=160"), std::nullopt);
  EXPECT_EQ(ParseDtmfInfo("text/plain", "Signal=5"), std::nullopt);
}

TEST(SipStatus, TableOfFinalResponses) {
  const auto rows =
      testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/sip_status.tsv", {"status", "end"});
  EXPECT_GE(rows.size(), 20u);
  for (const auto& row : rows) {
    EXPECT_EQ(CallEndName(CallEndForStatus(std::stoi(row.cells[0]))), row.cells[1])
        << "sip_status.tsv line " << row.line;
  }
}

}  // namespace
}  // namespace steward::voice
