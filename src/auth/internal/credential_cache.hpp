// Sessions and API tokens as the database last answered for them, so that most requests are
// authenticated without a query (and the HTTP server can answer cached pages on its io threads).
//
// An entry is keyed by the credential itself (in memory only, like the request that carried it:
// a cached request then costs no hashing; never written anywhere) and holds the
// Database::generation() read before the database was asked. It is used only while the generation
// has not moved (any recorded change: a revoked token, a disabled user, a changed password ends
// every entry), while the credential is still valid by its own clock fields, and for a session
// while no refresh of its expiry is due (the refresh is a write: LookupSession does it). Sign-outs
// are not recorded changes: Logout forgets its entry itself, and a session entry is kept at most
// kSessionMillis so a sign-out in another process of the deployment counts within that time.
// Threads: thread-safe; one mutex guards the table.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "auth/account.hpp"

namespace steward::auth::internal {

class CredentialCache {
 public:
  static constexpr size_t kMaxEntries = 16384;
  static constexpr int64_t kSessionMillis = 2000;

  explicit CredentialCache(int64_t session_refresh_millis)
      : session_refresh_millis_(session_refresh_millis) {}

  std::optional<Session> FindSession(std::string_view token, uint64_t generation,
                                     int64_t now) const;
  std::optional<ApiToken> FindToken(std::string_view token, uint64_t generation, int64_t now) const;
  void Store(std::string_view token, uint64_t generation, int64_t now,
             std::variant<Session, ApiToken> credential);
  void Forget(std::string_view token);

 private:
  struct Entry {
    uint64_t generation = 0;
    int64_t stored_at = 0;
    std::variant<Session, ApiToken> credential;
  };
  const int64_t session_refresh_millis_;
  mutable std::mutex mutex_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;  // guarded by mutex_
};

}  // namespace steward::auth::internal
