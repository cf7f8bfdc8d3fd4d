// The hash chain's bytes: canonical form, hash and detail text are fixed (stored chains depend on
// them), deterministic, and sensitive to every field.
#include "audit/internal/chain.hpp"

#include <gtest/gtest.h>

#include <set>

namespace steward::audit::internal {
namespace {

// The expected values were computed independently (Python hashlib) from the documented format.
constexpr std::string_view kDetail = R"({"fields":["name"],"purpose":"核查"})";
constexpr std::string_view kCanonical =
    "steward-audit-v1\n1:7,13:1795797000000,7:user:42,13:resident.view,12:resident:123,"
    "38:{\"fields\":[\"name\"],\"purpose\":\"核查\"},11:203.0.113.5,5:req-1,";
constexpr std::string_view kHashAfterEmpty =
    "f87a58ee87d9ee225771d429f274cabcfdcb7fdb3c48fc89c390611ec77760c8";
constexpr std::string_view kHashAfterThat =
    "0fbff117651fa2ce58c91204bc018441f33df1cb39e2683665a497c0e1432318";

ChainFields Sample() {
  return ChainFields{7,       1795797000000, "user:42", "resident.view", "resident:123",
                     kDetail, "203.0.113.5", "req-1"};
}

TEST(AuditChainTest, Sha256MatchesTheStandardVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuditChainTest, CanonicalFormAndHashAreFixed) {
  EXPECT_EQ(CanonicalForm(Sample()), kCanonical);
  EXPECT_EQ(ChainHash("", CanonicalForm(Sample())), kHashAfterEmpty);
  EXPECT_EQ(ChainHash(kHashAfterEmpty, CanonicalForm(Sample())), kHashAfterThat);
  // Deterministic: the same input twice gives the same bytes.
  EXPECT_EQ(ChainHash("", CanonicalForm(Sample())), ChainHash("", CanonicalForm(Sample())));
}

TEST(AuditChainTest, EveryFieldChangesTheHash) {
  std::set<std::string> hashes;
  auto add = [&](const ChainFields& fields) {
    hashes.insert(ChainHash("", CanonicalForm(fields)));
  };
  add(Sample());
  ChainFields changed = Sample();
  changed.seq = 8;
  add(changed);
  changed = Sample();
  changed.at_millis += 1;
  add(changed);
  changed = Sample();
  changed.actor = "user:43";
  add(changed);
  changed = Sample();
  changed.action = "resident.update";
  add(changed);
  changed = Sample();
  changed.target = "resident:124";
  add(changed);
  changed = Sample();
  changed.detail = "{}";
  add(changed);
  changed = Sample();
  changed.client = "203.0.113.6";
  add(changed);
  changed = Sample();
  changed.request_id = "req-2";
  add(changed);
  EXPECT_EQ(hashes.size(), 9u);
  EXPECT_NE(ChainHash("a", CanonicalForm(Sample())), ChainHash("b", CanonicalForm(Sample())));
}

TEST(AuditChainTest, LengthPrefixesKeepFieldBoundaries) {
  // Moving a character from one field to the next must not give the same bytes.
  ChainFields left = Sample();
  left.actor = "user:4";
  left.action = "2resident.view";
  EXPECT_NE(CanonicalForm(left), CanonicalForm(Sample()));
}

TEST(AuditChainTest, DetailTextIsIndependentOfBuildOrder) {
  nlohmann::json one = nlohmann::json::object();
  one["purpose"] = "核查";
  one["fields"] = {"name"};
  nlohmann::json two = nlohmann::json::object();
  two["fields"] = {"name"};
  two["purpose"] = "核查";
  EXPECT_EQ(DetailText(one), DetailText(two));
  EXPECT_EQ(DetailText(one), kDetail);
  // Invalid UTF-8 inside a string does not throw; it is replaced.
  EXPECT_EQ(DetailText(nlohmann::json{{"q", std::string("a\xff")}}), "{\"q\":\"a\xEF\xBF\xBD\"}");
}

TEST(AuditChainTest, ValidUtf8RepairsOnlyWhatIsBroken) {
  EXPECT_EQ(ValidUtf8("user:42"), "user:42");
  EXPECT_EQ(ValidUtf8("核查 ok"), "核查 ok");
  EXPECT_EQ(ValidUtf8(std::string_view("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ValidUtf8("a\xff"), "a\xEF\xBF\xBD");
  EXPECT_EQ(ValidUtf8("\xE6\xA0"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace steward::audit::internal
