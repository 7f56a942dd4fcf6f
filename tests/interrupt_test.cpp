// Ctrl-C and SIGTERM on a real `tcpharness run` in a process group of its own, delivered the
// way `timeout`, CI runners and people deliver them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace th {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::read_file;

constexpr const char* kStoppingLine =
    "tcpharness: stopping: finishing in-flight requests and writing the report; Ctrl-C again to "
    "abort\n";

// `tcpharness run` of a 10 s quickstart writing `report`, started from the source tree as the
// leader of its own process group, both streams captured.
class RunInBackground {
 public:
  // `overrides`: more --set KEY=VALUE, after the 10 s, no warm-up, 2 connections.
  RunInBackground(const std::string& directory, const std::string& report,
                  const std::vector<std::string>& overrides = {})
      : directory_(directory) {
    std::vector<std::string> words = {"tcpharness", "run",           "scenarios/quickstart.json",
                                      "--set",      "duration_s=10", "--set",
                                      "warmup_s=0", "--set",         "connections=2",
                                      "--out",      report};
    for (const std::string& override_text : overrides)
      words.insert(words.end(), {"--set", override_text});
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      if (chdir(TCPHARNESS_SOURCE_DIR) != 0) _exit(127);
      freopen((directory + "/out").c_str(), "w", stdout);
      freopen((directory + "/err").c_str(), "w", stderr);
      execv(TCPHARNESS_BINARY, argv.data());
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);  // as the child does: whichever runs first
  }
  ~RunInBackground() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  RunInBackground(const RunInBackground&) = delete;
  RunInBackground& operator=(const RunInBackground&) = delete;

  pid_t pid() const { return pid_; }
  std::string err() const { return read_file(directory_ + "/err"); }

  // Once the run has begun ("[1/1] quickstart: ..."), the handlers are in place.
  bool wait_until_running() {
    return eventually([&] { return err().find("[1/1]") != std::string::npos || !running(); },
                      10s) &&
           running();
  }

  bool running() {
    if (reaped_ || pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
    reaped_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }

  // The exit code, or -1 if it does not end within 10 s or a signal killed it.
  int wait_for_exit() {
    eventually([&] { return !running(); }, 10s);
    return exit_code_;
  }

 private:
  std::string directory_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
};

std::vector<std::string> temporary_files(const std::string& directory) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".tmp") found.push_back(entry.path().filename());
  }
  return found;
}

// Whether a signal sent to the process `pid` as a whole is still waiting to be delivered: bit
// signal - 1 of ShdPnd in /proc/PID/status (proc(5)). Two sends of one signal before its delivery
// merge into one, which would hide the second.
bool still_pending(pid_t pid, int signal) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("ShdPnd:");
  if (at == std::string::npos) return false;
  const uint64_t mask = std::stoull(status.substr(at + 7), nullptr, 16);
  return (mask >> (signal - 1)) & 1;
}

size_t occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

class Interrupt : public ::testing::Test {
 protected:
  testing::ScratchDir scratch_;
  std::string report_ = scratch_.path() + "/report.json";
};

TEST_F(Interrupt, SignalDeliveredTwiceAtOnceStillWritesThePartialReport) {
  RunInBackground run(scratch_.path(), report_);
  ASSERT_TRUE(run.wait_until_running()) << run.err();
  std::this_thread::sleep_for(300ms);  // some requests answered
  // What `timeout` does on its own SIGINT: the child, then the child's process group, as soon as
  // the first has reached the child (well within a millisecond).
  kill(run.pid(), SIGINT);
  ASSERT_TRUE(eventually([&] { return !still_pending(run.pid(), SIGINT); }, 1s, 0ms));
  kill(-run.pid(), SIGINT);
  EXPECT_EQ(run.wait_for_exit(), 130) << run.err();
  EXPECT_EQ(occurrences(run.err(), kStoppingLine), 1u) << run.err();
  EXPECT_EQ(run.err().find("aborted"), std::string::npos) << run.err();
  ASSERT_TRUE(std::filesystem::exists(report_));
  const nlohmann::json report = nlohmann::json::parse(read_file(report_));
  EXPECT_TRUE(report.at("interrupted").get<bool>());
  ASSERT_EQ(report.at("runs").size(), 1u);
  EXPECT_EQ(report.at("runs").at(0).at("stopped_by"), "interrupted");
  EXPECT_GT(report.at("runs").at(0).at("requests").at("ok").get<uint64_t>(), 0u);
  EXPECT_TRUE(temporary_files(scratch_.path()).empty());
}

TEST_F(Interrupt, SecondSignalASecondLaterAbortsAndRemovesTheTemporaryFile) {
  RunInBackground run(scratch_.path(), report_);
  ASSERT_TRUE(run.wait_until_running()) << run.err();
  // A FIFO where the report's temporary file goes: opening it blocks until a reader comes, so
  // the second signal finds the report being written, as a slow disk would leave it.
  const std::string temporary = report_ + "." + std::to_string(run.pid()) + ".tmp";
  ASSERT_EQ(mkfifo(temporary.c_str(), 0644), 0);
  kill(run.pid(), SIGINT);
  // Said at once, while the run is still finishing.
  EXPECT_TRUE(eventually([&] { return run.err().find(kStoppingLine) != std::string::npos; }, 500ms))
      << run.err();
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(run.running()) << run.err();
  kill(run.pid(), SIGINT);
  EXPECT_EQ(run.wait_for_exit(), 130) << run.err();
  EXPECT_NE(run.err().find("tcpharness: aborted by a second signal: no report written\n"),
            std::string::npos)
      << run.err();
  EXPECT_TRUE(temporary_files(scratch_.path()).empty());
  EXPECT_FALSE(std::filesystem::exists(report_));
}

// A server slowed by server.delay_us works through every request it has read before its loop
// looks up again; stopping used to wait for all of them (8 connections x 1 s queued: 8 s and
// more). Now only the delay already begun runs out, then the grace period.
TEST_F(Interrupt, StoppingDoesNotWaitForEveryQueuedServerDelay) {
  RunInBackground run(scratch_.path(), report_,
                      {"connections=8", "server.delay_us=1000000", "timeout_ms=20000"});
  ASSERT_TRUE(run.wait_until_running()) << run.err();
  std::this_thread::sleep_for(1500ms);  // every connection's request read and queued
  const auto signalled = std::chrono::steady_clock::now();
  kill(run.pid(), SIGINT);
  EXPECT_EQ(run.wait_for_exit(), 130) << run.err();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 6s) << run.err();
  EXPECT_TRUE(std::filesystem::exists(report_));
}

}  // namespace
}  // namespace th
