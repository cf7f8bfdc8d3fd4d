#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <set>

#include "auth/internal/secret.hpp"

namespace steward::auth {
namespace {

std::string DetailCodeOf(const Status& status) {
  return status || status.error().details.empty() ? "" : status.error().details.front().code;
}

TEST(PasswordPolicyTest, AcceptsLettersAndDigitsOfEightOrMore) {
  EXPECT_TRUE(CheckPasswordPolicy("abcdefg1"));
  EXPECT_TRUE(CheckPasswordPolicy("Passw0rd with spaces and 中文"));
}

TEST(PasswordPolicyTest, RefusesShortWeakAndOverlongOnesWithClearMessages) {
  const auto short_one = CheckPasswordPolicy("abc1234");
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(DetailCodeOf(short_one), "password.too_short");
  EXPECT_NE(short_one.error().message.find("密码至少 8 位"), std::string::npos);
  EXPECT_NE(short_one.error().message.find("at least 8"), std::string::npos);

  EXPECT_EQ(DetailCodeOf(CheckPasswordPolicy("abcdefgh")), "password.weak");
  EXPECT_EQ(DetailCodeOf(CheckPasswordPolicy("12345678")), "password.weak");
  EXPECT_EQ(DetailCodeOf(CheckPasswordPolicy("中文密码中文密码")), "password.weak");
  EXPECT_EQ(DetailCodeOf(CheckPasswordPolicy(std::string(120, 'a') + std::string(9, '1'))),
            "password.too_long");
}

TEST(PasswordHashTest, RoundTripsWithLowCostParameters) {
  const auto options = PasswordOptions::ForTesting();
  auto hash = HashPassword("correct horse 1", options);
  ASSERT_TRUE(hash) << hash.error().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse 1"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse 2"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  // A fresh salt each time.
  auto again = HashPassword("correct horse 1", options);
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again);
  EXPECT_TRUE(VerifyPassword(*again, "correct horse 1"));
}

TEST(PasswordHashTest, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=64,t=1,p=1$bogus", "x"));
  EXPECT_FALSE(VerifyPassword("plain text", "plain text"));
}

TEST(PasswordHashTest, DefaultsAreOwaspsAndVerifyAcrossParameters) {
  const PasswordOptions defaults;
  EXPECT_EQ(defaults.time_cost, 2u);
  EXPECT_EQ(defaults.memory_cost_kib, 19u * 1024);
  auto strong = HashPassword("abcdefg1", defaults);
  ASSERT_TRUE(strong);
  EXPECT_TRUE(strong->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_TRUE(VerifyPassword(*strong, "abcdefg1"));
}

TEST(GeneratePasswordTest, PassesThePolicyAndAvoidsLookAlikes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string password = GeneratePassword(16);
    ASSERT_EQ(password.size(), 16u);
    EXPECT_TRUE(CheckPasswordPolicy(password)) << password;
    EXPECT_EQ(password.find_first_of("0O1lI"), std::string::npos) << password;
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(SecretTest, TokensAreLongRandomAndHashedAsHexSha256) {
  const std::string token = internal::RandomToken();
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(token, internal::RandomToken());
  EXPECT_EQ(internal::TokenDigest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(internal::RandomToken(1).size(), 2u);
  EXPECT_EQ(internal::RandomToken(2).size(), 3u);
}

}  // namespace
}  // namespace steward::auth
