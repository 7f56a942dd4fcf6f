// A target that accepts no connection: the run stops within a second and says so in one line;
// one that accepts some is measured to the end; `validate --connect` asks before any load.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "free_port.hpp"
#include "run_helpers.hpp"
#include "scripted_http_server.hpp"

namespace th {
namespace {

using testing::errors_of;
using testing::run_scenario;

constexpr const char* kSmallResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

double seconds_after(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool has_warning(const std::vector<std::string>& warnings, const std::string& part) {
  for (const std::string& warning : warnings) {
    if (warning.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(DeadTarget, RefusingTargetStopsTheRunWithinASecond) {
  // Bound, not listening: every connect is refused, and no other test can take the port.
  testing::LoopbackSocket refusing;
  ASSERT_TRUE(refusing.ok());
  const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  const RunResult result = run_scenario(
      {{"target", refusing.target()}, {"connections", 4}, {"threads", 2}, {"duration_s", 10}});
  EXPECT_LT(seconds_after(start), 1.0);
  EXPECT_EQ(result.stopped_by, StopReason::target_unreachable);
  ASSERT_TRUE(result.unreachable.has_value());
  EXPECT_EQ(cannot_connect_message(*result.unreachable),
            "cannot connect to " + refusing.target() + ": connection refused");
  EXPECT_GT(result.unreachable->failed_attempts, 4u);
  EXPECT_GT(errors_of(result, ErrorKind::connect_refused), 0u);
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_TRUE(has_warning(result.warnings, "target_unreachable: cannot connect to"));
  EXPECT_FALSE(has_warning(result.warnings, "interrupted"));
}

TEST(DeadTarget, TargetThatComesUpDuringTheRunIsMeasuredToTheEnd) {
  // Refused for the first 150 ms, then answered: some connections fail, the rest are measured,
  // as before a dead target could stop a run.
  testing::ScriptedHttpServer late(kSmallResponse, false, std::chrono::milliseconds(150));
  const RunResult result = run_scenario(
      {{"target", late.target()}, {"request_size", 0}, {"connections", 2}, {"duration_s", 1.0}});
  EXPECT_EQ(result.stopped_by, StopReason::duration);
  EXPECT_FALSE(result.unreachable.has_value());
  EXPECT_GT(errors_of(result, ErrorKind::connect_refused), 0u);
  EXPECT_GT(result.recorder.requests_ok, 0u);
  EXPECT_GT(result.duration_s, 0.8);
  EXPECT_FALSE(has_warning(result.warnings, "target_unreachable"));
}

class DeadTargetCli : public testing::ScratchDirTest {};

TEST_F(DeadTargetCli, RunSaysCannotConnectInOneLineAndExits2WithTheReport) {
  testing::LoopbackSocket refusing;
  ASSERT_TRUE(refusing.ok());
  const std::string report = scratch_ + "/dead.json";
  const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  const testing::CliOutcome outcome =
      testing::run_cli("run scenarios/quickstart.json --quiet --set target=" + refusing.target() +
                           " --set duration_s=10 --set warmup_s=0 --out '" + report + "'",
                       scratch_);
  EXPECT_LT(seconds_after(start), 3.0);
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(outcome.err,
            "tcpharness: cannot connect to " + refusing.target() + ": connection refused\n");
  // The report is kept as evidence: the refusals counted and why the figures are empty.
  const nlohmann::json parsed = nlohmann::json::parse(testing::read_file(report));
  const nlohmann::json& run = parsed.at("runs").at(0);
  EXPECT_EQ(run.at("stopped_by"), "target_unreachable");
  EXPECT_GT(run.at("requests").at("errors").at("connect_refused").get<uint64_t>(), 0u);
  EXPECT_NE(run.at("warnings").dump().find("target_unreachable: cannot connect to"),
            std::string::npos);
  EXPECT_FALSE(parsed.at("interrupted").get<bool>());
}

TEST_F(DeadTargetCli, SweepStopsAtTheFirstRunThatReachesNothing) {
  testing::LoopbackSocket refusing;
  ASSERT_TRUE(refusing.ok());
  const std::string report = scratch_ + "/sweep.json";
  const testing::CliOutcome outcome = testing::run_cli(
      "run scenarios/quickstart.json --quiet --set target=" + refusing.target() +
          " --set 'sweep.connections=[1,2,4]' --set duration_s=10 --out '" + report + "'",
      scratch_);
  EXPECT_EQ(outcome.exit_code, 2);
  const nlohmann::json parsed = nlohmann::json::parse(testing::read_file(report));
  EXPECT_EQ(parsed.at("runs").size(), 1u);
}

TEST_F(DeadTargetCli, TuneStopsAtTheFirstRunAsForAConfigurationError) {
  testing::LoopbackSocket refusing;
  ASSERT_TRUE(refusing.ok());
  const std::string target = refusing.target();
  const testing::CliOutcome outcome = testing::run_cli(
      "tune scenarios/nagle.json --objective p99 --quiet --set duration_s=1 "
      "--budget-s 120 --set target=" +
          target + " --out '" + scratch_ + "/tune.json'",
      scratch_);
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("failed in round 1: cannot connect to " + refusing.target() +
                             ": connection refused"),
            std::string::npos)
      << outcome.err;
}

class ValidateConnect : public testing::ScratchDirTest {};

TEST_F(ValidateConnect, AnsweringTargetIsTimed) {
  testing::ScriptedHttpServer answering(kSmallResponse, false);
  const testing::CliOutcome outcome = testing::run_cli(
      "validate scenarios/quickstart.json --connect --set target=" + answering.target(), scratch_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("target " + answering.target() + ": answers (connect "),
            std::string::npos)
      << outcome.out;
}

TEST_F(ValidateConnect, RefusingTargetIsExit2InTheWordsOfRun) {
  testing::LoopbackSocket refusing;
  ASSERT_TRUE(refusing.ok());
  const testing::CliOutcome outcome = testing::run_cli(
      "validate scenarios/quickstart.json --connect --set target=" + refusing.target(), scratch_);
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(outcome.err,
            "tcpharness: cannot connect to " + refusing.target() + ": connection refused\n");
  EXPECT_NE(outcome.out.find("valid, 1 run"), std::string::npos) << outcome.out;
}

TEST_F(ValidateConnect, EmbeddedServerRunsNeedNoConnection) {
  const testing::CliOutcome outcome =
      testing::run_cli("validate scenarios/quickstart.json --connect", scratch_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("no target to connect to"), std::string::npos) << outcome.out;
}

}  // namespace
}  // namespace th
