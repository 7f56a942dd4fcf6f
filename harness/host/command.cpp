#include "host/command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>

#include "host/network_namespace.hpp"

extern char** environ;

namespace th {
namespace {

// Output past this is dropped: ip and tc print a few lines; the cap bounds a runaway command.
constexpr size_t kMaxOutputBytes = 1 << 20;

class Pipe {
 public:
  Pipe() { ok_ = pipe2(fds_, O_CLOEXEC) == 0; }
  ~Pipe() {
    close_read();
    close_write();
  }
  bool ok() const { return ok_; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
  bool ok_ = false;
};

pid_t spawn(const std::vector<std::string>& argv, const Pipe& out, const Pipe& err, int* error) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The harness ignores SIGPIPE and catches SIGINT; the command gets the defaults back.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  *error = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return *error == 0 ? pid : -1;
}

// Reads both pipes until they close (returns 0), the deadline passes (ETIMEDOUT, which poll()
// itself never fails with) or poll() fails (its errno). A signal interrupting poll() or read()
// is no failure: they are called again.
int drain(Pipe& out, Pipe& err, CommandResult& result, int timeout_ms) {
  const auto deadline_ms = [] {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1'000'000;
  };
  const int64_t end_ms = deadline_ms() + timeout_ms;
  std::string* sinks[2] = {&result.out, &result.err};
  Pipe* pipes[2] = {&out, &err};
  while (out.read_end() >= 0 || err.read_end() >= 0) {
    pollfd fds[2] = {{out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}};
    const int64_t left_ms = end_ms - deadline_ms();
    if (left_ms <= 0) return ETIMEDOUT;
    const int ready = poll(fds, 2, static_cast<int>(left_ms));
    if (ready < 0 && errno != EINTR) return errno;
    for (int index = 0; index < 2 && ready > 0; ++index) {
      if (fds[index].fd < 0 || fds[index].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[index].fd, buffer, sizeof buffer);
      if (got > 0) {
        if (sinks[index]->size() < kMaxOutputBytes) sinks[index]->append(buffer, size_t(got));
      } else if (got == 0 || errno != EINTR) {
        pipes[index]->close_read();
      }
    }
  }
  return 0;
}

std::string trimmed(const std::string& text) {
  const size_t end = text.find_last_not_of(" \n\t");
  return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

}  // namespace

std::string CommandResult::failure() const {
  if (!started) return fmt::format("cannot run it: {}", std::strerror(spawn_error));
  if (timed_out) return "did not finish in time and was killed";
  if (wait_error != 0) {
    return fmt::format("waiting for its output failed (poll: {}), so it was killed",
                       std::strerror(wait_error));
  }
  const std::string said = trimmed(err.empty() ? out : err);
  const std::string how =
      signal != 0 ? fmt::format("killed by signal {}", signal) : fmt::format("exit {}", exit_code);
  return said.empty() ? how : how + ": " + said;
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

CommandResult run_command(const std::vector<std::string>& argv, int netns_fd, int timeout_ms) {
  CommandResult result;
  Pipe out;
  Pipe err;
  if (!out.ok() || !err.ok()) {
    result.spawn_error = errno;
    return result;
  }
  pid_t pid = -1;
  {
    // posix_spawn returns once the child has exec'd, so the namespace is only borrowed that long.
    std::optional<NetworkNamespaceGuard> inside;
    if (netns_fd >= 0) inside.emplace(netns_fd);
    pid = spawn(argv, out, err, &result.spawn_error);
  }
  out.close_write();
  err.close_write();
  if (pid < 0) return result;
  result.started = true;
  if (const int error = drain(out, err, result, timeout_ms); error != 0) {
    // Either way nothing more can be read from it, and waitpid below must not wait for ever.
    if (error == ETIMEDOUT) {
      result.timed_out = true;
    } else {
      result.wait_error = error;
    }
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace th
