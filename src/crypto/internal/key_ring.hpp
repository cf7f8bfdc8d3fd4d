// KeyRing: the vault's keys in memory, and the key file they are read from and written to.
//
// Key file (JSON, mode 0600):
//   {"format":1,"active":"k2",
//    "keys":[{"id":"k1","created":"<ISO time>","secret":"<base64 32 bytes>"},...],
//    "lookup_key":"<base64 32 bytes>"}
// Files are created with O_CREAT|O_EXCL at mode 0600 and moved into place with link()/rename(), so
// the file at the key path is always complete and never readable by group or others.
// Secrets are wiped from memory when a SecretKey is destroyed (best effort: JSON text and the
// library's own copies are wiped where this code owns them).
// Thread-safety: plain values and free functions; PiiVault does the locking.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace steward::crypto::internal {

inline constexpr size_t kSecretBytes = 32;

// 32 secret bytes that are zeroed when destroyed.
class SecretKey {
 public:
  SecretKey() { bytes_.fill(0); }
  explicit SecretKey(std::string_view raw);  // raw.size() must be kSecretBytes
  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  ~SecretKey();

  static SecretKey Random();  // from RAND_bytes; throws std::runtime_error if the RNG fails

  const unsigned char* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  bool operator==(const SecretKey& other) const;  // constant time

 private:
  std::array<unsigned char, kSecretBytes> bytes_;
};

struct DataKey {
  std::string id;       // "k1", "k2", ...: [A-Za-z][A-Za-z0-9_-]{0,31}, never contains ':'
  std::string created;  // ISO-8601, informational
  SecretKey secret;
};

struct KeyRing {
  std::string active;         // id of the key Seal uses; always one of `keys`
  std::vector<DataKey> keys;  // ids unique
  SecretKey lookup_key;       // HMAC key for LookupHash; never rotated

  const DataKey* Find(std::string_view id) const;
};

// Identifies one version of the key file on disk, so a reader can tell it was replaced.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  int64_t mtime_nanos = 0;
  int64_t size = -1;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

bool IsValidKeyId(std::string_view id);

// "k<n+1>" where n is the largest number among ids of the form "k<digits>" (0 if none).
std::string NextKeyId(const KeyRing& ring);

// Parses and validates key file text. Errors never quote secrets.
Result<KeyRing> ParseKeyRing(std::string_view text, const std::filesystem::path& origin);
std::string SerializeKeyRing(const KeyRing& ring);

// Adds `disk`'s keys to `memory` and takes `disk`'s active key. kDataLoss if the two disagree
// about a key's secret or the lookup key (two files that are not versions of one another).
Status MergeKeyRing(const KeyRing& disk, const std::filesystem::path& origin, KeyRing* memory);

// kNotFound if missing; kFailedPrecondition if group/other may read it or it is not a regular file.
Result<KeyRing> ReadKeyFile(const std::filesystem::path& path, FileStamp* stamp);
Result<FileStamp> StatKeyFile(const std::filesystem::path& path);

// Creates the key file (and missing parent directories, mode 0700) holding `ring`.
// kAlreadyExists if a key file appeared meanwhile (another process won the race).
Status CreateKeyFile(const std::filesystem::path& path, const KeyRing& ring);

// Replaces the key file atomically: temp file (0600) in the same directory, fsync, rename, fsync
// of the directory.
Status ReplaceKeyFile(const std::filesystem::path& path, const KeyRing& ring);

// Holds an exclusive flock on "<key file>.lock" for its lifetime, serialising rotations by
// processes on one host (and on NFS where flock is supported).
class KeyFileLock {
 public:
  static Result<KeyFileLock> Acquire(const std::filesystem::path& key_file);
  KeyFileLock(KeyFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  KeyFileLock& operator=(KeyFileLock&&) = delete;
  ~KeyFileLock();

 private:
  explicit KeyFileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace steward::crypto::internal
