// Slow start over a shaped link (100 Mbit/s, 20 ms round trip): how many round trips a 256 KiB
// response takes cold, warm, after an idle second, and with a larger initcwnd; the server's
// sysctls stay in its namespace. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN); skipped without it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "link_capabilities.hpp"
#include "run_helpers.hpp"

namespace th {
namespace {

using nlohmann::json;

// One user, 256 KiB answers, the server on cubic (BBR skips the idle restart) and without
// cached metrics, so each new connection starts from initcwnd.
json scenario(const char* connection, uint64_t requests) {
  json out = json::parse(R"({
    "name": "slow-start", "protocol": "http", "request_size": 0, "response_size": 262144,
    "connections": 1, "duration_s": 20, "warmup_s": 0,
    "client": {"tcp_nodelay": true}, "server": {"tcp_nodelay": true, "tcp_congestion": "cubic"},
    "link": {"rate_mbit": 100, "delay_ms": 10,
             "server_sysctl": {"net.ipv4.tcp_no_metrics_save": 1}}})");
  out["connection"] = connection;
  out["requests"] = requests;
  return out;
}

double round_trips_p50(const RunResult& result) {
  return static_cast<double>(result.recorder.tcp_info->response_round_trips_x100.percentile(50)) /
         100;
}

const Histogram& server_cwnd(const RunResult& result) {
  return result.recorder.tcp_info->server_snd_cwnd_at_response_segments;
}

std::string host_sysctl(const std::string& path) {
  std::string value;
  std::ifstream("/proc/sys/" + path) >> value;
  return value;
}

TEST(SlowStart, AColdResponseTakesRoundTripsAWarmOneDoesNotAndInitcwndFortyCutsThem) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const RunResult cold = testing::run_scenario(scenario("per_request", 4));
  const RunResult warm = testing::run_scenario(scenario("keep_alive", 6));
  json bigger_window = scenario("per_request", 4);
  bigger_window["link"]["initcwnd"] = 40;
  const RunResult cold_40 = testing::run_scenario(bigger_window);
  for (const RunResult* run : {&cold, &warm, &cold_40}) {
    ASSERT_EQ(run->recorder.error_total(), 0u);
    ASSERT_TRUE(run->recorder.tcp_info.has_value());
  }
  // 10, 20, 40, 80 segments and then the rest: three or four round trips after the first byte;
  // a warm window sends the whole answer at once, in about one serialisation time (21 ms).
  EXPECT_GE(round_trips_p50(cold), 3.0);
  EXPECT_LE(round_trips_p50(warm), 1.6);
  EXPECT_EQ(server_cwnd(cold).max(), 10) << "every cold answer starts at RFC 6928's 10";
  EXPECT_GT(server_cwnd(warm).percentile(50), 100);
  EXPECT_EQ(server_cwnd(cold_40).min(), 40);
  EXPECT_LE(round_trips_p50(cold_40), round_trips_p50(cold) - 1.0);
  ASSERT_TRUE(cold_40.link.has_value());
  ASSERT_EQ(cold_40.link->routes.size(), 2u);
  for (const RouteReading& route : cold_40.link->routes) {
    EXPECT_EQ(route.initcwnd, 40u) << route.netns << " route";
  }
}

TEST(SlowStart, AnIdleSecondMakesAWarmConnectionColdAgainUnlessSlowStartAfterIdleIsOff) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const std::string host_before = host_sysctl("net/ipv4/tcp_slow_start_after_idle");
  RunResult runs[2];
  for (int after_idle : {0, 1}) {
    json idle = scenario("keep_alive", 3);  // the first answer is cold either way
    idle["think_time_ms"] = 1000;
    idle["link"]["server_sysctl"]["net.ipv4.tcp_slow_start_after_idle"] = after_idle;
    runs[after_idle] = testing::run_scenario(idle);
    ASSERT_EQ(runs[after_idle].recorder.error_total(), 0u);
    ASSERT_TRUE(runs[after_idle].link.has_value());
    const auto& sysctls = runs[after_idle].link->server_sysctl;
    ASSERT_EQ(sysctls.size(), 2u);
    EXPECT_EQ(sysctls[1].name, "net.ipv4.tcp_slow_start_after_idle");
    EXPECT_EQ(sysctls[1].applied, after_idle) << "read back in the server's namespace";
  }
  EXPECT_EQ(host_sysctl("net/ipv4/tcp_slow_start_after_idle"), host_before)
      << "a run changed the host's own setting";
  const RunResult& kept = runs[0];
  const RunResult& restarted = runs[1];
  EXPECT_GE(round_trips_p50(restarted), round_trips_p50(kept) + 1.5);
  EXPECT_GT(server_cwnd(kept).percentile(50), 2 * server_cwnd(restarted).percentile(50));
}

}  // namespace
}  // namespace th
