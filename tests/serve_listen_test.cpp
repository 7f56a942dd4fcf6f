// `tcpharness serve`: where it listens, what it says about it, its limit and socket options and
// the refusals it prints when it stops.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "base/config_error.hpp"
#include "blocking_client.hpp"
#include "cli_runner.hpp"
#include "net/address.hpp"
#include "scenario/loader.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using Serve = testing::ServeProcess;

TEST(ServeListen, HostAndPortFormListensOnLoopbackWithoutAWarning) {
  Serve serve({"--listen", "127.0.0.1:0"});
  ASSERT_EQ(serve.address().rfind("127.0.0.1:", 0), 0u) << serve.err();
  EXPECT_GT(serve.port(), 0);
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_EQ(serve.err().find("reachable from the network"), std::string::npos);
}

TEST(ServeListen, BracketedIpv6FormListensOnIpv6Loopback) {
  Serve serve({"--listen", "[::1]:0"});
  if (serve.address().empty()) GTEST_SKIP() << "no IPv6 loopback here: " << serve.err();
  EXPECT_EQ(serve.address().rfind("[::1]:", 0), 0u);
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_EQ(serve.err().find("reachable from the network"), std::string::npos);
}

TEST(ServeListen, EveryInterfaceIsAllowedButSaidOnStderr) {
  Serve serve({"--listen", "0.0.0.0:0"});
  ASSERT_FALSE(serve.address().empty()) << serve.err();
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_NE(serve.err().find("reachable from the network"), std::string::npos) << serve.err();
}

TEST(ServeListen, PrintsWhatItRefusedWhenItStops) {
  Serve serve({"--header-timeout-ms", "100", "--max-header-bytes", "1024"});
  ASSERT_FALSE(serve.address().empty()) << serve.err();
  const SocketAddress address = resolve_address("127.0.0.1", serve.port());
  {
    testing::Client silent(address);
    EXPECT_EQ(silent.receive_response().header.rfind("HTTP/1.1 408 ", 0), 0u);
    testing::Client large(address);
    large.send_all("GET / HTTP/1.1\r\nX: " + std::string(2000, 'x') + "\r\n\r\n");
    EXPECT_EQ(large.receive_response().header.rfind("HTTP/1.1 431 ", 0), 0u);
  }
  EXPECT_EQ(serve.stop(), 0);
  const std::string err = serve.err();
  EXPECT_NE(err.find("1 header timeout (408)"), std::string::npos) << err;
  EXPECT_NE(err.find("1 header too large (431)"), std::string::npos) << err;
}

TEST(ServeListen, SetsAnyServerSocketOptionAndPrintsWhatTheKernelApplied) {
  Serve serve({"--protocol", "echo", "--tcp-nodelay", "true", "--set", "server.tcp_congestion=reno",
               "--set", "server.so_sndbuf=4096", "--set", "server.so_keepalive=true", "--set",
               "server.tcp_keepidle=30", "--set", "server.so_linger.on=true", "--set",
               "server.tcp_defer_accept=1"});
  ASSERT_FALSE(serve.address().empty()) << serve.err();
  {
    testing::Client client(resolve_address("127.0.0.1", serve.port()));
    ASSERT_TRUE(client.send_all("ping"));
    EXPECT_EQ(client.receive(4), "ping");
  }
  EXPECT_EQ(serve.stop(), 0);
  const std::string out = serve.out();
  for (const char* line : {
           "  tcp_nodelay: true (requested true)\n",
           "  tcp_congestion: \"reno\" (requested \"reno\")\n",
           "  so_sndbuf: 8192 (requested 4096)\n",  // Linux doubles it (socket(7))
           "  so_keepalive: true (requested true)\n", "  tcp_keepidle: 30 (requested 30)\n",
           "  so_linger: {\"on\":true,\"timeout_s\":0} (requested {\"on\":true,\"timeout_s\":0})\n",
           "  tcp_defer_accept: 1 (requested 1)\n",
           "  tcp_cork: false\n",  // not asked for: the kernel's default, without "requested"
       }) {
    EXPECT_NE(out.find(line), std::string::npos) << "missing: " << line << "in:\n" << out;
  }
}

// The same reader as a scenario's "server" object: the same words after the source.
std::string scenario_error(const nlohmann::json& server) {
  try {
    scenario_from_json({{"server", server}}, "x.json");
  } catch (const ConfigError& error) {
    return std::string(error.what()).substr(std::string("x.json: ").size());
  }
  return "(accepted)";
}

TEST(ServeListen, BadSocketOptionIsRefusedInTheScenariosWords) {
  const testing::ScratchDir scratch_dir("tcpharness-cli");
  const std::string& scratch = scratch_dir.path();
  const auto refused = [&](const std::string& assignment, const std::string& expected) {
    const testing::CliOutcome outcome =
        testing::run_cli("serve --set '" + assignment + "'", scratch);
    EXPECT_EQ(outcome.exit_code, 2) << assignment;
    EXPECT_EQ(outcome.err, "tcpharness: --set " + assignment + ": " + expected + "\n");
  };
  refused("server.tcp_congestion=Bad!", scenario_error({{"tcp_congestion", "Bad!"}}));
  refused("server.tcp_keepidle=0", scenario_error({{"tcp_keepidle", 0}}));
  refused("server.so_linger.timeout_s=yes",
          scenario_error({{"so_linger", {{"timeout_s", "yes"}}}}));
  refused("server.tcp_fastopen=true", scenario_error({{"tcp_fastopen", true}}));
  // Server behaviour (delay_us, stall) is not a socket option: run only.
  const testing::CliOutcome behaviour = testing::run_cli("serve --set server.delay_us=5", scratch);
  EXPECT_EQ(behaviour.exit_code, 2);
  EXPECT_NE(behaviour.err.find("/server/delay_us: unknown key; allowed keys: tcp_nodelay"),
            std::string::npos)
      << behaviour.err;
  const testing::CliOutcome client =
      testing::run_cli("serve --set client.tcp_nodelay=true", scratch);
  EXPECT_EQ(client.exit_code, 2);
  EXPECT_NE(client.err.find("serve sets only its own socket options, as server.KEY=VALUE"),
            std::string::npos)
      << client.err;
  // Well formed, but the kernel has no such algorithm: refused before anything listens.
  const testing::CliOutcome kernel =
      testing::run_cli("serve --set server.tcp_congestion=nosuchcc", scratch);
  EXPECT_EQ(kernel.exit_code, 2);
  EXPECT_EQ(
      kernel.err.rfind("tcpharness: server.tcp_congestion: the kernel refused \"nosuchcc\"", 0), 0u)
      << kernel.err;
  EXPECT_EQ(kernel.out, "");
}

TEST(ServeListen, BadListenOrLimitIsAUsageError) {
  const testing::ScratchDir scratch_dir("tcpharness-cli");
  const std::string& scratch = scratch_dir.path();
  EXPECT_EQ(testing::run_cli("serve --listen 127.0.0.1:99999", scratch).exit_code, 2);
  EXPECT_EQ(testing::run_cli("serve --listen 127.0.0.1:80 --port 81", scratch).exit_code, 2);
  EXPECT_EQ(testing::run_cli("serve --listen '[::1' ", scratch).exit_code, 2);
  EXPECT_EQ(testing::run_cli("serve --max-header-bytes 10", scratch).exit_code, 2);
  EXPECT_EQ(testing::run_cli("serve --idle-timeout-ms -1", scratch).exit_code, 2);
}

}  // namespace
}  // namespace th
