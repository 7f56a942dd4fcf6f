// The socket option table: every option parses, is set on real sockets and read back, and a value
// the kernel refuses is a configuration error naming what would allow it.
#include "net/socket_options.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/config_error.hpp"
#include "run_helpers.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::reading_of;
using testing::run_scenario;

bool reported(const std::vector<OptionReading>& readings, const std::string& name) {
  for (const OptionReading& reading : readings) {
    if (reading.name == name) return true;
  }
  return false;
}

std::string available_congestion_control() {
  std::ifstream file("/proc/sys/net/ipv4/tcp_available_congestion_control");
  std::string line;
  std::getline(file, line);
  return line;
}

bool has_word(const std::string& line, const std::string& word) {
  std::istringstream words(line);
  for (std::string each; words >> each;) {
    if (each == word) return true;
  }
  return false;
}

std::string probe_error(const json& client) {
  try {
    probe_socket_options(scenario_from_json({{"client", client}}, "x.json").client, "client");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(SocketOptionKeys, EveryOptionParsesAndTheResolvedScenarioParsesBackTheSame) {
  const json scenario = {
      {"client",
       {{"tcp_cork", false},
        {"tcp_notsent_lowat", 16384},
        {"tcp_congestion", "reno"},
        {"tcp_maxseg", 1200},
        {"tcp_user_timeout", 3000},
        {"so_keepalive", true},
        {"tcp_keepidle", 30},
        {"tcp_keepintvl", 5},
        {"tcp_keepcnt", 4},
        {"ip_tos", 16},
        {"so_priority", 3},
        {"tcp_fastopen", true}}},
      {"server", {{"tcp_fastopen", 256}, {"tcp_defer_accept", 2}, {"tcp_congestion", "cubic"}}}};
  const Scenario parsed = scenario_from_json(scenario, "x.json");
  EXPECT_EQ(parsed.client.tcp_congestion, "reno");
  EXPECT_EQ(parsed.client.tcp_keepcnt, 4);
  EXPECT_EQ(parsed.client.tcp_fastopen_connect, true);
  EXPECT_EQ(parsed.server.tcp_fastopen_queue, 256);
  EXPECT_EQ(parsed.server.tcp_defer_accept_s, 2);
  json resolved = parsed;
  EXPECT_EQ(resolved["client"]["tcp_fastopen"], true);
  EXPECT_EQ(resolved["server"]["tcp_fastopen"], 256);
  EXPECT_EQ(json(scenario_from_json(resolved, "resolved")), resolved);
}

TEST(SocketOptionKeys, ListenerOnlyKeysAreRejectedOnTheClientAndFastOpenTakesTheRightShape) {
  auto error_of = [](const json& scenario) {
    try {
      scenario_from_json(scenario, "x.json");
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of({{"client", {{"tcp_defer_accept", 1}}}})
                .rfind("x.json: /client/tcp_defer_accept: unknown key", 0),
            0u);
  EXPECT_NE(error_of({{"server", {{"tcp_fastopen", true}}}}).find("queue"), std::string::npos);
  EXPECT_NE(error_of({{"client", {{"tcp_fastopen", 256}}}}).find("/client/tcp_fastopen"),
            std::string::npos);
  EXPECT_NE(error_of({{"client", {{"tcp_congestion", "Not A Name"}}}})
                .find("must name a congestion control algorithm"),
            std::string::npos);
  EXPECT_NE(error_of({{"client", {{"ip_tos", 256}}}}).find("/client/ip_tos"), std::string::npos);
}

TEST(SocketOptions, KeepAliveTimeoutsAndTosReadBackAsSetOnBothSides) {
  const json options = {{"so_keepalive", true},     {"tcp_keepidle", 30},
                        {"tcp_keepintvl", 5},       {"tcp_keepcnt", 4},
                        {"tcp_user_timeout", 2500}, {"tcp_notsent_lowat", 16384},
                        {"ip_tos", 0x10},           {"so_priority", 2},
                        {"tcp_cork", false},        {"so_busy_poll", 50}};
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"client", options},
                                         {"server", options},
                                         {"requests", 20},
                                         {"connections", 1}});
  ASSERT_EQ(result.recorder.requests_ok, 20u);
  for (const auto* readings : {&result.client_options, &result.server_options}) {
    EXPECT_EQ(reading_of(*readings, "so_keepalive").applied, 1);
    EXPECT_EQ(reading_of(*readings, "tcp_keepidle").applied, 30);
    EXPECT_EQ(reading_of(*readings, "tcp_keepintvl").applied, 5);
    EXPECT_EQ(reading_of(*readings, "tcp_keepcnt").applied, 4);
    EXPECT_EQ(reading_of(*readings, "tcp_user_timeout").applied, 2500);
    EXPECT_EQ(reading_of(*readings, "tcp_notsent_lowat").applied, 16384);
    EXPECT_EQ(reading_of(*readings, "ip_tos").applied, 0x10);
    EXPECT_EQ(reading_of(*readings, "so_priority").applied, 2);
    EXPECT_EQ(reading_of(*readings, "tcp_cork").applied, 0);
    EXPECT_EQ(reading_of(*readings, "so_busy_poll").applied, 50);  // as root; see scenarios.md
  }
}

TEST(SocketOptions, CongestionControlReadsBackTheAlgorithmEachSideChose) {
  const std::string available = available_congestion_control();
  if (!has_word(available, "bbr") || !has_word(available, "reno")) {
    GTEST_SKIP() << "needs bbr and reno in tcp_available_congestion_control: " << available;
  }
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"client", {{"tcp_congestion", "bbr"}}},
                                         {"server", {{"tcp_congestion", "reno"}}},
                                         {"requests", 10},
                                         {"connections", 1}});
  const OptionReading client = reading_of(result.client_options, "tcp_congestion");
  EXPECT_EQ(client.kind, OptionKind::text);
  EXPECT_EQ(client.requested_text, "bbr");
  EXPECT_EQ(client.applied_text, "bbr");
  EXPECT_EQ(reading_of(result.server_options, "tcp_congestion").applied_text, "reno");
}

TEST(SocketOptions, IpTosIsTrafficClassOnIpv6Sockets) {
  SocketOptions options;
  options.ip_tos = 0x28;
  for (const int family : {AF_INET, AF_INET6}) {
    const int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
      ADD_FAILURE_AT(__FILE__, __LINE__) << "no socket of family " << family;
      continue;
    }
    EXPECT_EQ(apply_socket_options(fd, options, SocketRole::client, nullptr), 0) << family;
    EXPECT_EQ(reading_of(read_socket_options(fd, options, SocketRole::client), "ip_tos").applied,
              0x28)
        << family;
    close(fd);
  }
}

TEST(SocketOptions, ListenerOnlyOptionsAreReportedFromTheListenerAndRoundedAsTheKernelDoes) {
  // Not tcp_fastopen: the run would check the host's net.ipv4.tcp_fastopen (see the next test).
  const RunResult result =
      run_scenario({{"protocol", "echo"},
                    {"server", {{"tcp_defer_accept", 5}, {"tcp_maxseg", 1000}}},
                    {"client", {{"tcp_maxseg", 1000}}},
                    {"requests", 10},
                    {"connections", 1}});
  ASSERT_EQ(result.recorder.requests_ok, 10u);
  // TCP_DEFER_ACCEPT is kept as a count of SYN-ACK retransmissions (1 s, then doubling), so 5 s
  // becomes 3 retransmissions, reported as 1 + 2 + 4 = 7 s.
  EXPECT_EQ(reading_of(result.server_options, "tcp_defer_accept").requested, 5);
  EXPECT_EQ(reading_of(result.server_options, "tcp_defer_accept").applied, 7);
  EXPECT_FALSE(reported(result.client_options, "tcp_defer_accept"));
  // On a connected socket TCP_MAXSEG reads back the MSS in use: at most what was asked, less the
  // room TCP options (timestamps) take in every segment.
  const OptionReading maxseg = reading_of(result.client_options, "tcp_maxseg");
  EXPECT_EQ(maxseg.requested, 1000);
  EXPECT_GT(maxseg.applied, 0);
  EXPECT_LE(maxseg.applied, 1000);
  EXPECT_LE(reading_of(result.server_options, "tcp_maxseg").applied, 1000);
}

TEST(SocketOptions, FastOpenIsAQueueLengthOnTheListenerAndASwitchOnTheClient) {
  SocketOptions server;
  server.tcp_fastopen_queue = 16;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  // The listener takes TCP_FASTOPEN whatever net.ipv4.tcp_fastopen says.
  EXPECT_EQ(apply_socket_options(listener, server, SocketRole::listener, nullptr), 0);
  const std::vector<OptionReading> server_readings =
      read_socket_options(listener, server, SocketRole::server);
  EXPECT_EQ(reading_of(server_readings, "tcp_fastopen").applied, 16);
  EXPECT_EQ(reading_of(server_readings, "tcp_fastopen").kind, OptionKind::integer);
  close(listener);

  SocketOptions client;
  client.tcp_fastopen_connect = true;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  std::ifstream sysctl("/proc/sys/net/ipv4/tcp_fastopen");
  int value = 0;
  if (sysctl >> value && (value & 1) != 0) {
    EXPECT_EQ(apply_socket_options(fd, client, SocketRole::client, nullptr), 0);
    const OptionReading reading =
        reading_of(read_socket_options(fd, client, SocketRole::client), "tcp_fastopen");
    EXPECT_EQ(reading.kind, OptionKind::boolean);
    EXPECT_EQ(reading.applied, 1);
  }
  EXPECT_FALSE(reported(read_socket_options(fd, client, SocketRole::client), "tcp_defer_accept"));
  close(fd);
}

TEST(SocketOptionErrors, AnUnknownCongestionControlListsWhatIsAvailable) {
  const std::string message = probe_error({{"tcp_congestion", "nosuch"}});
  EXPECT_EQ(message.rfind("client.tcp_congestion: the kernel refused \"nosuch\": ", 0), 0u)
      << message;
  EXPECT_NE(message.find("net.ipv4.tcp_available_congestion_control has: " +
                         available_congestion_control()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("tcp_allowed_congestion_control"), std::string::npos) << message;
}

TEST(SocketOptionErrors, OutOfRangeValuesNameTheKernelsRange) {
  const std::string maxseg = probe_error({{"tcp_maxseg", 50}});
  EXPECT_EQ(maxseg.rfind("client.tcp_maxseg: the kernel refused 50: Invalid argument; Linux takes "
                         "88 (TCP_MIN_MSS) to 32767",
                         0),
            0u)
      << maxseg;
  const std::string keepcnt = probe_error({{"tcp_keepcnt", 1000}});
  EXPECT_NE(keepcnt.find("client.tcp_keepcnt: the kernel refused 1000"), std::string::npos)
      << keepcnt;
  EXPECT_NE(keepcnt.find("1 to 127"), std::string::npos) << keepcnt;
  EXPECT_EQ(probe_error({{"tcp_keepidle", 30}, {"tcp_maxseg", 1400}}), "") << "accepted values";
}

TEST(SocketOptionErrors, FastOpenForbiddenBySysctlNamesTheValueToSet) {
  EXPECT_EQ(fastopen_sysctl_problem("server", true, 1),
            "server.tcp_fastopen: net.ipv4.tcp_fastopen is 1, which enables it for clients only; "
            "Fast Open on the server side needs bit 2 of it: sysctl -w net.ipv4.tcp_fastopen=3 "
            "(the sysctl is per network namespace)");
  EXPECT_NE(fastopen_sysctl_problem("client", true, 0)
                .find("is 0, which turns Fast Open off; Fast Open on the client side needs bit 1 "
                      "of it: sysctl -w net.ipv4.tcp_fastopen=1"),
            std::string::npos);
  EXPECT_NE(fastopen_sysctl_problem("client", true, 2).find("net.ipv4.tcp_fastopen=3"),
            std::string::npos);
  EXPECT_EQ(fastopen_sysctl_problem("server", true, 3), "");
  EXPECT_EQ(fastopen_sysctl_problem("client", true, 1), "");
  EXPECT_EQ(fastopen_sysctl_problem("server", false, 0), "") << "not asked for";
}

}  // namespace
}  // namespace th
