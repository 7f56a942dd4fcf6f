#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace th::testing {

struct CliOutcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A fixture with a directory of its own under /tmp for the test's files, removed afterwards.
class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tcpharness-test-XXXXXX";
    scratch_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(scratch_); }

  std::string write_scenario(const std::string& name, const std::string& text) {
    const std::string path = scratch_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string scratch_;
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
