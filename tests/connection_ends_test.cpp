// The closing section's sources and its report: the namespace's counters as /proc prints them,
// and a merge that adds two generators' counts.
#include "host/connection_ends.hpp"

#include <gtest/gtest.h>

#include "report/merge.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::report_of;
using testing::steady_run;

TEST(ConnectionEnds, CountersAreTakenByNameFromSnmpAndNetstat) {
  const std::string snmp =
      "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
      "Tcp: RtoAlgorithm ActiveOpens EstabResets OutRsts\nTcp: 1 10 7 42\n";
  const std::string netstat =
      "TcpExt: SyncookiesSent TCPAbortOnData TCPAbortOnClose\nTcpExt: 0 5 3\n";
  const std::optional<CloseCounters> counters = parse_close_counters(snmp, netstat);
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(counters->resets_sent, 42u);
  EXPECT_EQ(counters->established_resets, 7u);
  EXPECT_EQ(counters->aborts_on_data, 5u);
  EXPECT_EQ(counters->aborts_on_close, 3u);
  EXPECT_FALSE(parse_close_counters("", netstat).has_value()) << "no Tcp line: unreadable";
  const CloseCounters grown = *counters - CloseCounters{40, 7, 1, 3};
  EXPECT_EQ(grown.resets_sent, 2u);
  EXPECT_EQ(grown.aborts_on_data, 4u);
}

TEST(ConnectionEnds, ThisNamespacesCountersCanBeRead) {
  EXPECT_TRUE(read_close_counters().has_value()) << "/proc/thread-self/net/snmp unreadable";
}

RunResult closing_run(uint64_t resets, uint64_t client_time_wait) {
  RunResult run = steady_run("run", 100);
  run.closing.client_namespace = CloseCounters{resets, 1, 2, 3};
  run.closing.time_wait = TimeWaitCount{client_time_wait, 4};
  return run;
}

TEST(ConnectionEnds, TheReportSaysEachSideAndAMergeAddsThem) {
  const LoadedReport a = report_of({closing_run(10, 100)}, "a.json");
  const LoadedReport b = report_of({closing_run(5, 50)}, "b.json");
  const json& one = a.document["runs"][0]["closing"];
  EXPECT_EQ(one["client_namespace"]["resets_sent"], 10);
  EXPECT_TRUE(one["server_namespace"].is_null());
  EXPECT_EQ(one["time_wait"]["client_side"], 100);
  const json merged = merge_reports({a, b})["runs"][0]["closing"];
  EXPECT_EQ(merged["client_namespace"]["resets_sent"], 15);
  EXPECT_EQ(merged["client_namespace"]["aborts_on_close"], 6);
  EXPECT_EQ(merged["time_wait"]["client_side"], 150);
  EXPECT_EQ(merged["time_wait"]["server_side"], 8);
  EXPECT_TRUE(merged["server_namespace"].is_null());
}

}  // namespace
}  // namespace th
