#pragma once

#include <string>
#include <vector>

namespace th {

// What an external command (ip, tc, ethtool) did: its exit status and everything it printed, so
// a failure can be shown to the user in the command's own words.
struct CommandResult {
  bool started = false;  // false: not found or not executable (spawn_error says why)
  int spawn_error = 0;   // errno from posix_spawnp
  int exit_code = -1;    // -1 unless it exited normally
  int signal = 0;        // the signal that ended it, or 0
  bool timed_out = false;
  int wait_error = 0;  // errno of a poll() that failed while waiting for its output; then killed
  std::string out;
  std::string err;

  bool ok() const { return started && exit_code == 0; }
  // "exit 2: Error: Specified qdisc kind is unknown." for messages.
  std::string failure() const;
};

// Runs argv[0] (searched in PATH) with stdin from /dev/null and waits at most timeout_ms, killing
// it then (or as soon as waiting for its output fails: wait_error says why). The child gets a
// process group of its own, so a Ctrl-C meant for the harness does not kill a teardown command
// half-way; the harness stops its run and tears down itself. With netns_fd >= 0 the command starts
// inside that network namespace.
CommandResult run_command(const std::vector<std::string>& argv, int netns_fd = -1,
                          int timeout_ms = 10'000);

// The command line as one string, for messages.
std::string command_text(const std::vector<std::string>& argv);

}  // namespace th
