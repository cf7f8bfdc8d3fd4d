// Demo numbers never leave the machine; allowed prefixes restrict a test deployment.
#include "voice/dial_guard.hpp"

#include <gtest/gtest.h>

namespace steward::voice {
namespace {

TEST(DialGuard, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackUri("sip:19990000001@127.0.0.1:34561"));
  EXPECT_TRUE(IsLoopbackUri("sip:resident@localhost"));
  EXPECT_TRUE(IsLoopbackUri("sip:1@[::1]:5080"));
  EXPECT_TRUE(IsLoopbackUri("sip:127.0.0.2;transport=udp"));
  EXPECT_FALSE(IsLoopbackUri("sip:19990000001@10.0.0.5:5060"));
  EXPECT_FALSE(IsLoopbackUri("sip:1@127.example.com"));  // a name, not 127/8
  EXPECT_FALSE(IsLoopbackUri("sip:1@trunk.example.com"));
  EXPECT_FALSE(IsLoopbackUri("nonsense"));
}

TEST(DialGuard, DialUriFillsTheTrunk) {
  EXPECT_EQ(DialUri("13800000000", "sip:{number}@10.0.0.5:5060"), "sip:13800000000@10.0.0.5:5060");
  EXPECT_EQ(DialUri("sip:me@127.0.0.1:9", "sip:{number}@10.0.0.5"), "sip:me@127.0.0.1:9");
}

TEST(DialGuard, DemoNumbersOnlyToLoopbackAndPrefixesRestrict) {
  EXPECT_EQ(RefuseDial("19990000001", true, "sip:19990000001@127.0.0.1:9", {}), "");
  EXPECT_NE(RefuseDial("19990000001", true, "sip:19990000001@10.0.0.5:5060", {}), "");
  EXPECT_EQ(RefuseDial("13800000000", false, "sip:13800000000@10.0.0.5:5060", {}), "");
  EXPECT_EQ(RefuseDial("13800000000", false, "sip:x@10.0.0.5", {"138", "139"}), "");
  const std::string refused = RefuseDial("13700000000", false, "sip:x@10.0.0.5", {"138", "139"});
  EXPECT_NE(refused, "");
  EXPECT_EQ(refused.find("13700000000"), std::string::npos);  // never names the number
}

}  // namespace
}  // namespace steward::voice
