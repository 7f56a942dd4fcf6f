#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace th::testing {

struct CliOutcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A fixture with a directory of its own under /tmp for the test's files, removed afterwards.
class ScratchDirTest : public ::testing::Test {
 protected:
  // Writes `text` to the file `name` in the scratch directory; returns its path.
  std::string write_file(const std::string& name, const std::string& text) {
    return scratch_dir_.write(name, text);
  }

  ScratchDir scratch_dir_;
  std::string scratch_ = scratch_dir_.path();
};

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

// `tcpharness run scenarios/quickstart.json -q` with `arguments` added: the report's first run,
// or null when no report was written (the failed exit is reported too).
inline nlohmann::json quickstart_run(const ScratchDir& scratch, const std::string& arguments) {
  const std::string report = scratch.path() + "/quickstart-run.json";
  const CliOutcome outcome =
      run_cli("run scenarios/quickstart.json -q --out " + report + " " + arguments, scratch.path());
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  const std::string text = read_file(report);
  return text.empty() ? nlohmann::json() : nlohmann::json::parse(text)["runs"][0];
}

// Refused before anything ran: exit 2, stderr names `named`, nothing on stdout.
inline void expect_refused(const CliOutcome& outcome, const std::string& named) {
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_NE(outcome.err.find(named), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.out, "");
}

// Whether the JSON file `path` is valid against docs/`schema` (report.schema.json,
// gbench.schema.json), by tests/check_report_schema.py: needs /usr/bin/python3 with
// python3-jsonschema.
inline bool matches_schema(const std::string& schema, const std::string& path) {
  const std::string check = std::string("/usr/bin/python3 '") + TCPHARNESS_SOURCE_DIR +
                            "/tests/check_report_schema.py' '" + TCPHARNESS_SOURCE_DIR + "/docs/" +
                            schema + "' '" + path + "'";
  return std::system(check.c_str()) == 0;
}

}  // namespace th::testing
