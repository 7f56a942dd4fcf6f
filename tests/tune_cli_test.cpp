#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "host/network_namespace.hpp"

namespace th {
namespace {

using testing::CliOutcome;
using testing::expect_refused;  // exit 2 before any load, the problem named on stderr
using testing::read_file;
using testing::run_cli;

class TuneCli : public testing::ScratchDirTest {};

TEST_F(TuneCli, UnknownObjectiveIsRefusedWithTheKnownOnes) {
  const CliOutcome outcome =
      run_cli("tune scenarios/nagle.json --objective fastest -o " + scratch_ + "/r.json", scratch_);
  expect_refused(outcome,
                 "--objective: unknown 'fastest'; known: p99, requests_per_s, "
                 "cpu_per_request");
  EXPECT_FALSE(std::filesystem::exists(scratch_ + "/r.json"));
}

TEST_F(TuneCli, MissingObjectiveIsAUsageError) {
  expect_refused(run_cli("tune scenarios/nagle.json", scratch_), "--objective");
}

TEST_F(TuneCli, ScenarioWithoutASweepSaysWhatToAdd) {
  const CliOutcome outcome = run_cli("tune scenarios/quickstart.json --objective p99", scratch_);
  expect_refused(outcome, "this scenario has none: add a \"sweep\"");
}

TEST_F(TuneCli, SweepOfOneSettingIsRefused) {
  const std::string path = write_file("one.json", R"({"sweep": {"client.tcp_nodelay": [true]}})");
  expect_refused(run_cli("tune " + path + " --objective p99", scratch_), "only one setting");
}

TEST_F(TuneCli, BudgetBelowThreeRoundsIsRefusedWithTheBudgetNeeded) {
  // nagle.json: 8 settings x (0.5 + 3 + 0.2) s = 29.6 s a round.
  const CliOutcome outcome =
      run_cli("tune scenarios/nagle.json --objective p99 --budget-s 60", scratch_);
  expect_refused(outcome, "--budget-s 60 fits 2 rounds of about 29.6 s");
  EXPECT_NE(outcome.err.find("raise --budget-s to 89"), std::string::npos) << outcome.err;
}

TEST_F(TuneCli, RoundsTooFewForSignificanceAreRefused) {
  // 5 rounds: 3 looks and 7 comparisons, 0.05 / 21 = 0.0024 each; 5 against 5 values cannot go
  // below p = 0.0079.
  const CliOutcome outcome =
      run_cli("tune scenarios/nagle.json --objective p99 --max-rounds 5", scratch_);
  expect_refused(outcome, "cannot reach p < 0.0024");
}

TEST_F(TuneCli, BadScenarioValueIsAConfigurationError) {
  expect_refused(run_cli("tune scenarios/nagle.json --objective p99 --set connections=0", scratch_),
                 "/connections");
}

// One arm stalls on Nagle + delayed ACK (about 40 ms a request), the other answers in well under
// a millisecond: the answer does not depend on the machine's noise, so the test cannot flake on
// timing, yet it fails if tune ranks, tests or reports wrongly.
TEST_F(TuneCli, RecommendsNoDelayOverANagleStallAndReportsEveryRepetition) {
  const std::string scenario = write_file("stall.json", R"({
    "name": "stall", "protocol": "http", "connection": "keep_alive", "write_pattern": "split",
    "connections": 2, "duration_s": 0.4, "warmup_s": 0.1,
    "server": {"tcp_nodelay": true},
    "sweep": {"client.tcp_nodelay": [false, true]}
  })");
  const std::string report = scratch_ + "/tune.json";
  const CliOutcome outcome =
      run_cli("tune " + scenario + " --objective p99 --max-rounds 8 --budget-s 60 -q -o " + report,
              scratch_);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err << outcome.out;
  EXPECT_NE(outcome.out.find("recommend: client.tcp_nodelay=true"), std::string::npos)
      << outcome.out;

  const nlohmann::json parsed = nlohmann::json::parse(read_file(report));
  const nlohmann::json& tune = parsed.at("tune");
  EXPECT_EQ(tune["objective"]["name"], "p99");
  EXPECT_EQ(tune["recommendation"]["verdict"], "winner");
  EXPECT_EQ(tune["recommendation"]["params"]["client.tcp_nodelay"], true);
  EXPECT_LT(tune["recommendation"]["p_value"].get<double>(), tune["test_alpha"].get<double>());
  EXPECT_EQ(tune["stopped_by"], "settled");
  const unsigned rounds = tune["rounds"].get<unsigned>();
  EXPECT_LE(rounds, 8u);
  // Every repetition's run is in the report, as `run -r` writes them, so `compare` can read it.
  ASSERT_EQ(parsed["runs"].size(), 2u * rounds);
  EXPECT_EQ(parsed["runs"][0]["params"]["client.tcp_nodelay"], false);
  EXPECT_EQ(parsed["runs"][rounds - 1]["repetition_index"], rounds - 1);
  EXPECT_TRUE(testing::matches_schema("report.schema.json", report))
      << "report does not match docs/report.schema.json";
  const CliOutcome compared = run_cli("compare " + report + " " + report, scratch_);
  EXPECT_EQ(compared.exit_code, 0) << compared.err;
}

// The shaped link's setup runs `sysctl -qw net.ipv4.ip_forward=1` once per run. A `sysctl` ahead
// of the real one in PATH fails the second setting's setup from round 2 on, after it ran in round
// 1: round 2 goes on without its value, round 3 fails it again and tune stops with exit 2, the
// finished rounds in the report. About 5 s: 6 runs of 0.4 s and a link set up for each.
TEST_F(TuneCli, ARunThatFailsMidTuneKeepsTheFinishedRoundsInTheReport) {
  if (const std::string missing = missing_link_capabilities(); !missing.empty()) {
    GTEST_SKIP() << "a shaped link needs " << missing << " (root)";
  }
  const char* real_sysctl = access("/usr/sbin/sysctl", X_OK) == 0 ? "/usr/sbin/sysctl"
                            : access("/sbin/sysctl", X_OK) == 0   ? "/sbin/sysctl"
                                                                  : nullptr;
  if (real_sysctl == nullptr) GTEST_SKIP() << "no sysctl command (procps)";
  std::filesystem::create_directory(scratch_ + "/bin");
  const std::string wrapper = scratch_ + "/bin/sysctl";
  // Only the ip_forward calls are counted (a link sets other sysctls too): calls 1, 3, 5 are the
  // first setting's (rounds 1-3), 2, 4, 6 the second's.
  std::ofstream(wrapper) << "#!/bin/sh\n"
                         << "case \"$*\" in *ip_forward*)\n"
                         << "n=$(($(cat '" << scratch_ << "/calls' 2>/dev/null || echo 0) + 1))\n"
                         << "echo $n > '" << scratch_ << "/calls'\n"
                         << "if [ $n -ge 4 ] && [ $((n % 2)) -eq 0 ]; then\n"
                         << "  echo 'sysctl: injected failure' >&2; exit 1\n"
                         << "fi;;\n"
                         << "esac\n"
                         << "exec " << real_sysctl << " \"$@\"\n";
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  const std::string scenario = write_file("link.json", R"({
    "name": "failing-link", "protocol": "http", "connection": "keep_alive", "connections": 2,
    "duration_s": 0.3, "warmup_s": 0.1, "link": {"rate_mbit": 1000},
    "sweep": {"client.tcp_nodelay": [false, true]}
  })");
  const std::string report = scratch_ + "/tune.json";
  const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  setenv("PATH", (scratch_ + "/bin:" + path).c_str(), 1);
  const CliOutcome outcome =
      run_cli("tune " + scenario + " --objective p99 --max-rounds 8 --budget-s 60 -q -o " + report,
              scratch_);
  setenv("PATH", path.c_str(), 1);

  EXPECT_EQ(outcome.exit_code, 2) << outcome.err << outcome.out;
  EXPECT_NE(outcome.err.find("tune: round 2, tcp_nodelay=true: the run failed: "),
            std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("tcpharness: tune stopped: the run of tcp_nodelay=true "
                             "failed in round 3: "),
            std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("sysctl: injected failure"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.out.find("missing: tcp_nodelay=true: rounds 2, 3: run failed: "),
            std::string::npos)
      << outcome.out;

  ASSERT_TRUE(std::filesystem::exists(report)) << outcome.err;
  const nlohmann::json parsed = nlohmann::json::parse(read_file(report));
  const nlohmann::json& tune = parsed.at("tune");
  EXPECT_EQ(tune["stopped_by"], "run_failed");
  EXPECT_EQ(tune["rounds"], 2);
  EXPECT_EQ(tune["failed_runs"], 2);
  ASSERT_EQ(tune["missing"].size(), 2u);
  EXPECT_EQ(tune["missing"][0]["round"], 2);
  EXPECT_EQ(tune["missing"][0]["kind"], "config_error");
  EXPECT_EQ(tune["settings"][0]["values"].size(), 2u);
  EXPECT_EQ(tune["settings"][1]["values"].size(), 1u);
  // Every run that finished: rounds 1-3 of the first setting, round 1 of the second.
  EXPECT_EQ(parsed["runs"].size(), 4u);
  EXPECT_TRUE(testing::matches_schema("report.schema.json", report))
      << "report does not match docs/report.schema.json";
}

}  // namespace
}  // namespace th
