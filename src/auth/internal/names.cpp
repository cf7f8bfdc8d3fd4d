#include "auth/internal/names.hpp"

namespace steward::auth::internal {

Result<std::string> NormalizeLogin(std::string_view login) {
  std::string normalized;
  bool valid = login.size() >= 2 && login.size() <= 64;
  for (char c : login) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                         c == '-' || c == '@';
    valid = valid && allowed;
    normalized += c;
  }
  if (!valid) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "登录名须为 2-64 位字母、数字或 . _ - @ / a login is 2-64 letters, digits or . _ - @",
        {{"login", "login.invalid",
          "登录名须为 2-64 位字母、数字或 . _ - @ / a login is 2-64 letters, digits or . _ - "
          "@"}});
  }
  return normalized;
}

Status CheckRoleCode(std::string_view code) {
  bool valid = code.size() >= 2 && code.size() <= 64;
  for (const char c : code) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!valid) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "角色代码须为 2-64 位小写字母、数字或 _ / a role code is 2-64 of a-z, 0-9 and _",
        {{"code", "role.invalid_code",
          "角色代码须为 2-64 位小写字母、数字或 _ / a role code is 2-64 of a-z, 0-9 and _"}});
  }
  return Ok();
}

}  // namespace steward::auth::internal
