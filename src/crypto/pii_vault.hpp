// PiiVault: encryption at rest of personal data (ID numbers, phone numbers) and the keyed hashes
// used to find a row by such a value without storing it in clear.
//
// Seal() encrypts one field value with AES-256-GCM under the active data key, using the field name
// (e.g. "id_number", "phone") as associated data so a ciphertext cannot be moved to another field.
// The result is text, "<key_id>:<base64url-nopad(nonce|ciphertext|tag)>", for TEXT columns on both
// SQLite and PostgreSQL. Every ciphertext names its key, so keys can rotate and several nodes
// sharing one key file can read each other's rows. LookupHash() is an HMAC-SHA256 under a separate
// lookup key, equal for equal (field, normalised value) in every process sharing the key file.
//
// Ownership: the vault owns its keys (wiped from memory on destruction) and is the only writer of
// its key file. Callers own the strings they pass and get back; nothing is logged, and error
// messages never contain plaintext, ciphertext or keys.
//
// Key file: JSON, mode 0600, created by OpenOrCreate() and rewritten atomically by Rotate(); a file
// that group or others may read is refused. Rotate() adds a data key and makes it active; old keys
// stay so old rows still open, and a re-encryption job finds them with NeedsReseal(). The lookup
// key is NOT rotated: rotating it would change every LookupHash and need a re-hash of all rows, so
// it would be a separate, offline migration.
//
// Threads: every method may be called from any thread. Seal/Open/LookupHash/NeedsReseal take the
// key-ring lock shared; Rotate/Reload build the new ring aside and take it exclusively only to
// swap it in. Rotations by other processes on the same host are serialised by a flock on
// "<key file>.lock".
//
// Speed: keyed OpenSSL contexts (the HMAC with the lookup key, an AES-GCM context with the key
// schedule of the last data key used) and a block of random nonce bytes are kept in a small pool of
// idle context sets; a call borrows one set under `contexts_mu_` (held only to pop and push), uses
// it with no lock but the key-ring lock, and gives it back. The pool belongs to the vault, so its
// key material is freed (and wiped by OpenSSL) with the vault; a ring swap bumps a generation that
// makes every set key itself again. Nonces stay 96 random bits from RAND_bytes, drawn in blocks;
// a block is dropped in a child after fork(), so parent and child never share nonces.
//
// Invariants: the active key is always in the ring; keys are only ever added, never removed or
// changed; a key id never contains ':'.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace steward::crypto {

namespace internal {
struct KeyRing;
struct FileStamp;
struct CryptoContexts;
}  // namespace internal

class PiiVault {
 public:
  // Loads `key_file`, or creates it (and missing parent directories, mode 0700) with one fresh
  // data key and a lookup key, at mode 0600. kFailedPrecondition if the file is readable by group
  // or others; kDataLoss if it is not a valid key file.
  static Result<std::unique_ptr<PiiVault>> OpenOrCreate(const std::filesystem::path& key_file);
  // Like OpenOrCreate but never creates: kNotFound if the file is missing.
  static Result<std::unique_ptr<PiiVault>> Open(const std::filesystem::path& key_file);
  // In-memory vault whose keys are derived from `seed` (same seed, same keys, same LookupHash).
  // For tests only; it has no key file, so Rotate() changes memory only.
  static std::unique_ptr<PiiVault> ForTesting(std::string_view seed);

  ~PiiVault();
  PiiVault(const PiiVault&) = delete;
  PiiVault& operator=(const PiiVault&) = delete;

  // Encrypts `plaintext` for column `field` under the active key with a fresh random nonce, so two
  // seals of one value differ. Throws std::runtime_error only if the system RNG or OpenSSL fails.
  std::string Seal(std::string_view field, std::string_view plaintext) const;

  // Decrypts a value from Seal() for the same `field`. kDataLoss when the key id is unknown, the
  // text is not canonical base64url, or authentication fails (tampering, wrong field, wrong key).
  // An unknown key id first re-reads the key file if it changed on disk (another node rotated).
  Result<std::string> Open(std::string_view field, std::string_view sealed) const;

  // The key id a sealed value names ("" if it has no "<id>:" prefix). Does not check the rest.
  static std::string_view KeyIdOf(std::string_view sealed);

  // Lower-case hex HMAC-SHA256 of field + '\0' + normalized_value under the lookup key. Callers
  // normalise first (e.g. upper-case the ID number's check letter, strip phone separators).
  std::string LookupHash(std::string_view field, std::string_view normalized_value) const;

  std::string active_key_id() const;

  // Adds a random data key with the next id ("k<n+1>"), makes it active and rewrites the key file
  // atomically (temp file 0600 in the same directory, fsync, rename). Keys another process added
  // to the file meanwhile are kept. Returns the new key id.
  Result<std::string> Rotate();

  // Re-reads the key file, adding keys other nodes created and adopting the file's active key.
  // kDataLoss if the file on disk disagrees with a key already loaded. No-op for ForTesting vaults.
  Status Reload();

  // True when `sealed` was sealed under a key other than the active one, or names no key at all
  // (the re-encryption job then opens and reseals it, or reports it).
  bool NeedsReseal(std::string_view sealed) const;

 private:
  PiiVault(std::filesystem::path key_file, std::unique_ptr<internal::KeyRing> ring,
           std::unique_ptr<internal::FileStamp> stamp);

  static Result<std::unique_ptr<PiiVault>> Load(const std::filesystem::path& key_file);
  // Re-reads the key file if its stamp changed since it was last read; const because the ring is a
  // cache of the file and Open() is logically read-only.
  Status ReloadIfFileChanged() const;
  Status ReloadLocked() const;  // requires reload_mu_
  // Swaps in a new ring and stamp; requires reload_mu_, takes mu_ exclusively.
  void SwapRing(std::unique_ptr<internal::KeyRing>* ring,
                std::unique_ptr<internal::FileStamp>* stamp) const;

  // An idle context set from the pool, or a new one; ReturnContexts puts it back (a set whose
  // call failed is freed instead, so no context in an unknown state is reused).
  std::unique_ptr<internal::CryptoContexts> TakeContexts() const;
  void ReturnContexts(std::unique_ptr<internal::CryptoContexts> contexts) const;

  const std::filesystem::path key_file_;  // empty for ForTesting vaults

  // Serialises Rotate/Reload within this process, so one ring replacement builds on the last.
  mutable std::mutex reload_mu_;

  // Guards ring_ and stamp_: shared to read keys, exclusive to swap in a new ring.
  mutable std::shared_mutex mu_;
  mutable std::unique_ptr<internal::KeyRing> ring_;     // guarded by mu_; never null
  mutable std::unique_ptr<internal::FileStamp> stamp_;  // guarded by mu_; key file as last read
  mutable uint64_t ring_generation_ = 1;  // guarded by mu_; bumped whenever ring_ is replaced

  // Guards idle_contexts_ only: held just to pop or push, and no other lock is taken under it.
  mutable std::mutex contexts_mu_;
  // guarded by contexts_mu_
  mutable std::vector<std::unique_ptr<internal::CryptoContexts>> idle_contexts_;
};

}  // namespace steward::crypto
