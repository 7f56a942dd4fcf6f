// Ephemeral port exhaustion, forced: the real binary runs in a network namespace of its own whose
// ip_local_port_range holds 50 ports and whose TIME_WAIT sockets are never reused early.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"

namespace th {
namespace {

using nlohmann::json;

class NetworkNamespace {
 public:
  NetworkNamespace() : name_("tcpharness-ports-" + std::to_string(getpid())) {
    created_ =
        geteuid() == 0 && run("ip netns add " + name_) && run("ip -n " + name_ + " link set lo up");
  }
  ~NetworkNamespace() {
    if (created_) run("ip netns del " + name_);
  }
  bool created() const { return created_; }
  bool exec(const std::string& command) const {
    return run("ip netns exec " + name_ + " " + command);
  }

 private:
  static bool run(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
  }
  std::string name_;
  bool created_ = false;
};

TEST(PortExhaustion, IsCountedExactlyAndTheReportIsStillWritten) {
  NetworkNamespace ns;
  if (!ns.created()) GTEST_SKIP() << "needs root and `ip netns` to narrow the port range";
  ASSERT_TRUE(ns.exec("sysctl -qw net.ipv4.ip_local_port_range='40000 40049'"));
  ASSERT_TRUE(ns.exec("sysctl -qw net.ipv4.tcp_tw_reuse=0"));
  const testing::ScratchDir scratch_dir("tcpharness-ports");
  const std::string& scratch = scratch_dir.path();
  ASSERT_FALSE(scratch.empty());
  const std::string report_path = scratch + "/report.json";
  // Echo servers never close, so every connection's TIME_WAIT lands on the client's port.
  const std::string command =
      std::string("sh -c \"cd '") + TCPHARNESS_SOURCE_DIR + "' && '" + TCPHARNESS_BINARY +
      "' run scenarios/quickstart.json --quiet --set protocol=echo --set connection=per_request"
      " --set request_size=64 --set requests=300 --set connections=2 --set duration_s=20 --set "
      "warmup_s=0 --out '" +
      report_path + "' >'" + scratch + "/out.txt' 2>&1\"";
  const bool succeeded = ns.exec(command);
  const std::string output = testing::read_file(scratch + "/out.txt");
  EXPECT_FALSE(succeeded) << "a run with errors exits 1: " << output;
  EXPECT_NE(output.find("ephemeral_ports_exhausted"), std::string::npos) << output;
  EXPECT_NE(output.find("Remedies:"), std::string::npos) << output;

  const json report = json::parse(testing::read_file(report_path));
  const json& run = report["runs"][0];
  const uint64_t ok = run["requests"]["ok"];
  const uint64_t exhausted = run["requests"]["errors"]["ephemeral_ports_exhausted"];
  // Every port about once; the embedded server's listening port comes from the same range.
  EXPECT_GE(ok, 40u);
  EXPECT_LE(ok, 50u);
  EXPECT_GT(exhausted, 0u);
  EXPECT_EQ(ok + exhausted, 300u) << "each of the 300 requests is either answered or counted";
  EXPECT_EQ(run["requests"]["error_total"], exhausted);
  EXPECT_GE(run["time_wait"]["after"].get<uint64_t>(), ok);
  EXPECT_EQ(report["host"]["sysctls"]["net.ipv4.ip_local_port_range"], "40000 40049");
}

}  // namespace
}  // namespace th
