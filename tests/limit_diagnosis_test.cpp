#include <gtest/gtest.h>

#include <string>

#include "report/reporter.hpp"
#include "run_helpers.hpp"
#include "stats/tcp_info_stats.hpp"

// What held a run back: the kernel's shares, overruled by the harness's own clocks where they see
// more than half of the connection time.
namespace th {
namespace {

TcpInfoStats busy_second() {
  TcpInfoStats info;
  info.open_us = 1'000'000;
  info.busy_us = 990'000;  // the kernel says: network limited, 99 %
  for (int sample = 0; sample < 10; ++sample) info.min_rtt_us.record(50);
  return info;
}

TEST(LimitDiagnosis, TheKernelsDominantLimitWhenTheHarnessSawLittle) {
  const TcpInfoStats info = busy_second();
  const auto diagnosis = diagnose_limit(info, Histogram());
  ASSERT_TRUE(diagnosis);
  EXPECT_STREQ(diagnosis->limit, "network");
  EXPECT_NEAR(diagnosis->share, 0.99, 1e-9);
  EXPECT_FALSE(diagnosis->by_harness);
}

TEST(LimitDiagnosis, WritesWaitingOnAFullSendBufferOverruleNetwork) {
  TcpInfoStats info = busy_second();
  info.send_buffer_wait_us = 970'000;
  const auto diagnosis = diagnose_limit(info, Histogram());
  ASSERT_TRUE(diagnosis);
  EXPECT_STREQ(diagnosis->limit, "send_buffer");
  EXPECT_NEAR(diagnosis->share, 0.97, 1e-9);
  EXPECT_TRUE(diagnosis->by_harness);
  info.send_buffer_wait_us = 400'000;  // under half: the kernel's reading stands
  EXPECT_STREQ(diagnose_limit(info, Histogram())->limit, "network");
}

TEST(LimitDiagnosis, FirstBytesLateBeyondTheRoundTripAreTheServers) {
  const TcpInfoStats info = busy_second();
  Histogram first_byte;
  for (int request = 0; request < 450; ++request) first_byte.record(2'050'000);  // 2.05 ms
  const auto diagnosis = diagnose_limit(info, first_byte);
  ASSERT_TRUE(diagnosis);
  EXPECT_STREQ(diagnosis->limit, "server");
  EXPECT_NEAR(diagnosis->share, 450 * 2000.0 / 1e6, 0.01);  // beyond the 50 us round trip
  Histogram quick;
  for (int request = 0; request < 10'000; ++request) quick.record(60'000);  // 60 us: the network
  EXPECT_STREQ(diagnose_limit(info, quick)->limit, "network");
}

TEST(LimitDiagnosis, TheConsoleLineIsShortAndNamesEachRepetition) {
  RunResult run;
  run.name = "bulk";
  run.recorder.tcp_info = busy_second();
  run.recorder.tcp_info->samples = 2;
  run.recorder.tcp_info->send_buffer_wait_us = 970'000;
  for (int sample = 0; sample < 4; ++sample) run.recorder.tcp_info->rtt_us.record(130);
  for (int sample = 0; sample < 4; ++sample) run.recorder.tcp_info->snd_cwnd_segments.record(17);
  run.recorder.tcp_info->retransmitted_segments = 1;
  ReportInput input;
  input.repetitions = 2;
  input.runs = {run, run};
  const std::string text = ConsoleReporter().render(input);
  const std::string line =
      ": tcp_info: limited by send_buffer 97 % (the harness's writes waited on a full send "
      "buffer) · rtt 0.13 ms · cwnd 17 · 1 retransmit\n";
  EXPECT_NE(text.find("bulk #1" + line), std::string::npos) << text;
  EXPECT_NE(text.find("bulk #2" + line), std::string::npos) << text;
}

// The round-trips column appears once a transfer took a round trip or more (never on loopback,
// where it would only print zeros), and the tcp_info line names the server's window.
TEST(LimitDiagnosis, TheTableShowsTransferRoundTripsOnlyWhereTheyCount) {
  RunResult run;
  run.name = "cold";
  run.recorder.tcp_info = busy_second();
  run.recorder.tcp_info->samples = 2;
  run.recorder.tcp_info->record_round_trips(10'000, 50);  // 10 us over 50 us: loopback-like
  ReportInput input;
  input.runs = {run};
  EXPECT_EQ(ConsoleReporter().render(input).find("xfer rtts"), std::string::npos);
  for (int response = 0; response < 4; ++response) {
    input.runs[0].recorder.tcp_info->record_round_trips(90'000'000, 20'000);  // 4.5 of 20 ms
    input.runs[0].recorder.tcp_info->server_snd_cwnd_at_response_segments.record(10);
  }
  const std::string text = ConsoleReporter().render(input);
  const size_t header_end = text.find('\n');
  EXPECT_NE(text.substr(0, header_end).find(" xfer rtts"), std::string::npos) << text;
  const std::string row = text.substr(header_end + 1, text.find('\n', header_end + 1) - header_end);
  EXPECT_NE(row.find("       4.50\n"), std::string::npos) << text;
  EXPECT_NE(text.find("· server cwnd at response p50 10 (min 10, max 10)\n"), std::string::npos)
      << text;
}

TEST(LimitDiagnosis, NothingWithoutSampledTime) {
  EXPECT_FALSE(diagnose_limit(TcpInfoStats(), Histogram()));
}

TEST(LimitDiagnosis, ASmallSendBufferIsNamedOnLoopback) {
  // 64 KiB chunks through a 4 KiB send buffer: the writer waits for room nearly all the time,
  // which the kernel's chrono mostly files as network-limited busy time.
  const RunResult result = testing::run_scenario({{"protocol", "stream"},
                                                  {"request_size", 65536},
                                                  {"connections", 1},
                                                  {"duration_s", 1.0},
                                                  {"client", {{"so_sndbuf", 4096}}}});
  ASSERT_TRUE(result.recorder.tcp_info);
  const TcpInfoStats& info = *result.recorder.tcp_info;
  EXPECT_GT(info.send_buffer_wait_us, info.open_us / 2) << "open_us " << info.open_us;
  const auto diagnosis = diagnose_limit(info, result.recorder.first_byte);
  ASSERT_TRUE(diagnosis);
  EXPECT_STREQ(diagnosis->limit, "send_buffer");
  EXPECT_TRUE(diagnosis->by_harness);
}

TEST(LimitDiagnosis, ASlowServerIsNamedOnLoopback) {
  const RunResult result = testing::run_scenario({{"protocol", "http"},
                                                  {"connections", 1},
                                                  {"duration_s", 1.0},
                                                  {"server", {{"delay_us", 2000}}}});
  ASSERT_TRUE(result.recorder.tcp_info);
  const auto diagnosis = diagnose_limit(*result.recorder.tcp_info, result.recorder.first_byte);
  ASSERT_TRUE(diagnosis);
  EXPECT_STREQ(diagnosis->limit, "server");
  EXPECT_GT(diagnosis->share, 0.8);
}

}  // namespace
}  // namespace th
