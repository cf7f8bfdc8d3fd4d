#include "crypto/pii_vault.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/internal/base64.hpp"

namespace steward::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIdNumber = "110101199003074514";
constexpr std::string_view kPhone = "13800138000";

class PiiVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pii_vault_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    key_file_ = dir_ / "secrets" / "pii.key";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<PiiVault> Create() {
    auto vault = PiiVault::OpenOrCreate(key_file_);
    EXPECT_TRUE(vault) << vault.error().ToString();
    return vault ? std::move(*vault) : nullptr;
  }

  static mode_t ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 07777;
  }

  fs::path dir_;
  fs::path key_file_;
};

// Replaces the character at `index` of the base64url body with a different valid one.
std::string FlipBodyChar(std::string sealed, size_t index_from_end) {
  char& c = sealed[sealed.size() - 1 - index_from_end];
  c = c == 'A' ? 'B' : 'A';
  return sealed;
}

TEST_F(PiiVaultTest, SealThenOpenRoundTrips) {
  auto vault = Create();
  ASSERT_NE(vault, nullptr);
  for (std::string_view value :
       {kIdNumber, kPhone, std::string_view(""), std::string_view("张三 含中文")}) {
    const std::string sealed = vault->Seal("id_number", value);
    EXPECT_EQ(PiiVault::KeyIdOf(sealed), "k1");
    if (!value.empty()) {
      EXPECT_EQ(sealed.find(value), std::string::npos);
    }
    auto opened = vault->Open("id_number", sealed);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(*opened, value);
  }
}

TEST_F(PiiVaultTest, SealedTextIsKeyIdThenBase64UrlWithoutPadding) {
  auto vault = PiiVault::ForTesting("format");
  const std::string sealed = vault->Seal("phone", kPhone);
  ASSERT_EQ(sealed.substr(0, 3), "k1:");
  const std::string body = sealed.substr(3);
  // 12-byte nonce + 11-byte phone + 16-byte tag = 39 bytes = 52 base64 characters.
  EXPECT_EQ(body.size(), 52u);
  EXPECT_EQ(
      body.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST_F(PiiVaultTest, EachSealUsesAFreshNonce) {
  auto vault = PiiVault::ForTesting("nonce");
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(vault->Seal("phone", kPhone));
  EXPECT_EQ(seen.size(), 50u);
}

TEST_F(PiiVaultTest, TamperedCiphertextIsDataLoss) {
  auto vault = PiiVault::ForTesting("tamper");
  const std::string sealed = vault->Seal("phone", kPhone);
  for (size_t index : {0u, 10u, 30u, 50u}) {  // tag, ciphertext and nonce bytes
    auto opened = vault->Open("phone", FlipBodyChar(sealed, index));
    ASSERT_FALSE(opened) << "flip at " << index;
    EXPECT_EQ(opened.error().code, ErrorCode::kDataLoss);
    EXPECT_EQ(opened.error().message.find(kPhone), std::string::npos);
    EXPECT_EQ(opened.error().message.find(sealed.substr(3)), std::string::npos);
  }
}

TEST_F(PiiVaultTest, MalformedSealedValuesAreDataLoss) {
  auto vault = PiiVault::ForTesting("malformed");
  const std::string sealed = vault->Seal("phone", kPhone);
  for (const std::string& bad :
       {std::string(kPhone), std::string("k1:"), std::string("k1:!!!!"), sealed + "=",
        std::string("k1:AAAA"), sealed.substr(0, sealed.size() - 1)}) {
    auto opened = vault->Open("phone", bad);
    ASSERT_FALSE(opened) << bad;
    EXPECT_EQ(opened.error().code, ErrorCode::kDataLoss);
    EXPECT_EQ(opened.error().message.find(kPhone), std::string::npos);
  }
}

TEST_F(PiiVaultTest, OpeningUnderAnotherFieldIsDataLoss) {
  auto vault = PiiVault::ForTesting("aad");
  const std::string sealed = vault->Seal("id_number", kPhone);
  auto opened = vault->Open("phone", sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kDataLoss);
}

TEST_F(PiiVaultTest, UnknownKeyIdIsDataLoss) {
  auto vault = Create();
  ASSERT_NE(vault, nullptr);
  const std::string sealed = vault->Seal("phone", kPhone);
  auto opened = vault->Open("phone", "k99" + sealed.substr(2));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(opened.error().message.find("k99"), std::string::npos);
}

TEST_F(PiiVaultTest, CreatedKeyFileIsOwnerOnlyAndWellFormed) {
  auto vault = Create();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(ModeOf(key_file_), 0600u);
  EXPECT_EQ(ModeOf(key_file_.parent_path()), 0700u);

  std::ifstream in(key_file_);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["format"], 1);
  EXPECT_EQ(doc["active"], "k1");
  ASSERT_EQ(doc["keys"].size(), 1u);
  EXPECT_EQ(doc["keys"][0]["id"], "k1");
  EXPECT_EQ(doc["keys"][0]["secret"].get<std::string>().size(), 44u);  // base64 of 32 bytes
  EXPECT_FALSE(doc["keys"][0]["created"].get<std::string>().empty());
  EXPECT_EQ(doc["lookup_key"].get<std::string>().size(), 44u);
}

TEST_F(PiiVaultTest, RefusesKeyFileReadableByOthers) {
  ASSERT_NE(Create(), nullptr);
  fs::permissions(key_file_, static_cast<fs::perms>(0644));
  auto check_refused = [](const Result<std::unique_ptr<PiiVault>>& vault) {
    ASSERT_FALSE(vault);
    EXPECT_EQ(vault.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(vault.error().message.find("chmod 600"), std::string::npos);
  };
  check_refused(PiiVault::Open(key_file_));
  check_refused(PiiVault::OpenOrCreate(key_file_));
  fs::permissions(key_file_, static_cast<fs::perms>(0640));
  EXPECT_FALSE(PiiVault::Open(key_file_));
}

TEST_F(PiiVaultTest, OpenWithoutCreateReportsNotFound) {
  auto vault = PiiVault::Open(key_file_);
  ASSERT_FALSE(vault);
  EXPECT_EQ(vault.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(key_file_));
}

TEST_F(PiiVaultTest, CorruptKeyFileIsDataLoss) {
  fs::create_directories(key_file_.parent_path());
  {
    std::ofstream out(key_file_);
    out << R"({"format":1,"active":"k1","keys":[{"id":"k1","secret":"c2hvcnQ="}],)"
        << R"("lookup_key":"c2hvcnQ="})";
  }
  fs::permissions(key_file_, static_cast<fs::perms>(0600));
  auto vault = PiiVault::OpenOrCreate(key_file_);
  ASSERT_FALSE(vault);
  EXPECT_EQ(vault.error().code, ErrorCode::kDataLoss);
}

TEST_F(PiiVaultTest, ReopenedVaultOpensEarlierData) {
  std::string sealed;
  {
    auto vault = Create();
    ASSERT_NE(vault, nullptr);
    sealed = vault->Seal("id_number", kIdNumber);
  }
  auto reopened = PiiVault::Open(key_file_);
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  auto opened = (*reopened)->Open("id_number", sealed);
  ASSERT_TRUE(opened) << opened.error().ToString();
  EXPECT_EQ(*opened, kIdNumber);
  // OpenOrCreate on an existing file loads it rather than replacing it.
  auto again = PiiVault::OpenOrCreate(key_file_);
  ASSERT_TRUE(again);
  EXPECT_TRUE((*again)->Open("id_number", sealed));
}

TEST_F(PiiVaultTest, RotateAddsActiveKeyAndKeepsOldOnes) {
  auto vault = Create();
  ASSERT_NE(vault, nullptr);
  const std::string old_sealed = vault->Seal("phone", kPhone);

  auto rotated = vault->Rotate();
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  EXPECT_EQ(*rotated, "k2");
  EXPECT_EQ(vault->active_key_id(), "k2");
  EXPECT_EQ(ModeOf(key_file_), 0600u);

  const std::string new_sealed = vault->Seal("phone", kPhone);
  EXPECT_EQ(PiiVault::KeyIdOf(new_sealed), "k2");
  EXPECT_TRUE(vault->NeedsReseal(old_sealed));
  EXPECT_FALSE(vault->NeedsReseal(new_sealed));
  ASSERT_TRUE(vault->Open("phone", old_sealed));
  EXPECT_EQ(*vault->Open("phone", old_sealed), kPhone);
  EXPECT_EQ(*vault->Open("phone", new_sealed), kPhone);

  auto second = PiiVault::Open(key_file_);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ((*second)->active_key_id(), "k2");
  EXPECT_EQ(*(*second)->Open("phone", old_sealed), kPhone);
  EXPECT_EQ(*(*second)->Open("phone", new_sealed), kPhone);

  auto third = vault->Rotate();
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, "k3");
  // No temp files or other leftovers beside the key file besides the rotation lock.
  for (const auto& entry : fs::directory_iterator(key_file_.parent_path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "pii.key" || name == "pii.key.lock") << name;
  }
}

TEST_F(PiiVaultTest, VaultOpenedBeforeAnotherRotatesPicksUpTheNewKey) {
  auto writer = Create();
  ASSERT_NE(writer, nullptr);
  auto reader = PiiVault::Open(key_file_);
  ASSERT_TRUE(reader);
  ASSERT_TRUE(writer->Rotate());
  const std::string sealed = writer->Seal("phone", kPhone);

  auto opened = (*reader)->Open("phone", sealed);  // unknown k2: re-reads the changed file
  ASSERT_TRUE(opened) << opened.error().ToString();
  EXPECT_EQ(*opened, kPhone);
  EXPECT_EQ((*reader)->active_key_id(), "k2");

  // A rotation by the stale reader builds on the file, so ids never collide.
  auto rotated = (*reader)->Rotate();
  ASSERT_TRUE(rotated);
  EXPECT_EQ(*rotated, "k3");
  ASSERT_TRUE(writer->Reload());
  EXPECT_EQ(writer->active_key_id(), "k3");
  EXPECT_EQ(*writer->Open("phone", (*reader)->Seal("phone", kPhone)), kPhone);
}

TEST_F(PiiVaultTest, SealAndOpenRunWhileAnotherThreadRotates) {
  auto vault = Create();
  ASSERT_NE(vault, nullptr);
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const std::string sealed = vault->Seal("phone", kPhone);
        auto opened = vault->Open("phone", sealed);
        if (!opened || *opened != kPhone) failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(vault->Rotate());
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(vault->active_key_id(), "k6");
}

TEST_F(PiiVaultTest, LookupHashIsStableAcrossReopenAndSeparatesFields) {
  std::string hash;
  {
    auto vault = Create();
    ASSERT_NE(vault, nullptr);
    hash = vault->LookupHash("phone", kPhone);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(vault->LookupHash("id_number", kPhone), hash);
    EXPECT_NE(vault->LookupHash("phone", "13800138001"), hash);
    ASSERT_TRUE(vault->Rotate());  // the lookup key is not rotated
    EXPECT_EQ(vault->LookupHash("phone", kPhone), hash);
  }
  auto reopened = PiiVault::Open(key_file_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ((*reopened)->LookupHash("phone", kPhone), hash);
}

TEST_F(PiiVaultTest, ForTestingIsDeterministicPerSeed) {
  auto a = PiiVault::ForTesting("seed");
  auto b = PiiVault::ForTesting("seed");
  auto c = PiiVault::ForTesting("other");
  EXPECT_EQ(a->LookupHash("phone", kPhone), b->LookupHash("phone", kPhone));
  EXPECT_NE(a->LookupHash("phone", kPhone), c->LookupHash("phone", kPhone));
  EXPECT_EQ(*b->Open("phone", a->Seal("phone", kPhone)), kPhone);
  EXPECT_FALSE(c->Open("phone", a->Seal("phone", kPhone)));
  ASSERT_TRUE(a->Rotate());
  EXPECT_EQ(a->active_key_id(), "k2");
  EXPECT_TRUE(a->Reload());
}

TEST(Base64Test, RoundTripsEveryTailLengthInBothAlphabets) {
  using internal::Base64Alphabet;
  std::string bytes;
  for (int length = 0; length < 12; ++length) {
    for (auto alphabet : {Base64Alphabet::kStandardPadded, Base64Alphabet::kUrlUnpadded}) {
      const std::string text = internal::Base64Encode(bytes, alphabet);
      EXPECT_EQ(internal::Base64Decode(text, alphabet), bytes) << text;
    }
    bytes += static_cast<char>(0xF0 + length);
  }
  EXPECT_EQ(internal::Base64Encode("\xfb\xff", Base64Alphabet::kStandardPadded), "+/8=");
  EXPECT_EQ(internal::Base64Encode("\xfb\xff", Base64Alphabet::kUrlUnpadded), "-_8");
}

TEST(Base64Test, RejectsNonCanonicalText) {
  using internal::Base64Alphabet;
  for (std::string_view bad : {"QR==", "Q===", "QQ=", "QQ", "Q", "QQ==QQ==", " QQ==", "-_8="}) {
    EXPECT_FALSE(internal::Base64Decode(bad, Base64Alphabet::kStandardPadded)) << bad;
  }
  for (std::string_view bad : {"QR", "Q", "QQ==", "+/8", "QQ Q"}) {
    EXPECT_FALSE(internal::Base64Decode(bad, Base64Alphabet::kUrlUnpadded)) << bad;
  }
  EXPECT_EQ(internal::Base64Decode("QQ==", Base64Alphabet::kStandardPadded), "A");
  EXPECT_EQ(internal::Base64Decode("QQ", Base64Alphabet::kUrlUnpadded), "A");
}

}  // namespace
}  // namespace steward::crypto
