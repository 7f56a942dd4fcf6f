// TCP Fast Open end to end: the real binary runs scenarios/fastopen.json (its server behind a
// link with a 10 ms round trip) in a network namespace of its own, where net.ipv4.tcp_fastopen
// can be set without touching the host's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"

namespace th {
namespace {

using nlohmann::json;

class FastOpen : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || std::system("unshare -n true >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "needs root and unshare -n to set net.ipv4.tcp_fastopen in a namespace";
    }
    ASSERT_FALSE(scratch_.empty());
  }

  // Runs `tcpharness arguments` in a fresh network namespace whose tcp_fastopen is `sysctl`;
  // returns the exit code and leaves the output in out.txt.
  int run_in_namespace(int sysctl, const std::string& arguments) {
    const std::string inner =
        "ip link set lo up && sysctl -qw net.ipv4.tcp_fastopen=" + std::to_string(sysctl) +
        " && cd '" + TCPHARNESS_SOURCE_DIR + "' && '" + TCPHARNESS_BINARY + "' " + arguments;
    const std::string command =
        "unshare -n sh -c \"" + inner + "\" >'" + scratch_ + "/out.txt' 2>&1 </dev/null";
    const int status = std::system(command.c_str());
    output_ = testing::read_file(scratch_ + "/out.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const testing::ScratchDir scratch_dir_{"tcpharness-fastopen"};
  const std::string scratch_ = scratch_dir_.path();
  std::string output_;
};

TEST_F(FastOpen, ASysctlWithoutTheServerBitStopsTheRunBeforeItStartsAndNamesTheValueToSet) {
  // Over loopback the server shares the namespace whose sysctl this is.
  EXPECT_EQ(run_in_namespace(1,
                             "run scenarios/fastopen.json --quiet --set duration_s=0.2 "
                             "--set warmup_s=0 --set link=null --out '" +
                                 scratch_ + "/report.json'"),
            2)
      << output_;
  EXPECT_NE(output_.find("server.tcp_fastopen: net.ipv4.tcp_fastopen is 1"), std::string::npos)
      << output_;
  EXPECT_NE(output_.find("sysctl -w net.ipv4.tcp_fastopen=3"), std::string::npos) << output_;
}

// The namespace's sysctl is the kernel's default, 1 (clients only): the linked server's namespace
// is the harness's own, which enables the server side there itself.
TEST_F(FastOpen, RequestsRideOnTheSynAndThePassiveCounterGrowsWithTheConnections) {
  const std::string report_path = scratch_ + "/report.json";
  ASSERT_EQ(run_in_namespace(1,
                             "run scenarios/fastopen.json --quiet --set duration_s=1 "
                             "--set warmup_s=0 --out '" +
                                 report_path + "'"),
            0)
      << output_;
  const json report = json::parse(testing::read_file(report_path));
  ASSERT_EQ(report["runs"].size(), 2u);
  const json& without = report["runs"][0];
  const json& with = report["runs"][1];
  ASSERT_EQ(with["params"]["client.tcp_fastopen"], true);
  EXPECT_EQ(without["tcp_fastopen"]["passive"], 0) << "no client asked for Fast Open";
  EXPECT_EQ(with["socket"]["client"]["tcp_fastopen"]["applied"], true);
  EXPECT_EQ(with["socket"]["server"]["tcp_fastopen"]["applied"], 256);
  const uint64_t connections = with["requests"]["connections_opened"];
  const uint64_t passive = with["tcp_fastopen"]["passive"];
  ASSERT_GT(connections, 100u);
  // Every connection after the first (which fetches the cookie) carries its request in the SYN;
  // the namespace is the run's own, so nothing else moves the counter.
  EXPECT_GE(passive + 8, connections) << "passive " << passive << ", connections " << connections;
  EXPECT_LE(passive, connections + 8);
  EXPECT_GE(with["tcp_fastopen"]["active"].get<uint64_t>(), passive - 4);
  EXPECT_EQ(with["requests"]["error_total"], 0);

  // The link's 10 ms round trip: the handshake's, saved. Without Fast Open connect and first
  // byte take one round trip each and can never be shorter; with it connect is local work.
  const auto connect_to_first_byte_us = [](const json& run) {
    return run["latency_us"]["connect"]["p50"].get<double>() +
           run["latency_us"]["first_byte"]["p50"].get<double>();
  };
  EXPECT_GE(connect_to_first_byte_us(without), 20'000.0);
  EXPECT_LT(connect_to_first_byte_us(with), connect_to_first_byte_us(without) - 5'000.0);
  EXPECT_LT(with["latency_us"]["connect"]["p50"].get<double>(), 1'000.0);
}

}  // namespace
}  // namespace th
