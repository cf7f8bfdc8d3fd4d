#include "crypto/pii_vault.hpp"

#include <pthread.h>

#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/clock.hpp"
#include "crypto/internal/base64.hpp"
#include "crypto/internal/key_ring.hpp"

namespace steward::crypto {
namespace {

using internal::Base64Alphabet;
using internal::DataKey;
using internal::FileStamp;
using internal::KeyRing;
using internal::SecretKey;

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
// Nonces drawn per RAND_bytes call: one call costs about as much as a whole Seal otherwise.
constexpr size_t kNoncesPerDraw = 64;
// Idle context sets kept per vault; more concurrent callers get sets that are freed after use.
constexpr size_t kMaxIdleContexts = 16;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* Bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

// Counts fork()s in this process: a child must not use nonces its parent may also use.
std::atomic<uint64_t> fork_generation{0};
void CountFork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }
uint64_t ForkGeneration() {
  static const bool registered = [] {
    if (pthread_atfork(nullptr, nullptr, &CountFork) != 0) {
      throw std::runtime_error("pthread_atfork failed");
    }
    return true;
  }();
  (void)registered;
  return fork_generation.load(std::memory_order_relaxed);
}

}  // namespace

namespace internal {

// One caller's OpenSSL contexts, keyed for one ring generation of one vault (see the header).
struct CryptoContexts {
  CryptoContexts() : hmac(nullptr, &EVP_MAC_CTX_free), cipher(nullptr, &EVP_CIPHER_CTX_free) {
    nonces.fill(0);
  }
  ~CryptoContexts() { OPENSSL_cleanse(nonces.data(), nonces.size()); }
  CryptoContexts(const CryptoContexts&) = delete;
  CryptoContexts& operator=(const CryptoContexts&) = delete;

  // Forgets the keys when the ring was replaced since they were set up.
  void UseGeneration(uint64_t ring_generation) {
    if (generation == ring_generation) return;
    generation = ring_generation;
    hmac_keyed = false;
    cipher_key_id.clear();
  }

  // The next unused random nonce; refills the block from RAND_bytes when it is used up or was
  // drawn before a fork().
  void NextNonce(unsigned char* nonce) {
    const uint64_t forks = ForkGeneration();
    if (nonces_used >= kNoncesPerDraw || nonce_forks != forks) {
      if (RAND_bytes(nonces.data(), int(nonces.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
      }
      nonces_used = 0;
      nonce_forks = forks;
    }
    unsigned char* next = nonces.data() + nonces_used * kNonceBytes;
    std::memcpy(nonce, next, kNonceBytes);
    OPENSSL_cleanse(next, kNonceBytes);  // a nonce is used once, so it is not kept
    ++nonces_used;
  }

  uint64_t generation = 0;  // the vault's ring generation the keys below belong to

  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> hmac;
  bool hmac_keyed = false;  // hmac holds the lookup key

  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> cipher;
  std::string cipher_key_id;  // the data key whose schedule cipher holds; "" for none

  std::array<unsigned char, kNonceBytes * kNoncesPerDraw> nonces;
  size_t nonces_used = kNoncesPerDraw;
  uint64_t nonce_forks = 0;
};

}  // namespace internal

namespace {

using internal::CryptoContexts;

// The cipher context set up for one message under `key` (null if OpenSSL fails): the first time
// for a key with the whole key schedule, afterwards with the new nonce only (OpenSSL keeps the
// schedule when the key argument is null).
EVP_CIPHER_CTX* InitGcm(CryptoContexts& contexts, const DataKey& key, const unsigned char* nonce,
                        int encrypt) {
  if (!contexts.cipher) {
    contexts.cipher.reset(EVP_CIPHER_CTX_new());
    if (!contexts.cipher) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  }
  EVP_CIPHER_CTX* context = contexts.cipher.get();
  if (contexts.cipher_key_id == key.id) {
    const int ok = EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, nonce, encrypt);
    return ok == 1 ? context : nullptr;
  }
  contexts.cipher_key_id.clear();
  const int ok =
      EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nullptr, key.secret.data(), nonce, encrypt);
  if (ok != 1) return nullptr;
  contexts.cipher_key_id = key.id;
  return context;
}

// Writes nonce | ciphertext | tag into `blob`, which must be sized for it.
void EncryptGcm(CryptoContexts& contexts, const DataKey& key, std::string_view field,
                std::string_view plaintext, std::string* blob) {
  if (plaintext.size() > INT_MAX / 2 || field.size() > INT_MAX / 2) {
    throw std::length_error("PiiVault::Seal: value too large");
  }
  unsigned char* nonce = Bytes(*blob);
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + plaintext.size();
  contexts.NextNonce(nonce);

  EVP_CIPHER_CTX* context = InitGcm(contexts, key, nonce, 1);
  int length = 0;
  const bool ok =
      context &&
      EVP_EncryptUpdate(context, nullptr, &length, Bytes(field), int(field.size())) == 1 &&
      EVP_EncryptUpdate(context, ciphertext, &length, Bytes(plaintext), int(plaintext.size())) ==
          1 &&
      EVP_EncryptFinal_ex(context, ciphertext + length, &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, int(kTagBytes), tag) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
}

// Returns false if authentication fails; `plaintext` is then wiped.
bool DecryptGcm(CryptoContexts& contexts, const DataKey& key, std::string_view field,
                std::string_view blob, std::string* plaintext) {
  if (blob.size() > INT_MAX / 2 || field.size() > INT_MAX / 2) return false;
  const unsigned char* nonce = Bytes(blob);
  const unsigned char* ciphertext = nonce + kNonceBytes;
  const size_t ciphertext_size = blob.size() - kNonceBytes - kTagBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  unsigned char tag[kTagBytes];
  std::memcpy(tag, ciphertext + ciphertext_size, kTagBytes);
  plaintext->assign(ciphertext_size, '\0');

  EVP_CIPHER_CTX* context = InitGcm(contexts, key, nonce, 0);
  int length = 0;
  const bool ok =
      context &&
      EVP_DecryptUpdate(context, nullptr, &length, Bytes(field), int(field.size())) == 1 &&
      EVP_DecryptUpdate(context, Bytes(*plaintext), &length, ciphertext, int(ciphertext_size)) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, int(kTagBytes), tag) == 1 &&
      EVP_DecryptFinal_ex(context, Bytes(*plaintext) + length, &length) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext->data(), plaintext->size());
    plaintext->clear();
  }
  return ok;
}

// HMAC-SHA256 of field + '\0' + value under `lookup_key` into `mac` (32 bytes). The key is set up
// once per context; later calls only reset the HMAC to its keyed start.
bool LookupMac(CryptoContexts& contexts, const SecretKey& lookup_key, std::string_view field,
               std::string_view value, unsigned char* mac, size_t* mac_size) {
  if (!contexts.hmac) {
    EVP_MAC* algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!algorithm) return false;
    contexts.hmac.reset(EVP_MAC_CTX_new(algorithm));
    EVP_MAC_free(algorithm);  // the context holds its own reference
    if (!contexts.hmac) return false;
    contexts.hmac_keyed = false;
  }
  EVP_MAC_CTX* context = contexts.hmac.get();
  if (contexts.hmac_keyed) {
    if (EVP_MAC_init(context, nullptr, 0, nullptr) != 1) return false;
  } else {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (EVP_MAC_init(context, lookup_key.data(), internal::kSecretBytes, params) != 1) {
      return false;
    }
    contexts.hmac_keyed = true;
  }
  static constexpr unsigned char kSeparator[1] = {0};
  return EVP_MAC_update(context, Bytes(field), field.size()) == 1 &&
         EVP_MAC_update(context, kSeparator, 1) == 1 &&
         EVP_MAC_update(context, Bytes(value), value.size()) == 1 &&
         EVP_MAC_final(context, mac, mac_size, EVP_MAX_MD_SIZE) == 1;
}

SecretKey DeriveTestKey(std::string_view purpose, std::string_view seed) {
  std::string input = "steward-pii-vault-for-testing/";
  input += purpose;
  input += '/';
  input += seed;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1 ||
      digest_size != internal::kSecretBytes) {
    throw std::runtime_error("SHA-256 failed");
  }
  return SecretKey(std::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::unique_ptr<KeyRing> NewRing() {
  auto ring = std::make_unique<KeyRing>();
  ring->active = "k1";
  ring->keys.push_back(
      DataKey{"k1", FormatIsoMillis(SystemClock().NowMillis()), SecretKey::Random()});
  ring->lookup_key = SecretKey::Random();
  return ring;
}

}  // namespace

PiiVault::PiiVault(std::filesystem::path key_file, std::unique_ptr<KeyRing> ring,
                   std::unique_ptr<FileStamp> stamp)
    : key_file_(std::move(key_file)), ring_(std::move(ring)), stamp_(std::move(stamp)) {}

PiiVault::~PiiVault() = default;

Result<std::unique_ptr<PiiVault>> PiiVault::Load(const std::filesystem::path& key_file) {
  auto stamp = std::make_unique<FileStamp>();
  STEWARD_ASSIGN_OR_RETURN(KeyRing ring, internal::ReadKeyFile(key_file, stamp.get()));
  return std::unique_ptr<PiiVault>(
      new PiiVault(key_file, std::make_unique<KeyRing>(std::move(ring)), std::move(stamp)));
}

Result<std::unique_ptr<PiiVault>> PiiVault::Open(const std::filesystem::path& key_file) {
  return Load(key_file);
}

Result<std::unique_ptr<PiiVault>> PiiVault::OpenOrCreate(const std::filesystem::path& key_file) {
  auto loaded = Load(key_file);
  if (loaded || loaded.error().code != ErrorCode::kNotFound) return loaded;
  Status created = internal::CreateKeyFile(key_file, *NewRing());
  // kAlreadyExists: another process created it first; use theirs.
  if (!created && created.error().code != ErrorCode::kAlreadyExists) {
    return tl::unexpected(std::move(created).error());
  }
  return Load(key_file);
}

std::unique_ptr<PiiVault> PiiVault::ForTesting(std::string_view seed) {
  auto ring = std::make_unique<KeyRing>();
  ring->active = "k1";
  ring->keys.push_back(DataKey{"k1", FormatIsoMillis(0), DeriveTestKey("data/k1", seed)});
  ring->lookup_key = DeriveTestKey("lookup", seed);
  return std::unique_ptr<PiiVault>(
      new PiiVault({}, std::move(ring), std::make_unique<FileStamp>()));
}

std::unique_ptr<CryptoContexts> PiiVault::TakeContexts() const {
  {
    std::lock_guard lock(contexts_mu_);
    if (!idle_contexts_.empty()) {
      std::unique_ptr<CryptoContexts> contexts = std::move(idle_contexts_.back());
      idle_contexts_.pop_back();
      return contexts;
    }
  }
  return std::make_unique<CryptoContexts>();
}

void PiiVault::ReturnContexts(std::unique_ptr<CryptoContexts> contexts) const {
  std::lock_guard lock(contexts_mu_);
  if (idle_contexts_.size() < kMaxIdleContexts) idle_contexts_.push_back(std::move(contexts));
}

std::string PiiVault::Seal(std::string_view field, std::string_view plaintext) const {
  std::string blob(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  std::string key_id;
  std::unique_ptr<CryptoContexts> contexts = TakeContexts();
  {
    std::shared_lock lock(mu_);
    contexts->UseGeneration(ring_generation_);
    const DataKey* key = ring_->Find(ring_->active);
    EncryptGcm(*contexts, *key, field, plaintext, &blob);
    key_id = key->id;
  }
  ReturnContexts(std::move(contexts));
  return key_id + ":" + internal::Base64Encode(blob, Base64Alphabet::kUrlUnpadded);
}

Result<std::string> PiiVault::Open(std::string_view field, std::string_view sealed) const {
  const std::string_view key_id = KeyIdOf(sealed);
  if (!internal::IsValidKeyId(key_id)) {
    return Fail(ErrorCode::kDataLoss, "sealed value does not start with a valid \"<key id>:\"");
  }
  const std::string key_name = "key " + std::string(key_id);
  std::optional<std::string> blob =
      internal::Base64Decode(sealed.substr(key_id.size() + 1), Base64Alphabet::kUrlUnpadded);
  if (!blob)
    return Fail(ErrorCode::kDataLoss, "sealed value under " + key_name + " is not base64url");
  if (blob->size() < kNonceBytes + kTagBytes) {
    return Fail(ErrorCode::kDataLoss, "sealed value under " + key_name + " is too short");
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::shared_lock lock(mu_);
      if (const DataKey* key = ring_->Find(key_id)) {
        std::string plaintext;
        std::unique_ptr<CryptoContexts> contexts = TakeContexts();
        contexts->UseGeneration(ring_generation_);
        const bool opened = DecryptGcm(*contexts, *key, field, *blob, &plaintext);
        lock.unlock();
        if (!opened) {  // the context is freed here rather than reused after a failure
          return Fail(ErrorCode::kDataLoss,
                      "sealed value under " + key_name + " for field \"" + std::string(field) +
                          "\" failed authentication (tampered, or sealed for another field)");
        }
        ReturnContexts(std::move(contexts));
        return plaintext;
      }
    }
    // Another node may have rotated since this process read the key file.
    if (attempt == 0 && !ReloadIfFileChanged()) break;
  }
  return Fail(ErrorCode::kDataLoss, "sealed value names unknown " + key_name +
                                        " (not in the key file this process loaded)");
}

std::string_view PiiVault::KeyIdOf(std::string_view sealed) {
  const size_t colon = sealed.find(':');
  return colon == std::string_view::npos ? std::string_view() : sealed.substr(0, colon);
}

std::string PiiVault::LookupHash(std::string_view field, std::string_view normalized_value) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_size = 0;
  std::unique_ptr<CryptoContexts> contexts = TakeContexts();
  bool ok;
  {
    std::shared_lock lock(mu_);
    contexts->UseGeneration(ring_generation_);
    ok = LookupMac(*contexts, ring_->lookup_key, field, normalized_value, mac, &mac_size);
  }
  if (!ok) throw std::runtime_error("HMAC-SHA256 failed");
  ReturnContexts(std::move(contexts));
  return Hex(mac, mac_size);
}

std::string PiiVault::active_key_id() const {
  std::shared_lock lock(mu_);
  return ring_->active;
}

bool PiiVault::NeedsReseal(std::string_view sealed) const {
  std::shared_lock lock(mu_);
  return KeyIdOf(sealed) != ring_->active;
}

Result<std::string> PiiVault::Rotate() {
  std::lock_guard reload_lock(reload_mu_);
  std::optional<internal::KeyFileLock> file_lock;
  if (!key_file_.empty()) {
    STEWARD_ASSIGN_OR_RETURN(auto acquired, internal::KeyFileLock::Acquire(key_file_));
    file_lock.emplace(std::move(acquired));
  }
  auto ring = std::make_unique<KeyRing>();
  {
    std::shared_lock lock(mu_);
    *ring = *ring_;
  }
  if (!key_file_.empty()) {
    // Start from what is on disk, so a key another process added is not lost nor its id reused.
    auto disk = internal::ReadKeyFile(key_file_, nullptr);
    if (disk) {
      STEWARD_TRY(internal::MergeKeyRing(*disk, key_file_, ring.get()));
    } else if (disk.error().code != ErrorCode::kNotFound) {
      return tl::unexpected(std::move(disk).error());
    }
  }
  const std::string new_id = internal::NextKeyId(*ring);
  ring->keys.push_back(
      DataKey{new_id, FormatIsoMillis(SystemClock().NowMillis()), SecretKey::Random()});
  ring->active = new_id;

  auto stamp = std::make_unique<FileStamp>();
  if (!key_file_.empty()) {
    STEWARD_TRY(internal::ReplaceKeyFile(key_file_, *ring));
    STEWARD_ASSIGN_OR_RETURN(*stamp, internal::StatKeyFile(key_file_));
  }
  SwapRing(&ring, &stamp);
  return new_id;
}

Status PiiVault::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  return ReloadLocked();
}

Status PiiVault::ReloadIfFileChanged() const {
  if (key_file_.empty()) return Ok();
  STEWARD_ASSIGN_OR_RETURN(FileStamp on_disk, internal::StatKeyFile(key_file_));
  {
    std::shared_lock lock(mu_);
    if (on_disk == *stamp_) return Ok();
  }
  std::lock_guard reload_lock(reload_mu_);
  return ReloadLocked();
}

Status PiiVault::ReloadLocked() const {
  if (key_file_.empty()) return Ok();
  auto stamp = std::make_unique<FileStamp>();
  STEWARD_ASSIGN_OR_RETURN(KeyRing disk, internal::ReadKeyFile(key_file_, stamp.get()));
  auto ring = std::make_unique<KeyRing>();
  {
    std::shared_lock lock(mu_);
    *ring = *ring_;
  }
  STEWARD_TRY(internal::MergeKeyRing(disk, key_file_, ring.get()));
  SwapRing(&ring, &stamp);
  return Ok();
}

void PiiVault::SwapRing(std::unique_ptr<KeyRing>* ring, std::unique_ptr<FileStamp>* stamp) const {
  std::unique_lock lock(mu_);
  ring_.swap(*ring);
  stamp_.swap(*stamp);
  ++ring_generation_;
}

}  // namespace steward::crypto
