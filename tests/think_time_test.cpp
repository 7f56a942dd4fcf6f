// think_time_ms on loopback: a connection (a virtual user) waits between a response and its next
// request, in closed and open loop, and a pause never outlasts the run.
#include <gtest/gtest.h>

#include <chrono>

#include "run_helpers.hpp"

namespace th {
namespace {

using nlohmann::json;

json scenario_with(const char* connection, double think_time_ms, double duration_s) {
  return {{"name", "think"},
          {"protocol", "http"},
          {"connection", connection},
          {"connections", 2},
          {"duration_s", duration_s},
          {"warmup_s", 0},
          {"think_time_ms", think_time_ms}};
}

// Each user's request takes well under a millisecond here, so each makes about one request per
// pause: 2 users over 1 s with 50 ms pauses make about 40, not the thousands they make without.
TEST(ThinkTime, KeepAliveConnectionsPauseBetweenAResponseAndTheNextRequest) {
  const RunResult result = testing::run_scenario(scenario_with("keep_alive", 50, 1.0));
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_GE(result.recorder.requests_ok, 30u);
  EXPECT_LE(result.recorder.requests_ok, 42u);
  EXPECT_EQ(result.recorder.connections_opened, 2u) << "a pause is no reason to reconnect";
}

TEST(ThinkTime, PerRequestUsersPauseBeforeTheirNextConnection) {
  const RunResult result = testing::run_scenario(scenario_with("per_request", 50, 1.0));
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_GE(result.recorder.requests_ok, 30u);
  EXPECT_LE(result.recorder.requests_ok, 42u);
  EXPECT_EQ(result.recorder.connections_opened, result.recorder.requests_ok);
}

// Open loop: a thinking connection takes no request, so with 2 users pausing 200 ms a schedule of
// 100 requests/s has to wait for them; each late request's latency counts from its intended
// start, so the wait shows as latency instead of vanishing (no coordinated omission).
TEST(ThinkTime, OpenLoopRequestsWaitForAConnectionThatIsThinking) {
  json scenario = scenario_with("keep_alive", 200, 1.0);
  scenario["rate"] = 100;
  const RunResult result = testing::run_scenario(scenario);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_LE(result.recorder.requests_ok, 14u);
  EXPECT_GT(result.recorder.total.max(), 100'000'000) << "a request waited for a user to think";
}

TEST(ThinkTime, APauseLongerThanTheRunEndsWithTheRun) {
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = testing::run_scenario(scenario_with("keep_alive", 60'000, 0.3));
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(result.recorder.requests_ok, 2u) << "one request each, then the pause";
  EXPECT_LT(elapsed_s, 1.5) << "the run waited for the pause, or for the 2 s grace";
}

// With a `requests` bound the last request ends the run, however long the pause after it.
TEST(ThinkTime, APauseEndsWhenTheLastBoundedRequestIsAnswered) {
  json scenario = scenario_with("keep_alive", 60'000, 20);
  scenario["requests"] = 2;
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = testing::run_scenario(scenario);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(result.recorder.requests_ok, 2u);
  EXPECT_LT(elapsed_s, 1.5) << "the run waited for the pause after its last request";
}

}  // namespace
}  // namespace th
