#include <gtest/gtest.h>

#include <cmath>

#include "report/reporter.hpp"
#include "run_helpers.hpp"
#include "stats/timeline.hpp"

// The first and last seconds of a timeline are partial: each entry says how much of its second
// the measured window covers, and its rate is per second of that.
namespace th {
namespace {

constexpr int64_t kOneSecondNs = 1'000'000'000;

TEST(TimelineCoverage, PartialSecondsAtBothEndsOfTheWindow) {
  const int64_t start = 100 * kOneSecondNs + 250'000'000;  // 100.25 s
  const int64_t end = 102 * kOneSecondNs + 500'000'000;    // 102.5 s
  EXPECT_DOUBLE_EQ(second_coverage(99, start, end), 0.0);  // warm-up only
  EXPECT_DOUBLE_EQ(second_coverage(100, start, end), 0.75);
  EXPECT_DOUBLE_EQ(second_coverage(101, start, end), 1.0);
  EXPECT_DOUBLE_EQ(second_coverage(102, start, end), 0.5);
  EXPECT_DOUBLE_EQ(second_coverage(103, start, end), 0.0);
}

TEST(TimelineCoverage, AWindowInsideOneSecond) {
  EXPECT_NEAR(second_coverage(5, 5 * kOneSecondNs + 100'000'000, 5 * kOneSecondNs + 400'000'000),
              0.3, 1e-12);
}

TEST(TimelineCoverage, ReportedSecondsAddUpToTheWindowAndTheirRatesToTheRequestsOnLoopback) {
  const RunResult result = testing::run_scenario(
      {{"protocol", "http"}, {"connections", 2}, {"warmup_s", 0.3}, {"duration_s", 1.5}});
  ASSERT_GT(result.recorder.requests_ok, 0u);
  const nlohmann::json run = run_to_json(result);
  double covered = 0;
  double requests = 0;
  for (const nlohmann::json& second : run.at("timeline")) {
    const double share = second.at("covered_s").get<double>();
    ASSERT_GE(share, 0.0);
    ASSERT_LE(share, 1.0);
    covered += share;
    if (share > 0)
      requests += second.at("requests_per_s").get<double>() * share;
    else
      EXPECT_TRUE(second.at("requests_per_s").is_null());
  }
  EXPECT_NEAR(covered, result.duration_s, 0.001);
  // Every answered request is in a covered second (rounding: 3 decimals of each rate).
  EXPECT_NEAR(requests, static_cast<double>(result.recorder.requests_ok), 1.0);
}

}  // namespace
}  // namespace th
