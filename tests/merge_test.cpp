#include "report/merge.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using testing::recorded_run;
using testing::report_of;

std::vector<double> latencies(unsigned seed, size_t count) {
  std::mt19937 generator(seed);
  std::lognormal_distribution<double> distribution(5.0, 0.8);  // ~150 us with a long tail
  std::vector<double> values;
  for (size_t index = 0; index < count; ++index) values.push_back(distribution(generator));
  return values;
}

// Two load generators drove the same target for the same second; merging their reports must
// give what one generator recording every request would have reported.
TEST(Merge, EqualsOneReportRecordedOverBoth) {
  const std::vector<double> first = latencies(1, 20000);
  const std::vector<double> second = latencies(2, 30000);
  std::vector<double> both = first;
  both.insert(both.end(), second.begin(), second.end());
  RunResult a = recorded_run("run", first);
  RunResult b = recorded_run("run", second);
  a.recorder.errors[0] = 3;
  b.recorder.errors[0] = 4;
  RunResult all = recorded_run("run", both);
  all.recorder.errors[0] = 7;

  const nlohmann::json merged =
      merge_reports({report_of({a}, "a.json"), report_of({b}, "b.json")})["runs"][0];
  const nlohmann::json single = report_of({all}, "all.json").document["runs"][0];
  EXPECT_EQ(merged["requests"], single["requests"]);
  EXPECT_EQ(merged["bytes"], single["bytes"]);
  EXPECT_EQ(merged["histograms"]["total"]["buckets"], single["histograms"]["total"]["buckets"]);
  EXPECT_EQ(merged["histograms"]["total"]["count"], single["histograms"]["total"]["count"]);
  for (const char* key : {"count", "min", "p50", "p90", "p99", "p999", "max"}) {
    EXPECT_EQ(merged["latency_us"]["total"][key], single["latency_us"]["total"][key]) << key;
  }
  EXPECT_NEAR(merged["latency_us"]["total"]["mean"].get<double>(),
              single["latency_us"]["total"]["mean"].get<double>(), 0.002);
  EXPECT_NEAR(merged["throughput"]["requests_per_s"].get<double>(),
              single["throughput"]["requests_per_s"].get<double>(), 0.002);
  EXPECT_NEAR(merged["cpu"]["client_s"].get<double>(), single["cpu"]["client_s"].get<double>(),
              1e-6);
  EXPECT_EQ(merged["cpu"]["client_us_per_request"], single["cpu"]["client_us_per_request"]);
}

TEST(Merge, KeepsRepetitionsApartAndRecomputesAggregates) {
  const LoadedReport a =
      report_of({recorded_run("run", {100, 200}), recorded_run("run", {300, 400})}, "a.json", 2);
  const LoadedReport b =
      report_of({recorded_run("run", {100, 200}), recorded_run("run", {300, 400})}, "b.json", 2);
  const nlohmann::json merged = merge_reports({a, b});
  ASSERT_EQ(merged["runs"].size(), 2u);
  EXPECT_EQ(merged["runs"][0]["requests"]["ok"], 4);
  EXPECT_EQ(merged["runs"][1]["repetition_index"], 1);
  EXPECT_EQ(merged["aggregates"][0]["repetitions"], 2);
  EXPECT_EQ(merged["merged_from"].size(), 2u);
}

TEST(Merge, RefusesReportsOfDifferentScenariosNamingTheDifference) {
  LoadedReport a = report_of({recorded_run("run", {100})}, "a.json");
  LoadedReport b = report_of({recorded_run("run", {100})}, "b.json");
  b.document["scenario"]["connections"] = 32;
  const std::string message = testing::error_of([&] { merge_reports({a, b}); });
  EXPECT_NE(message.find("b.json: /scenario/connections: 32 here but 16 in a.json"),
            std::string::npos)
      << message;
}

TEST(Merge, RefusesReportsWithDifferentRuns) {
  const LoadedReport a = report_of({recorded_run("one", {100})}, "a.json");
  const LoadedReport b = report_of({recorded_run("two", {100})}, "b.json");
  EXPECT_THROW(merge_reports({a, b}), ConfigError);
}

TEST(Merge, TimelinesAlignByWallClockSecond) {
  const nlohmann::json first = nlohmann::json::array({{{"t_unix_s", 100},
                                                       {"requests_ok", 10},
                                                       {"errors", 0},
                                                       {"p50_us", 100.0},
                                                       {"p99_us", 200.0},
                                                       {"max_us", 300.0},
                                                       {"bytes_sent", 1000},
                                                       {"bytes_received", 2000}},
                                                      {{"t_unix_s", 101},
                                                       {"requests_ok", 20},
                                                       {"errors", 1},
                                                       {"p50_us", 100.0},
                                                       {"p99_us", 200.0},
                                                       {"max_us", 300.0},
                                                       {"bytes_sent", 2000},
                                                       {"bytes_received", 4000}}});
  const nlohmann::json second = nlohmann::json::array({{{"t_unix_s", 101},
                                                        {"requests_ok", 30},
                                                        {"errors", 2},
                                                        {"p50_us", 200.0},
                                                        {"p99_us", 400.0},
                                                        {"max_us", 900.0},
                                                        {"bytes_sent", 3000},
                                                        {"bytes_received", 6000}},
                                                       {{"t_unix_s", 102},
                                                        {"requests_ok", 5},
                                                        {"errors", 0},
                                                        {"p50_us", 50.0},
                                                        {"p99_us", 60.0},
                                                        {"max_us", 70.0},
                                                        {"bytes_sent", 500},
                                                        {"bytes_received", 600}}});
  const nlohmann::json merged = merge_timelines({&first, &second});
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0]["t_unix_s"], 100);
  EXPECT_EQ(merged[1]["requests_ok"], 50);
  EXPECT_EQ(merged[1]["errors"], 3);
  EXPECT_EQ(merged[1]["bytes_sent"], 5000);
  EXPECT_DOUBLE_EQ(merged[1]["max_us"].get<double>(), 900.0);
  EXPECT_DOUBLE_EQ(merged[1]["p50_us"].get<double>(), 160.0);  // weighted by requests: 20 and 30
  EXPECT_EQ(merged[2]["t_unix_s"], 102);
}

// Two generators' TLS sections: counts add, and CPU per handshake is the summed CPU over the
// summed handshakes, never an average of the two ratios.
TEST(Merge, TlsCountsAddAndCpuPerHandshakeIsRecomputed) {
  RunResult a = recorded_run("run", {100, 200});
  RunResult b = recorded_run("run", {300});
  a.recorder.tls = TlsStats{.full = 1, .resumed = 9, .early_data_accepted = 9};
  b.recorder.tls = TlsStats{.resumed = 30, .early_data_accepted = 20, .early_data_rejected = 10};
  a.client_cpu_s = 0.01;  // 1,000 us per handshake, three quarters of it user time
  a.client_cpu_split = {.user_s = 0.3, .system_s = 0.1};
  b.client_cpu_s = 0.006;  // 200 us, all of it user time
  b.client_cpu_split = {.user_s = 0.2, .system_s = 0};
  const nlohmann::json merged =
      merge_reports({report_of({a}, "a.json"), report_of({b}, "b.json")})["runs"][0];
  EXPECT_EQ(merged["tls"]["handshakes"]["resumed"], 39);
  EXPECT_EQ(merged["tls"]["early_data"]["accepted"], 29);
  EXPECT_EQ(merged["tls"]["early_data"]["rejected"], 10);
  EXPECT_NEAR(merged["cpu"]["client_user_s"].get<double>(), 0.0135, 1e-9);
  EXPECT_NEAR(merged["cpu"]["client_system_s"].get<double>(), 0.0025, 1e-9);
  // 16 ms of CPU over 40 handshakes.
  EXPECT_NEAR(merged["tls"]["cpu_us_per_handshake"]["client_user"].get<double>(), 337.5, 1e-3);
  EXPECT_NEAR(merged["tls"]["cpu_us_per_handshake"]["client_system"].get<double>(), 62.5, 1e-3);
  EXPECT_TRUE(merged["tls"]["cpu_us_per_handshake"]["server_user"].is_null());
}

TimestampSplit split_of(int64_t harness_ns, int64_t stack_ns, uint64_t requests) {
  TimestampSplit split;
  constexpr int64_t kOffset = 1'000'000'000;
  for (uint64_t index = 0; index < requests; ++index)
    split.record(0, harness_ns + stack_ns, harness_ns + stack_ns, kOffset + harness_ns / 2,
                 kOffset + harness_ns / 2 + stack_ns, kOffset, kOffset);
  return split;
}

TEST(Merge, TimestampCountsAddAndTheShareIsTakenAgain) {
  RunResult a = recorded_run("run", {100, 200});
  RunResult b = recorded_run("run", {300});
  a.recorder.timestamps = split_of(10'000, 10'000, 10);  // share 0.5
  a.recorder.timestamps->missing_receive = 1;
  b.recorder.timestamps = split_of(2'000, 18'000, 30);  // share 0.1
  const nlohmann::json merged =
      merge_reports({report_of({a}, "a.json"), report_of({b}, "b.json")})["runs"][0];
  EXPECT_EQ(merged["timestamps"]["split"], 40);
  EXPECT_EQ(merged["timestamps"]["missing_receive"], 1);
  EXPECT_EQ(merged["latency_us"]["harness"]["count"], 40);
  // The merged p50 is b's request: 2 us of 20.
  EXPECT_NEAR(merged["timestamps"]["harness_share"]["p50"].get<double>(), 0.1, 0.002);
}

TEST(Merge, CommandWritesAReportThatMatchesTheSchema) {
  const testing::ScratchDir scratch_dir("tcpharness-merge");
  const std::string& scratch = scratch_dir.path();
  const std::string a = scratch + "/a.json";
  const std::string b = scratch + "/b.json";
  RunResult timestamped = recorded_run("run", {100, 200});
  timestamped.recorder.timestamps = split_of(1'000, 3'000, 2);
  std::ofstream(a) << report_of({timestamped}, a).document.dump();
  std::ofstream(b) << report_of({recorded_run("run", {300})}, b).document.dump();
  const std::string out = scratch + "/all.json";
  const testing::CliOutcome outcome =
      testing::run_cli("merge " + a + " " + b + " -o " + out, scratch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(out))["runs"][0]["requests"]["ok"], 3);
  EXPECT_TRUE(testing::matches_schema("report.schema.json", out));
  const testing::CliOutcome one = testing::run_cli("merge " + a + " -o " + out, scratch);
  EXPECT_EQ(one.exit_code, 2);
}

}  // namespace
}  // namespace th
