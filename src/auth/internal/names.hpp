// Validation of logins and role codes, shared by the account store's files.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace steward::auth::internal {

// 2-64 characters of a-z 0-9 . _ - @ after ASCII lower-casing; kInvalidArgument otherwise.
Result<std::string> NormalizeLogin(std::string_view login);
// 2-64 characters of a-z 0-9 _; kInvalidArgument otherwise.
Status CheckRoleCode(std::string_view code);

}  // namespace steward::auth::internal
