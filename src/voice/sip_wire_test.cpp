// What the line reads in SIP bodies and URIs: an SDP answer against our offer, a sipfrag status,
// and whether a URI's host needs DNS.
#include "voice/internal/sip_wire.hpp"

#include <gtest/gtest.h>

namespace steward::voice::internal {
namespace {

TEST(SipWireTest, AnAnswerGivesTheFarEndsAddressCodecAndEventType) {
  const std::string pcmu =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 6002 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\n";
  auto answer = ReadSdpAnswer(pcmu, Codec::kPcma);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->negotiated.codec, Codec::kPcmu);
  EXPECT_EQ(answer->negotiated.event_payload_type, 96);
  EXPECT_EQ(answer->host, "127.0.0.1");
  EXPECT_EQ(answer->port, 6002);
  // No common codec, or no address: nothing to talk over.
  EXPECT_FALSE(ReadSdpAnswer("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 6002 RTP/AVP 18\r\n"
                             "a=rtpmap:18 G729/8000\r\n",
                             Codec::kPcma)
                   .has_value());
  EXPECT_FALSE(ReadSdpAnswer("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 6002 RTP/AVP 8\r\n", Codec::kPcma)
                   .has_value());
  EXPECT_FALSE(ReadSdpAnswer("garbage", Codec::kPcma).has_value());
}

TEST(SipWireTest, SipfragStatusLines) {
  EXPECT_EQ(SipfragStatus("SIP/2.0 200 OK\r\n"), 200);
  EXPECT_EQ(SipfragStatus("SIP/2.0 100 Trying"), 100);
  EXPECT_EQ(SipfragStatus("SIP/2.0 2OO OK"), 0);
  EXPECT_EQ(SipfragStatus("SIP/2.0 999 Nonsense"), 0);
  EXPECT_EQ(SipfragStatus("HTTP/1.1 200 OK"), 0);
  EXPECT_EQ(SipfragStatus(""), 0);
}

TEST(SipWireTest, AUriHostIsAnAddressOrAName) {
  EXPECT_TRUE(UriHostIsAddress("sip:{number}@10.0.0.5:5060"));
  EXPECT_TRUE(UriHostIsAddress("sip:13800000000@127.0.0.1:5080;transport=tcp"));
  EXPECT_TRUE(UriHostIsAddress("<sip:resident@127.0.0.1>"));
  EXPECT_TRUE(UriHostIsAddress("sip:[::1]:5080"));
  EXPECT_TRUE(UriHostIsAddress("sip:10.0.0.7"));
  EXPECT_FALSE(UriHostIsAddress("sip:{number}@trunk.example.cn:5060"));
  EXPECT_FALSE(UriHostIsAddress("sip:pbx.local"));
  EXPECT_FALSE(UriHostIsAddress("sip:[::1"));
  EXPECT_FALSE(UriHostIsAddress(""));
}

}  // namespace
}  // namespace steward::voice::internal
