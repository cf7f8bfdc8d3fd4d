// AccountStore::EnsureInitialAdmin: the first account of a new deployment.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/account.hpp"
#include "auth/permission.hpp"

namespace steward::auth {

using storage::Connection;
using storage::RowView;
using storage::WriteContext;
using storage::WriteTransaction;

namespace {

constexpr std::string_view kAdminLogin = "admin";
constexpr std::string_view kFileName = "initial-admin.txt";

tl::unexpected<Error> FileError(std::string_view what, const std::filesystem::path& path) {
  return Fail(ErrorCode::kFailedPrecondition,
              "无法写入初始管理员文件 / cannot write the initial admin file: " + std::string(what) +
                  " " + path.string() + ": " + std::strerror(errno));
}

// Writes `text` to a new file at `path` with mode 0600 (whatever the umask), replacing any.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view text) {
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("open", path);
  Status status = Ok();
  if (::fchmod(fd, 0600) != 0) status = FileError("chmod", path);
  size_t written = 0;
  while (status && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = FileError("write", path);
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (status && ::fsync(fd) != 0) status = FileError("fsync", path);
  if (::close(fd) != 0 && status) status = FileError("close", path);
  if (!status) ::unlink(path.c_str());
  return status;
}

std::string FileText(std::string_view login, std::string_view password) {
  return "Steward 初始管理员 / initial administrator\n"
         "登录名 / login: " +
         std::string(login) + "\n密码 / password: " + std::string(password) +
         "\n首次登录后须修改密码，之后请删除本文件。\n"
         "Change the password at first sign-in (the console asks), then delete this file.\n";
}

}  // namespace

Result<std::optional<InitialAdmin>> AccountStore::EnsureInitialAdmin(
    const std::filesystem::path& data_dir) {
  STEWARD_ASSIGN_OR_RETURN(auto users, database_.Read([](Connection& connection) {
    return connection.QueryInt("SELECT count(*) FROM app_user");
  }));
  if (users.value_or(0) > 0) return std::optional<InitialAdmin>();

  const WriteContext context{"system:initial_admin", storage::Source::kCli};
  STEWARD_TRY(EnsureBuiltinRoles(context));

  NewUser admin;
  admin.login = kAdminLogin;
  admin.display_name = "管理员";
  admin.password = GeneratePassword(16);
  admin.roles = {std::string(role::kCityAdmin)};
  admin.must_change_password = true;
  STEWARD_TRY(database_.Read([&](Connection& connection) -> Status {
    const std::span<const storage::Value> none;
    return connection.QueryEach(
        "SELECT id FROM org_unit WHERE parent_id IS NULL AND valid_to IS NULL ORDER BY id", none,
        [&](const RowView& row) {
          admin.units.push_back({row.Int(0), ScopeKind::kCapture});
        });
  }));
  STEWARD_ASSIGN_OR_RETURN(const std::string hash, HashPassword(admin.password, options_.password));

  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return Fail(ErrorCode::kFailedPrecondition,
                "无法创建数据目录 / cannot create the data folder " + data_dir.string() + ": " +
                    error.message());
  }
  const std::filesystem::path file = data_dir / kFileName;
  const std::filesystem::path pending = data_dir / (std::string(kFileName) + ".pending");
  // The file is written inside the transaction (a failure leaves no admin without a password on
  // disk) but takes its name only after the commit: a process that lost the race to create the
  // first admin must not overwrite the winner's password.
  auto written = database_.Write(context, [&](WriteTransaction& transaction) -> Status {
    STEWARD_TRY(InsertUser(transaction, admin, hash));
    return WritePrivateFile(pending, FileText(admin.login, admin.password));
  });
  if (!written) {
    ::unlink(pending.c_str());
    if (written.error().code == ErrorCode::kAlreadyExists) return std::optional<InitialAdmin>();
    return tl::unexpected(written.error());
  }
  if (::rename(pending.c_str(), file.c_str()) != 0) {
    return FileError("rename", file);
  }
  return std::optional<InitialAdmin>(
      InitialAdmin{std::string(kAdminLogin), std::move(admin.password), file});
}

}  // namespace steward::auth
