#include "auth/internal/credential_cache.hpp"

namespace steward::auth::internal {

std::optional<Session> CredentialCache::FindSession(std::string_view token, uint64_t generation,
                                                    int64_t now) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(token);
  if (found == entries_.end() || found->second.generation != generation) return std::nullopt;
  const auto* session = std::get_if<Session>(&found->second.credential);
  if (session == nullptr || now - found->second.stored_at >= kSessionMillis ||
      now >= session->expires_at || now - session->last_seen_at >= session_refresh_millis_) {
    return std::nullopt;
  }
  return *session;
}

std::optional<ApiToken> CredentialCache::FindToken(std::string_view token, uint64_t generation,
                                                   int64_t now) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(token);
  if (found == entries_.end() || found->second.generation != generation) return std::nullopt;
  const auto* api_token = std::get_if<ApiToken>(&found->second.credential);
  if (api_token == nullptr || api_token->revoked_at ||
      (api_token->expires_at && now >= *api_token->expires_at)) {
    return std::nullopt;
  }
  return *api_token;
}

void CredentialCache::Store(std::string_view token, uint64_t generation, int64_t now,
                            std::variant<Session, ApiToken> credential) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(std::string(token), Entry{generation, now, std::move(credential)});
}

void CredentialCache::Forget(std::string_view token) {
  std::lock_guard lock(mutex_);
  if (auto found = entries_.find(token); found != entries_.end()) entries_.erase(found);
}

}  // namespace steward::auth::internal
