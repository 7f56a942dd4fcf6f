#include <gtest/gtest.h>

#include "run_helpers.hpp"

namespace th {
namespace {

using testing::run_scenario;

TEST(OpenLoop, SendsEveryScheduledRequestOfTheWindow) {
  // The schedule, not the machine's speed, decides how many requests exist: 2,000/s for 1 s.
  const RunResult result = run_scenario({{"rate", 2000}, {"connections", 8}, {"duration_s", 1}});
  // The first request is one gap after the start, so the window holds 1,999 or 2,000.
  EXPECT_NEAR(static_cast<double>(result.recorder.requests_sent + result.unsent_at_end), 2000.0,
              1.0);
  EXPECT_EQ(result.recorder.requests_ok + result.recorder.error_total() + result.in_flight_at_end,
            result.recorder.requests_sent);
  EXPECT_EQ(result.recorder.schedule_lag.count(), result.recorder.requests_sent);
  ASSERT_TRUE(result.target_rate_per_s.has_value());
}

TEST(OpenLoop, PoissonArrivalsKeepTheAverageRate) {
  const RunResult result =
      run_scenario({{"rate", 3000}, {"arrival", "poisson"}, {"connections", 8}, {"duration_s", 1}});
  const double sent = static_cast<double>(result.recorder.requests_sent + result.unsent_at_end);
  // A Poisson count over 1 s at 3,000/s has a standard deviation of about 55.
  EXPECT_NEAR(sent, 3000.0, 300.0);
}

TEST(OpenLoop, RequestBoundIsExact) {
  const RunResult result =
      run_scenario({{"rate", 5000}, {"requests", 1000}, {"connections", 4}, {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 1000u);
  EXPECT_EQ(result.stopped_by, StopReason::requests);
}

TEST(OpenLoop, StalledServerLatencyCountsFromTheIntendedStart) {
  // Stalls of 150 ms every 0.5 s with only 2 connections: requests scheduled during a stall wait
  // for it to end, and the open loop counts that wait; the time a request spends once sent does
  // not include the queue. Lower bounds only: a busy machine makes both larger, never smaller.
  const RunResult result =
      run_scenario({{"rate", 1000},
                    {"connections", 2},
                    {"duration_s", 1.2},
                    {"server", {{"stall", {{"every_s", 0.5}, {"for_ms", 150}}}}}});
  EXPECT_GE(result.recorder.total.max(), 100'000'000);
  EXPECT_GT(result.recorder.waited_for_connection, 0u);
  EXPECT_GT(result.recorder.total.percentile(99), result.recorder.service_time.percentile(99));
}

TEST(Timeline, SecondsAddUpToTheRun) {
  const RunResult result = run_scenario({{"connections", 4}, {"duration_s", 1.5}});
  uint64_t ok = 0;
  uint64_t bytes_sent = 0;
  for (const TimelineSecond& second : result.recorder.timeline.seconds()) {
    ok += second.requests_ok;
    bytes_sent += second.bytes_sent;
  }
  EXPECT_EQ(ok, result.recorder.requests_ok);
  EXPECT_EQ(bytes_sent, result.recorder.bytes_sent);
  EXPECT_GE(result.recorder.timeline.seconds().size(), 2u);
}

}  // namespace
}  // namespace th
