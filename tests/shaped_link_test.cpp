// The shaped link end to end: tbf caps a stream at the link's rate, delay_ms and loss_pct hold
// and thin packets, and nothing is left behind however the run ends. Needs root (CAP_NET_ADMIN,
// CAP_SYS_ADMIN); skipped without it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "host/delay_line.hpp"
#include "host/network_namespace.hpp"
#include "link_capabilities.hpp"
#include "run_helpers.hpp"
#include "test_support.hpp"

extern char** environ;

namespace th {
namespace {

using nlohmann::json;

// Interfaces whose names start with the link prefix of process `pid` ("th<pid>x").
std::vector<std::string> link_interfaces_of(pid_t pid) {
  const std::string prefix = "th" + std::to_string(pid) + "x";
  std::vector<std::string> found;
  struct if_nameindex* list = if_nameindex();
  for (const struct if_nameindex* entry = list; entry && entry->if_index != 0; ++entry) {
    if (std::string(entry->if_name).starts_with(prefix)) found.emplace_back(entry->if_name);
  }
  if (list) if_freenameindex(list);
  return found;
}

using testing::eventually;

TEST(ShapedLink, StreamThroughputIsCappedAtTheLinkRate) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const RunResult result = testing::run_scenario(json::parse(R"({
    "name": "shaped", "protocol": "stream", "request_size": 65536, "connections": 1,
    "duration_s": 2, "warmup_s": 0.5, "link": {"rate_mbit": 50, "queue_ms": 20}})"));
  ASSERT_GT(result.duration_s, 1.5);
  // tbf counts whole frames (headers too), so the payload rate is ~96 % of the link rate at
  // most; the lower bound is loose for a busy machine, the upper bound is the shaper's.
  const double payload_bit_per_s = 8.0 * double(result.recorder.bytes_sent) / result.duration_s;
  EXPECT_GE(payload_bit_per_s, 0.70 * 50e6);
  EXPECT_LE(payload_bit_per_s, 1.05 * 50e6);
  EXPECT_EQ(result.recorder.error_total(), 0u);

  ASSERT_TRUE(result.link.has_value());
  const LinkDirection& uplink = result.link->client_to_server;
  EXPECT_EQ(uplink.rate_bit_per_s, 50'000'000u);
  ASSERT_FALSE(uplink.qdiscs.empty());
  EXPECT_EQ(uplink.qdiscs[0].kind, "tbf");
  EXPECT_EQ(uplink.qdiscs[0].options.value("rate", 0), 6'250'000) << uplink.qdiscs[0].options;
  EXPECT_GE(uplink.qdiscs[0].sent_bytes, result.recorder.bytes_sent / 2);
  ASSERT_FALSE(result.link->server_to_client.qdiscs.empty());
  EXPECT_GT(result.link->server_to_client.qdiscs[0].sent_packets, 0u) << "the server's ACKs";
  EXPECT_EQ(result.target,
            result.link->server_address + ":" + result.target.substr(result.target.rfind(':') + 1));

  EXPECT_TRUE(link_interfaces_of(getpid()).empty()) << "the veth pair outlived the run";
  char target[64] = {};
  const ssize_t length = readlink(result.link->netns.c_str(), target, sizeof target - 1);
  EXPECT_TRUE(length < 0 || !std::string(target).starts_with("net:"))
      << "the namespace descriptor is still open: " << target;

  const json report_link = json(result.scenario)["link"];
  EXPECT_EQ(report_link["rate_mbit"], 50.0);
}

// Echo round trips over a link with 10 ms each way: no answer can come back sooner than 20 ms,
// and on an idle path (one request at a time, far below the rate) not much later.
TEST(ShapedLink, DelayMsHoldsEveryPacketThatLongEachWay) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const RunResult result = testing::run_scenario(json::parse(R"({
    "name": "delayed", "protocol": "echo", "request_size": 64, "connections": 1,
    "requests": 40, "duration_s": 10, "warmup_s": 0,
    "link": {"rate_mbit": 100, "delay_ms": 10}})"));
  EXPECT_EQ(result.recorder.requests_ok, 40u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  const Histogram& round_trip = result.recorder.service_time;
  EXPECT_GE(round_trip.min(), 20'000'000) << "an answer came back before two delays had passed";
  // Scheduling noise on a busy 2-core machine, not the delay: the slack is generous.
  EXPECT_LT(round_trip.percentile(50), 30'000'000);
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  EXPECT_GE(result.recorder.tcp_info->min_rtt_us.min(), 20'000) << "the kernel's own RTT";

  ASSERT_TRUE(result.link.has_value());
  if (result.link->delay_mechanism == "netem") GTEST_SKIP() << "this kernel has sch_netem";
  EXPECT_EQ(result.link->delay_mechanism, "tun_relay");
  ASSERT_TRUE(result.link->delay_line.has_value());
  const DelayLineCounters& line = result.link->delay_line->counters;
  // The handshake, 40 requests and 40 answers (with ACKs) and the close, both ways.
  EXPECT_GE(line.forwarded_packets, 80u);
  EXPECT_EQ(line.lost_packets, 0u);
  EXPECT_EQ(line.dropped_packets, 0u);
  EXPECT_TRUE(link_interfaces_of(getpid()).empty()) << "the TUN device outlived the run";
}

// A relay that stopped (a poll error, a broken device) loses every later packet: the run must
// say that its timeouts from then on are the harness's.
TEST(DelayLineWarning, NamesARelayThatStoppedEarlyAndWhy) {
  DelayLineCounters counters;
  counters.forwarded_packets = 1000;
  counters.realtime = true;
  counters.stopped_by_errno = EIO;
  const std::string warning = delay_line_warning(counters, 10);
  EXPECT_NE(warning.find("stopped before the run's end (Input/output error)"), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("are the harness's, not the server's"), std::string::npos) << warning;
}

TEST(DelayLineWarning, NamesLatePacketsAboveOnePercentAndEveryDrop) {
  DelayLineCounters counters;
  counters.forwarded_packets = 1000;
  counters.late_packets = 10;  // 1 %: scheduling noise, no warning
  counters.realtime = true;
  EXPECT_EQ(delay_line_warning(counters, 10), "");
  counters.late_packets = 11;
  counters.max_lateness_ns = 4'500'000;
  const std::string late = delay_line_warning(counters, 10);
  EXPECT_NE(late.find("sent 11 of 1000 packets more than 1 ms late (at worst 4.5 ms after "
                      "delay_ms 10)"),
            std::string::npos)
      << late;
  EXPECT_EQ(late.find("CAP_SYS_NICE"), std::string::npos) << late;
  counters.realtime = false;
  EXPECT_NE(delay_line_warning(counters, 10).find("CAP_SYS_NICE is missing"), std::string::npos);

  DelayLineCounters full;
  full.forwarded_packets = 1000;
  full.dropped_packets = 3;
  EXPECT_NE(delay_line_warning(full, 50).find("dropped 3 packets it had no room for"),
            std::string::npos);
}

// The relay drops each packet with probability loss_pct / 100; over thousands of packets the
// share it counts lies within a few standard deviations of that, and TCP still delivers.
TEST(ShapedLink, LossPctDropsThatShareOfThePacketsAndTcpRecovers) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const RunResult result = testing::run_scenario(json::parse(R"({
    "name": "lossy", "protocol": "stream", "request_size": 16384, "connections": 1,
    "duration_s": 1.5, "warmup_s": 0, "link": {"rate_mbit": 50, "loss_pct": 5}})"));
  ASSERT_TRUE(result.link.has_value());
  if (result.link->delay_mechanism == "netem") GTEST_SKIP() << "this kernel has sch_netem";
  ASSERT_TRUE(result.link->delay_line.has_value());
  const DelayLineCounters& line = result.link->delay_line->counters;
  const double taken = double(line.forwarded_packets + line.lost_packets);
  ASSERT_GT(taken, 2000.0);
  // 5 % of n >= 2000 packets has a standard deviation below 0.5 %: +-2 % is over 4 of them.
  EXPECT_NEAR(double(line.lost_packets) / taken, 0.05, 0.02);
  EXPECT_GT(result.recorder.bytes_sent, 0u);
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  EXPECT_GT(result.recorder.tcp_info->retransmitted_segments, 0u);
}

TEST(ShapedLink, WithoutCapabilitiesTheErrorNamesThemAndExitsTwo) {
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
    GTEST_SKIP() << "needs root and setpriv to drop the capabilities";
  }
  const testing::ScratchDir scratch_dir("tcpharness-link");
  const std::string& scratch = scratch_dir.path();
  ASSERT_FALSE(scratch.empty());
  const std::string command =
      std::string("cd '") + TCPHARNESS_SOURCE_DIR +
      "' && setpriv --inh-caps=-net_admin,-sys_admin --bounding-set=-net_admin,-sys_admin '" +
      TCPHARNESS_BINARY +
      "' run scenarios/quickstart.json --quiet --set duration_s=0.2 --set warmup_s=0"
      " --set 'link={\"rate_mbit\": 10}' --out '" +
      scratch + "/r.json' >/dev/null 2>'" + scratch + "/err.txt'";
  const int status = std::system(command.c_str());
  const std::string err = testing::read_file(scratch + "/err.txt");
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2) << err;
  EXPECT_NE(err.find("link: needs CAP_NET_ADMIN, CAP_SYS_ADMIN (run as root)"), std::string::npos)
      << err;
}

// Starts `tcpharness run` streaming over a link for 30 s, and waits until its veth pair is up.
pid_t start_long_shaped_run() {
  const std::string binary = TCPHARNESS_BINARY;
  const std::string scenario = std::string(TCPHARNESS_SOURCE_DIR) + "/scenarios/quickstart.json";
  // A file, never /dev/null: the report is written next to its path and renamed onto it.
  const std::string report = "/tmp/tcpharness-link-run-" + std::to_string(getpid()) + ".json";
  std::vector<std::string> args = {binary,   "run",
                                   scenario, "--quiet",
                                   "--out",  report,
                                   "--set",  "protocol=stream",
                                   "--set",  "request_size=65536",
                                   "--set",  "connections=1",
                                   "--set",  "duration_s=30",
                                   "--set",  "warmup_s=0",
                                   "--set",  "link={\"rate_mbit\": 20}"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return error == 0 ? pid : -1;
}

int wait_for_exit(pid_t pid) {
  int status = 0;
  if (eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::seconds(10))) {
    return status;
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ADD_FAILURE() << "the run did not end within 10 s of the signal";
  return status;
}

TEST(ShapedLink, CtrlCEndsTheRunAndTakesTheLinkDown) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const pid_t pid = start_long_shaped_run();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(
      eventually([&] { return !link_interfaces_of(pid).empty(); }, std::chrono::seconds(10)))
      << "the link never came up";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the load is running
  kill(pid, SIGINT);
  const int status = wait_for_exit(pid);
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 130);
  EXPECT_TRUE(link_interfaces_of(pid).empty()) << "the veth pair outlived the run";
  std::remove(("/tmp/tcpharness-link-run-" + std::to_string(getpid()) + ".json").c_str());
}

TEST(ShapedLink, AKilledRunLeavesNoVethBehind) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  const pid_t pid = start_long_shaped_run();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(
      eventually([&] { return !link_interfaces_of(pid).empty(); }, std::chrono::seconds(10)))
      << "the link never came up";
  kill(pid, SIGKILL);
  wait_for_exit(pid);
  // The namespace dies with its last reference, and the kernel removes its devices (and so the
  // veth pair) in the background: soon, not at once.
  EXPECT_TRUE(eventually([&] { return link_interfaces_of(pid).empty(); }, std::chrono::seconds(5)))
      << "the veth pair outlived the killed process";
}

}  // namespace
}  // namespace th
