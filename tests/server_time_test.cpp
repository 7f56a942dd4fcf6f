// The embedded server's own time per answer (read to write): what the server, not the network,
// adds to a request. It is part of the round trip, and a server delay lands in it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"

namespace th {
namespace {

using nlohmann::json;

json run_of(const testing::ScratchDir& scratch, const std::string& arguments) {
  return testing::quickstart_run(scratch, "--set duration_s=0.5 --set warmup_s=0.2 " + arguments);
}

TEST(ServerTime, EveryAnswerHasOneAndItIsPartOfTheRoundTrip) {
  const testing::ScratchDir scratch("tcpharness-server-time");
  const json run = run_of(scratch, "--set connections=2");
  ASSERT_TRUE(run.is_object());
  const double ok = run["requests"]["ok"].get<double>();
  const json& own = run["latency_us"]["server_time"];
  // Counted on the server from the window's opening, on the client by answers read in it.
  EXPECT_NEAR(own["count"].get<double>(), ok, ok * 0.05 + 10);
  EXPECT_LT(own["p50"].get<double>(), run["latency_us"]["total"]["p50"].get<double>());
  EXPECT_TRUE(run["histograms"].contains("server_time"));
}

TEST(ServerTime, TheServersDelayIsItsOwnTime) {
  const testing::ScratchDir scratch("tcpharness-server-time");
  const json run = run_of(scratch, "--set connections=2 --set server.delay_us=3000");
  ASSERT_TRUE(run.is_object());
  EXPECT_GE(run["latency_us"]["server_time"]["p50"].get<double>(), 3000.0);
  EXPECT_LT(run["latency_us"]["server_time"]["p50"].get<double>(), 3000.0 + 2000.0);
}

}  // namespace
}  // namespace th
