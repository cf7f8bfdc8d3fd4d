#include "crypto/pii_vault.hpp"

#include <climits>
#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext NewCipherContext() {
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return context;
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* Bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

// Writes nonce | ciphertext | tag into `blob`, which must be sized for it.
void EncryptGcm(const SecretKey& key, std::string_view field, std::string_view plaintext,
                std::string* blob) {
  if (plaintext.size() > INT_MAX / 2 || field.size() > INT_MAX / 2) {
    throw std::length_error("PiiVault::Seal: value too large");
  }
  unsigned char* nonce = Bytes(*blob);
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + plaintext.size();
  if (RAND_bytes(nonce, int(kNonceBytes)) != 1) throw std::runtime_error("RAND_bytes failed");

  CipherContext context = NewCipherContext();
  int length = 0;
  const bool ok =
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
      EVP_EncryptUpdate(context.get(), nullptr, &length, Bytes(field), int(field.size())) == 1 &&
      EVP_EncryptUpdate(context.get(), ciphertext, &length, Bytes(plaintext),
                        int(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), ciphertext + length, &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, int(kTagBytes), tag) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
}

// Returns false if authentication fails; `plaintext` is then wiped.
bool DecryptGcm(const SecretKey& key, std::string_view field, std::string_view blob,
                std::string* plaintext) {
  if (blob.size() > INT_MAX / 2 || field.size() > INT_MAX / 2) return false;
  const unsigned char* nonce = Bytes(blob);
  const unsigned char* ciphertext = nonce + kNonceBytes;
  const size_t ciphertext_size = blob.size() - kNonceBytes - kTagBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  unsigned char tag[kTagBytes];
  std::memcpy(tag, ciphertext + ciphertext_size, kTagBytes);
  plaintext->assign(ciphertext_size, '\0');

  CipherContext context = NewCipherContext();
  int length = 0;
  const bool ok =
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, Bytes(field), int(field.size())) == 1 &&
      EVP_DecryptUpdate(context.get(), Bytes(*plaintext), &length, ciphertext,
                        int(ciphertext_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(kTagBytes), tag) == 1 &&
      EVP_DecryptFinal_ex(context.get(), Bytes(*plaintext) + length, &length) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext->data(), plaintext->size());
    plaintext->clear();
  }
  return ok;
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

std::string PiiVault::Seal(std::string_view field, std::string_view plaintext) const {
  std::string blob(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  std::string key_id;
  {
    std::shared_lock lock(mu_);
    const DataKey* key = ring_->Find(ring_->active);
    EncryptGcm(key->secret, field, plaintext, &blob);
    key_id = key->id;
  }
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
        if (!DecryptGcm(key->secret, field, *blob, &plaintext)) {
          return Fail(ErrorCode::kDataLoss,
                      "sealed value under " + key_name + " for field \"" + std::string(field) +
                          "\" failed authentication (tampered, or sealed for another field)");
        }
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
  std::string message;
  message.reserve(field.size() + 1 + normalized_value.size());
  message.append(field);
  message += '\0';
  message.append(normalized_value);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  bool ok;
  {
    std::shared_lock lock(mu_);
    ok = HMAC(EVP_sha256(), ring_->lookup_key.data(), int(internal::kSecretBytes), Bytes(message),
              message.size(), mac, &mac_size) != nullptr;
  }
  OPENSSL_cleanse(message.data(), message.size());
  if (!ok) throw std::runtime_error("HMAC-SHA256 failed");
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
  std::unique_lock lock(mu_);
  ring_.swap(ring);
  stamp_.swap(stamp);
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
  std::unique_lock lock(mu_);
  ring_.swap(ring);
  stamp_.swap(stamp);
  return Ok();
}

}  // namespace steward::crypto
