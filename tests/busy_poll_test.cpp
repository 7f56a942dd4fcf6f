// poll: busy, the latency mode: loops that spin instead of sleeping must still do everything a
// sleeping loop does (timers, the schedule, stopping on time), only sooner.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;

json busy_run(const testing::ScratchDir& scratch, const std::string& arguments) {
  return testing::quickstart_run(
      scratch,
      "--set poll=busy --set poll_spin_us=500 --set warmup_s=0 --set duration_s=0.5 " + arguments);
}

TEST(BusyPoll, AClosedLoopAnswersEveryRequestAndStopsOnTime) {
  const testing::ScratchDir scratch("tcpharness-busy");
  const auto started = std::chrono::steady_clock::now();
  const json run =
      busy_run(scratch, "--set connections=1 --set protocol=echo --set request_size=64");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 100u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_EQ(run["stopped_by"], "duration");
}

// The open loop's schedule comes from a timer: a spinning loop must still fire it, so the rate
// asked for is the rate sent.
TEST(BusyPoll, TimersStillFireWhileTheLoopSpins) {
  const testing::ScratchDir scratch("tcpharness-busy");
  const json run = busy_run(scratch, "--set rate=400 --set connections=4");
  ASSERT_TRUE(run.is_object());
  const auto ok = run["requests"]["ok"].get<uint64_t>();
  EXPECT_GE(ok, 180u);  // 200 scheduled in the window
  EXPECT_LE(ok, 201u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
}

// Every request opens a connection: each new socket must be watched at once while the loop
// spins, or its first event would wait for the spin (here 200 ms) to end.
TEST(BusyPoll, ANewConnectionIsServedWhileTheLoopSpins) {
  const testing::ScratchDir scratch("tcpharness-busy");
  const json run = busy_run(scratch, "--per-request --set connections=1 --set poll_spin_us=200000");
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 20u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_LT(run["latency_us"]["total"]["p50"].get<double>(), 20'000.0);
}

TEST(BusyPoll, KeysAreCheckedLikeEveryOther) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"poll": "spin"})", "/poll: must be one of \"sleep\", \"busy\""},
      {R"({"poll_spin_us": 0})", "/poll_spin_us: "}};
  for (const auto& [text, message] : cases) {
    const std::string error =
        testing::error_of([&] { (void)scenario_from_json(json::parse(text), "x.json"); });
    EXPECT_NE(error.find(message), std::string::npos) << text << " -> " << error;
  }
}

}  // namespace
}  // namespace th
