// run_command: how an external command's end is reported (ip, tc and ethtool build shaped links).
#include "host/command.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace {

// What the next calls of poll() in this thread do instead of polling: fail with this errno, as
// many times as calls_to_fail says (0: poll really).
thread_local int poll_fails_with = 0;
thread_local int calls_to_fail = 0;

}  // namespace

// This test binary's own poll(), which the linker binds run_command's calls to instead of libc's,
// so that they can be made to fail: no real poll() on two pipes fails on demand. Every call not
// told to fail, in any thread, goes on to libc's.
extern "C" int poll(pollfd* fds, nfds_t count, int timeout_ms) {
  if (calls_to_fail > 0) {
    --calls_to_fail;
    errno = poll_fails_with;
    return -1;
  }
  using Poll = int (*)(pollfd*, nfds_t, int);
  static const auto real_poll = reinterpret_cast<Poll>(dlsym(RTLD_NEXT, "poll"));
  return real_poll(fds, count, timeout_ms);
}

namespace th {
namespace {

struct FailPoll {
  FailPoll(int error, int times) {
    poll_fails_with = error;
    calls_to_fail = times;
  }
  ~FailPoll() { calls_to_fail = 0; }
};

TEST(RunCommand, PollFailureIsReportedWithItsErrnoNotAsATimeout) {
  const FailPoll failing(ENOMEM, 1);
  const CommandResult result = run_command({"sleep", "5"}, -1, 10'000);
  EXPECT_TRUE(result.started);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.wait_error, ENOMEM);
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.failure().find(std::strerror(ENOMEM)), std::string::npos) << result.failure();
  EXPECT_EQ(result.failure().find("in time"), std::string::npos) << result.failure();
}

TEST(RunCommand, InterruptedPollIsRetried) {
  const FailPoll interrupted(EINTR, 3);
  const CommandResult result = run_command({"echo", "hello"});
  EXPECT_TRUE(result.ok()) << result.failure();
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.wait_error, 0);
  EXPECT_EQ(result.out, "hello\n");
}

TEST(RunCommand, CommandPastItsTimeoutIsKilledAndReportedAsTimedOut) {
  const CommandResult result = run_command({"sleep", "5"}, -1, 100);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.wait_error, 0);
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(result.failure(), "did not finish in time and was killed");
}

TEST(RunCommand, MissingCommandSaysItCannotRun) {
  const CommandResult result = run_command({"tcpharness-no-such-command"});
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.spawn_error, ENOENT);
  EXPECT_EQ(result.failure(), std::string("cannot run it: ") + std::strerror(ENOENT));
}

}  // namespace
}  // namespace th
