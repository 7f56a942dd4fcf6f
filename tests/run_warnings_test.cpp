#include "run/run_warnings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

// Each rule of the warning table on a finished RunResult built by hand: no run needed.
namespace th {
namespace {

std::vector<std::string> warnings_of(const RunResult& result) {
  RunResult copy = result;
  copy.warnings.clear();
  add_run_warnings(copy);
  return copy.warnings;
}

bool any_contains(const std::vector<std::string>& warnings, const std::string& part) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& warning) {
    return warning.find(part) != std::string::npos;
  });
}

RunResult quiet_run() {
  RunResult result;
  result.duration_s = 1.0;
  result.recorder.requests_sent = 1000;
  result.recorder.requests_ok = 1000;
  return result;
}

TEST(RunWarnings, AQuietRunHasNone) { EXPECT_TRUE(warnings_of(quiet_run()).empty()); }

TEST(RunWarnings, RuleNamesAreUnique) {
  std::set<std::string> names;
  for (const WarningRule& rule : warning_rules()) EXPECT_TRUE(names.insert(rule.name).second);
  EXPECT_GE(names.size(), 10u);
}

TEST(RunWarnings, ThreadsLoweredToTheConnections) {
  RunResult result = quiet_run();
  result.scenario.threads = 4;
  result.scenario.connections = 2;
  EXPECT_TRUE(any_contains(warnings_of(result), "threads lowered from 4 to 2"));
}

TEST(RunWarnings, ALinkSettingTheKernelHoldsOtherwiseIsNamed) {
  RunResult result = quiet_run();
  result.scenario.link.emplace();
  result.scenario.link->rate_mbit = 100;
  result.scenario.link->initcwnd = 40;
  result.link = LinkReading{};
  result.link->server_sysctl = {{"net.ipv4.tcp_slow_start_after_idle", 0, 0}};
  result.link->routes = {{"server", "default", 40, std::nullopt},
                         {"client", "169.254.0.0/30", 40, std::nullopt}};
  EXPECT_TRUE(warnings_of(result).empty());
  result.link->server_sysctl[0].applied = 1;
  result.link->routes[1].initcwnd.reset();
  const auto warnings = warnings_of(result);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0],
            "link.server_sysctl: net.ipv4.tcp_slow_start_after_idle set to 0 but the server's "
            "namespace holds 1");
  EXPECT_EQ(warnings[1],
            "link.initcwnd: 40 asked, but the client's route to 169.254.0.0/30 reads no such "
            "metric");
}

TEST(RunWarnings, InterruptedAndDurationBeforeRequests) {
  RunResult result = quiet_run();
  result.stopped_by = StopReason::interrupted;
  EXPECT_TRUE(any_contains(warnings_of(result), "interrupted"));
  result.stopped_by = StopReason::duration;
  result.scenario.requests = 5000;
  EXPECT_TRUE(any_contains(warnings_of(result), "ended the run before all 5000 requests"));
  result.stopped_by = StopReason::requests;
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, UnreachableTargetSaysWhyAndHowOftenItWasTried) {
  RunResult result;
  result.unreachable = TargetUnreachable{"127.0.0.1:9", "connection refused", 57};
  result.stopped_by = StopReason::target_unreachable;
  EXPECT_TRUE(any_contains(warnings_of(result),
                           "target_unreachable: cannot connect to 127.0.0.1:9: connection refused: "
                           "no connection was ever established, 57 attempts failed; the run "
                           "stopped after 0.5 s"));
  EXPECT_FALSE(any_contains(warnings_of(result), "interrupted"));
}

TEST(RunWarnings, OpenLoopBehindItsRate) {
  RunResult result = quiet_run();
  result.scenario.rate = 2000;  // 1000 sent in 1 s
  EXPECT_TRUE(any_contains(warnings_of(result), "target rate not reached: 1000"));
  result.scenario.rate = 1000;
  EXPECT_FALSE(any_contains(warnings_of(result), "target rate"));
}

TEST(RunWarnings, OpenLoopRequestsThatWaitedForAConnection) {
  RunResult result = quiet_run();
  result.scenario.rate = 1000;
  result.recorder.waited_for_connection = 50;
  EXPECT_TRUE(any_contains(warnings_of(result), "50 requests waited for a free connection"));
  result.scenario.rate.reset();  // a closed loop always waits for its connection
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, GeneratorBehindItsScheduleWithConnectionsFree) {
  RunResult result = quiet_run();
  result.scenario.rate = 1000;
  for (int sample = 0; sample < 100; ++sample) result.recorder.schedule_lag.record(5'000'000);
  EXPECT_TRUE(any_contains(warnings_of(result), "fell behind its schedule (p99 5.0 ms late"));
}

TEST(RunWarnings, PortsExhaustedNamesTheRemedies) {
  RunResult result = quiet_run();
  result.recorder.errors[static_cast<size_t>(ErrorKind::ephemeral_ports_exhausted)] = 7;
  result.time_wait_after = 28'000;
  const auto warnings = warnings_of(result);
  EXPECT_TRUE(any_contains(warnings, "7 connects found no free local port"));
  EXPECT_TRUE(any_contains(warnings, "TIME_WAIT (28000 now)"));
}

TEST(RunWarnings, UnansweredAtEndExceptForAStream) {
  RunResult result = quiet_run();
  result.in_flight_at_end = 3;
  EXPECT_TRUE(any_contains(warnings_of(result), "3 requests were still unanswered"));
  result.scenario.protocol = Protocol::stream;
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, OptionNotesOfBothSides) {
  RunResult result = quiet_run();
  OptionReading client_buffer;
  client_buffer.name = "so_sndbuf";
  client_buffer.note = "clamped to wmem_max";
  OptionReading server_buffer;
  server_buffer.name = "so_rcvbuf";
  server_buffer.note = "clamped to rmem_max";
  result.client_options.push_back(client_buffer);
  result.server_options.push_back(server_buffer);
  const auto warnings = warnings_of(result);
  EXPECT_TRUE(any_contains(warnings, "client.so_sndbuf: clamped to wmem_max"));
  EXPECT_TRUE(any_contains(warnings, "server.so_rcvbuf: clamped to rmem_max"));
}

TEST(RunWarnings, FastOpenAskedButNoSynCarriedData) {
  RunResult result = quiet_run();
  result.scenario.client.tcp_fastopen_connect = true;
  result.tcp_fastopen = FastOpenCounters{};
  EXPECT_TRUE(any_contains(warnings_of(result), "no SYN carried data"));
  result.tcp_fastopen->active = 10;
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, ResumptionAskedButTheServerGaveNothingToResumeWith) {
  RunResult result = quiet_run();
  result.scenario.connections = 4;
  result.scenario.tls.emplace();
  result.scenario.tls->resumption = TlsResumption::tickets;
  result.recorder.tls = TlsStats{};
  result.recorder.tls->full = 4;  // each slot's first: nothing to resume with yet
  EXPECT_TRUE(warnings_of(result).empty());
  result.recorder.tls->full = 40;
  EXPECT_TRUE(any_contains(warnings_of(result),
                           "none of 40 handshakes resumed: the server gave "
                           "no ticket"));
  result.recorder.tls->resumed = 1;
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, EarlyDataAskedButNoResumedConnectionSentAny) {
  RunResult result = quiet_run();
  result.scenario.tls.emplace();
  result.scenario.tls->resumption = TlsResumption::tickets;
  result.scenario.tls->early_data = true;
  result.recorder.tls = TlsStats{};
  EXPECT_TRUE(warnings_of(result).empty());  // nothing resumed: nothing could go early
  result.recorder.tls->resumed = 10;
  EXPECT_TRUE(any_contains(warnings_of(result), "none of 10 resumed connections sent early data"));
  result.recorder.tls->early_data_rejected = 1;
  EXPECT_TRUE(warnings_of(result).empty());
}

TEST(RunWarnings, EarlierWarningsAreKeptAndNewOnesFollow) {
  RunResult result = quiet_run();
  result.warnings.push_back("from the run itself");
  result.in_flight_at_end = 1;
  add_run_warnings(result);
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0], "from the run itself");
}

}  // namespace
}  // namespace th
