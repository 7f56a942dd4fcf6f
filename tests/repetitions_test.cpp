#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace th {
namespace {

using testing::matches_schema;

class Repetitions : public testing::ScratchDirTest {};

TEST_F(Repetitions, EveryRunRepeatsInterleavedAndTheReportAddsAggregates) {
  const std::string report = scratch_ + "/r.json";
  const std::string gbench = scratch_ + "/r.gbench.json";
  const testing::CliOutcome outcome = testing::run_cli(
      "run scenarios/keepalive.json --set duration_s=0.2 --set warmup_s=0 --repetitions 2 "
      "--label build=77 --label sut_commit=0123abc --out " +
          report + " --gbench-out " + gbench,
      scratch_);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;

  // A B A B: the second repetition of any run starts after the first of every run.
  const size_t first_b = outcome.err.find("[2/4] connection=keep_alive (repetition 1/2)");
  const size_t second_a = outcome.err.find("[3/4] connection=per_request (repetition 2/2)");
  ASSERT_NE(first_b, std::string::npos) << outcome.err;
  ASSERT_NE(second_a, std::string::npos) << outcome.err;
  EXPECT_LT(first_b, second_a);

  const nlohmann::json parsed = nlohmann::json::parse(testing::read_file(report));
  EXPECT_EQ(parsed["repetitions"], 2);
  EXPECT_EQ(parsed["labels"]["build"], "77");
  ASSERT_EQ(parsed["runs"].size(), 4u);
  // Stored grouped by run, each repetition kept.
  EXPECT_EQ(parsed["runs"][0]["name"], "connection=per_request");
  EXPECT_EQ(parsed["runs"][1]["name"], "connection=per_request");
  EXPECT_EQ(parsed["runs"][1]["repetition_index"], 1);
  ASSERT_EQ(parsed["aggregates"].size(), 2u);
  const nlohmann::json& requests = parsed["aggregates"][0]["metrics"]["requests_per_s"];
  for (const char* statistic : {"mean", "median", "stddev", "cv"}) {
    EXPECT_TRUE(requests.contains(statistic)) << statistic;
  }
  EXPECT_TRUE(matches_schema("report.schema.json", report));
  EXPECT_TRUE(matches_schema("gbench.schema.json", gbench));
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(gbench))["context"]["sut_commit"], "0123abc");
  // The console shows each repetition, then the median and cv.
  EXPECT_NE(outcome.out.find("connection=keep_alive #2"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("connection=keep_alive median"), std::string::npos) << outcome.out;
}

TEST_F(Repetitions, FormatGbenchWritesGoogleBenchmarkJsonAsTheReport) {
  const std::string report = scratch_ + "/r.json";
  const testing::CliOutcome outcome = testing::run_cli(
      "run scenarios/quickstart.json --set duration_s=0.2 --set warmup_s=0 --format gbench "
      "--out " +
          report,
      scratch_);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_TRUE(matches_schema("gbench.schema.json", report));
}

TEST_F(Repetitions, BadLabelsAndCountsAreConfigurationErrors) {
  const testing::CliOutcome reserved = testing::run_cli(
      "run scenarios/quickstart.json --label date=today --out " + scratch_ + "/r.json", scratch_);
  EXPECT_EQ(reserved.exit_code, 2);
  EXPECT_NE(reserved.err.find("Google Benchmark's context"), std::string::npos) << reserved.err;
  const testing::CliOutcome no_value = testing::run_cli(
      "run scenarios/quickstart.json --label build --out " + scratch_ + "/r.json", scratch_);
  EXPECT_EQ(no_value.exit_code, 2);
  EXPECT_NE(no_value.err.find("expected key=value"), std::string::npos) << no_value.err;
  const testing::CliOutcome zero = testing::run_cli(
      "run scenarios/quickstart.json --repetitions 0 --out " + scratch_ + "/r.json", scratch_);
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(scratch_ + "/r.json"));
}

}  // namespace
}  // namespace th
