#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace th::testing {

struct CliOutcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// Runs the real binary through the shell, as a user would, from the source tree (so relative
// scenario paths work) and captures both streams.
inline CliOutcome run_cli(const std::string& arguments, const std::string& scratch_dir) {
  const std::string out_path = scratch_dir + "/stdout.txt";
  const std::string err_path = scratch_dir + "/stderr.txt";
  const std::string command = std::string("cd '") + TCPHARNESS_SOURCE_DIR + "' && '" +
                              TCPHARNESS_BINARY + "' " + arguments + " >'" + out_path + "' 2>'" +
                              err_path + "' </dev/null";
  const int status = std::system(command.c_str());
  CliOutcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = read_file(out_path);
  outcome.err = read_file(err_path);
  return outcome;
}

}  // namespace th::testing
