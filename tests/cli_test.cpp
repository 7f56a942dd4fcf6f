#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace th {
namespace {

using testing::CliOutcome;
using testing::read_file;
using testing::run_cli;

class Cli : public testing::ScratchDirTest {
 protected:
  // A configuration error: exit 2, one line on stderr that names the problem, nothing on stdout.
  void expect_config_error(const CliOutcome& outcome, const std::string& named) {
    testing::expect_refused(outcome, named);
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
};

TEST_F(Cli, ValidateListsTheRunsOfASweep) {
  const CliOutcome outcome = run_cli("validate scenarios/nagle.json", scratch_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("8 runs"), std::string::npos) << outcome.out;
}

TEST_F(Cli, EveryShippedScenarioValidates) {
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(TCPHARNESS_SOURCE_DIR) / "scenarios")) {
    const CliOutcome outcome = run_cli("validate '" + entry.path().string() + "'", scratch_);
    // fastopen.json needs net.ipv4.tcp_fastopen=3, which the host need not have: validate it in
    // a network namespace of its own where it does (root only; others cannot check it here).
    if (outcome.exit_code == 2 && outcome.err.find("net.ipv4.tcp_fastopen") != std::string::npos) {
      if (geteuid() != 0) continue;
      const std::string command =
          std::string("unshare -n sh -c \"sysctl -qw net.ipv4.tcp_fastopen=3 && '") +
          TCPHARNESS_BINARY + "' validate '" + entry.path().string() + "'\" >/dev/null 2>&1";
      EXPECT_EQ(std::system(command.c_str()), 0) << entry.path();
      continue;
    }
    EXPECT_EQ(outcome.exit_code, 0) << entry.path() << ": " << outcome.err;
  }
}

TEST_F(Cli, ARefusedCongestionControlIsAConfigurationErrorListingTheAvailableOnes) {
  const CliOutcome outcome =
      run_cli("run scenarios/quickstart.json --set client.tcp_congestion=nosuch", scratch_);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
  EXPECT_NE(outcome.err.find("client.tcp_congestion: the kernel refused \"nosuch\""),
            std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("tcp_available_congestion_control has: "), std::string::npos)
      << outcome.err;
}

TEST_F(Cli, UnknownKeyIsAConfigurationError) {
  const std::string path = write_file("unknown.json", R"({"protocol": "http", "conections": 4})");
  expect_config_error(run_cli("run " + path, scratch_), "/conections");
}

TEST_F(Cli, WrongTypeIsAConfigurationError) {
  const std::string path = write_file("type.json", R"({"connections": "many"})");
  expect_config_error(run_cli("run " + path, scratch_), "/connections");
}

TEST_F(Cli, NegativeSizeIsAConfigurationError) {
  const std::string path = write_file("negative.json", R"({"response_size": -1})");
  expect_config_error(run_cli("run " + path, scratch_), "/response_size");
}

TEST_F(Cli, EmptySweepListIsAConfigurationError) {
  const std::string path = write_file("sweep.json", R"({"sweep": {"connections": []}})");
  expect_config_error(run_cli("run " + path, scratch_), "/sweep/connections");
}

TEST_F(Cli, MissingFileIsAConfigurationError) {
  expect_config_error(run_cli("run " + scratch_ + "/absent.json", scratch_), "absent.json");
}

TEST_F(Cli, InvalidJsonIsAConfigurationError) {
  const std::string path = write_file("broken.json", R"({"connections": 4,)");
  expect_config_error(run_cli("run " + path, scratch_), "broken.json");
}

TEST_F(Cli, BadOverrideIsAConfigurationError) {
  expect_config_error(run_cli("run scenarios/quickstart.json --set connections=0", scratch_),
                      "/connections");
}

TEST_F(Cli, UnwritableOutputIsRefusedBeforeTheRun) {
  const CliOutcome missing_dir =
      run_cli("run scenarios/quickstart.json --out " + scratch_ + "/no/such/dir/r.json", scratch_);
  expect_config_error(missing_dir, scratch_ + "/no/such/dir/r.json");
  const CliOutcome device = run_cli("run scenarios/quickstart.json --out /dev/full", scratch_);
  expect_config_error(device, "/dev/full");
  struct stat device_status {};
  ASSERT_EQ(stat("/dev/full", &device_status), 0);
  EXPECT_TRUE(S_ISCHR(device_status.st_mode)) << "/dev/full must never be replaced";
}

TEST_F(Cli, RunWritesAReportThatMatchesTheSchema) {
  const std::string report = scratch_ + "/report.json";
  const CliOutcome outcome =
      run_cli("run scenarios/keepalive.json --set duration_s=0.3 --set warmup_s=0 --out " + report,
              scratch_);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("connection=per_request"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("report: " + report), std::string::npos) << outcome.out;

  const nlohmann::json parsed = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(parsed["schema"], "tcpharness.report/2");
  ASSERT_EQ(parsed["runs"].size(), 2u);
  for (const auto& run : parsed["runs"]) {
    EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 0u) << run["name"];
    EXPECT_EQ(run["requests"]["error_total"], 0) << run["name"];
  }
  EXPECT_TRUE(testing::matches_schema("report.schema.json", report))
      << "report does not match docs/report.schema.json";
  // No temporary file is left beside the report.
  for (const auto& entry : std::filesystem::directory_iterator(scratch_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace th
