#include "voice/internal/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace steward::voice::internal {
namespace {

// Closes a descriptor once; -1 means closed.
void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

struct Pipe {
  int read = -1;
  int write = -1;
  bool Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  void Close() {
    CloseFd(read);
    CloseFd(write);
  }
};

std::string FirstLine(const std::string& text) {
  const auto end = text.find('\n');
  return text.substr(0, std::min<size_t>(end, 200));
}

}  // namespace

Result<std::string> RunProcess(const std::vector<std::string>& argv, const std::string& input,
                               std::chrono::milliseconds timeout) {
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) {
    in.Close();
    out.Close();
    err.Close();
    return Fail(ErrorCode::kUnavailable,
                std::string("cannot create pipes: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  CloseFd(in.read);
  CloseFd(out.write);
  CloseFd(err.write);
  if (spawned != 0) {
    in.Close();
    out.Close();
    err.Close();
    return Fail(ErrorCode::kUnavailable, argv[0] + " cannot be started: " + std::strerror(spawned));
  }
  ::fcntl(in.write, F_SETFL, O_NONBLOCK);

  std::string output, errors;
  size_t written = 0;
  if (input.empty()) CloseFd(in.write);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (out.read >= 0 || err.read >= 0) {
    pollfd fds[3];
    int count = 0;
    if (in.write >= 0) fds[count++] = {in.write, POLLOUT, 0};
    if (out.read >= 0) fds[count++] = {out.read, POLLIN, 0};
    if (err.read >= 0) fds[count++] = {err.read, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, count, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.write) {
        const ssize_t n = ::write(in.write, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN) written = input.size();
        if (written == input.size()) CloseFd(in.write);
      } else {
        char buffer[65536];
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          (fds[i].fd == out.read ? output : errors).append(buffer, static_cast<size_t>(n));
        } else if (n == 0 || errno != EAGAIN) {
          CloseFd(fds[i].fd == out.read ? out.read : err.read);
        }
      }
    }
  }
  in.Close();
  out.Close();
  err.Close();
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Fail(ErrorCode::kUnavailable,
                argv[0] + " took longer than " + std::to_string(timeout.count()) + " ms");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(ErrorCode::kUnavailable, argv[0] + " failed: " + FirstLine(errors));
  }
  return output;
}

}  // namespace steward::voice::internal
