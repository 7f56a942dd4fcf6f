#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "run_helpers.hpp"

namespace th {
namespace {

// `tcpharness serve` as a separate process, the way a user starts it on another host.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& protocol) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
      execl(TCPHARNESS_BINARY, "tcpharness", "serve", "--protocol", protocol.c_str(), "--threads",
            "2", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(pipe_fds[1]);
    output_ = fdopen(pipe_fds[0], "r");
    char line[256] = {};
    if (fgets(line, sizeof line, output_) != nullptr) first_line_ = line;
  }

  ~ServeProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (output_ != nullptr) fclose(output_);
  }

  // "listening on 127.0.0.1:PORT (...)" -> "127.0.0.1:PORT"
  std::string address() const {
    const std::string prefix = "listening on ";
    if (first_line_.rfind(prefix, 0) != 0) return "";
    return first_line_.substr(prefix.size(), first_line_.find(' ', prefix.size()) - prefix.size());
  }

  // Sends `signal` and waits up to five seconds for a clean exit; returns the exit status or -1.
  int stop_with(int signal) {
    kill(pid_, signal);
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 10) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* output_ = nullptr;
  std::string first_line_;
  bool reaped_ = false;
};

TEST(ServeCommand, PrintsItsAddressServesLoadAndStopsOnSigint) {
  ServeProcess server("http");
  ASSERT_FALSE(server.address().empty()) << "serve did not print its address";
  EXPECT_EQ(server.address().rfind("127.0.0.1:", 0), 0u) << "serve must default to loopback";
  const RunResult result = testing::run_scenario(
      {{"target", server.address()}, {"connections", 4}, {"requests", 2000}, {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 2000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(server.stop_with(SIGINT), 0);
}

TEST(ServeCommand, EchoServerStopsOnSigtermWithConnectionsOpen) {
  ServeProcess server("echo");
  ASSERT_FALSE(server.address().empty());
  const RunResult result = testing::run_scenario({{"target", server.address()},
                                                  {"protocol", "echo"},
                                                  {"connections", 2},
                                                  {"requests", 500},
                                                  {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 500u);
  EXPECT_EQ(server.stop_with(SIGTERM), 0);
}

}  // namespace
}  // namespace th
