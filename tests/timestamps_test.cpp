// timestamps: true, each round trip split at the kernel's software timestamps: the parts must
// add up to the phases the client measured, every request must find its own timestamps (also
// pipelined, also over TLS), and time the client loop loses must land on the harness's side.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "net/kernel_timestamps.hpp"
#include "scenario/loader.hpp"
#include "stats/timestamp_split.hpp"

namespace th {
namespace {

using nlohmann::json;

json timestamped_run(const testing::ScratchDir& scratch, const std::string& arguments) {
  return testing::quickstart_run(scratch, "--set timestamps=true --set warmup_s=0 " + arguments);
}

double mean_us(const json& run, const char* part) {
  return run["latency_us"][part]["mean"].get<double>();
}

// Every answered request was split but those a step of the wall clock cut through (this VM's
// time sync steps it by 0.5 ms every 100 ms: a few in ten thousand 20 us requests), and nothing
// was matched to the wrong bytes.
// At least `fewest` answered: a TLS handshake per request under ASan is slow.
void expect_every_request_split(const json& run, uint64_t fewest = 100) {
  ASSERT_TRUE(run.is_object());
  const json& timestamps = run["timestamps"];
  const auto ok = run["requests"]["ok"].get<uint64_t>();
  EXPECT_GE(ok, fewest);
  const auto stepped = timestamps["clock_stepped"].get<uint64_t>();
  EXPECT_LE(stepped, ok / 100 + 1);
  EXPECT_EQ(timestamps["split"].get<uint64_t>() + stepped, ok);
  EXPECT_EQ(timestamps["missing_transmit"], 0);
  EXPECT_EQ(timestamps["missing_receive"], 0);
  EXPECT_EQ(timestamps["inconsistent"], 0);
  EXPECT_EQ(run["requests"]["error_total"], 0);
}

TEST(Timestamps, EveryRequestIsSplitAndThePartsAddUpToItsPhases) {
  const testing::ScratchDir scratch("tcpharness-timestamps");
  const json run = timestamped_run(
      scratch,
      "--set protocol=echo --set request_size=64 --set connections=1 --set duration_s=0.5");
  expect_every_request_split(run);
  // Per request, send + stack and peer + receive is write + first_byte + transfer; the sums of
  // the same requests agree to the report's rounding of each mean (1 ns).
  const double phases =
      mean_us(run, "write") + mean_us(run, "first_byte") + mean_us(run, "transfer");
  const double parts = mean_us(run, "harness_send") + mean_us(run, "stack_and_peer") +
                       mean_us(run, "harness_receive");
  EXPECT_NEAR(parts, phases, 0.005);
  EXPECT_NEAR(mean_us(run, "harness"),
              mean_us(run, "harness_send") + mean_us(run, "harness_receive"), 0.005);
  // The request's write call reaches the device and the reply needs a read: neither part is 0.
  EXPECT_GT(run["latency_us"]["harness_send"]["p50"].get<double>(), 0.1);
  EXPECT_GT(run["latency_us"]["harness_receive"]["p50"].get<double>(), 0.1);
  EXPECT_GT(run["latency_us"]["stack_and_peer"]["p50"].get<double>(), 0.1);
  const double share = run["timestamps"]["harness_share"]["p50"].get<double>();
  EXPECT_GT(share, 0.0);
  EXPECT_LT(share, 1.0);
  // Set after connect and read back like every option.
  const json& option = run["socket"]["client"]["so_timestamping"];
  const auto asked = software_timestamp_flags();
  EXPECT_EQ(option["applied"].get<uint32_t>() & asked, asked) << option;
}

// Several requests end in one segment; each takes the first timestamp that covers its last byte.
TEST(Timestamps, PipelinedRequestsEachFindTheirTransmitTimestamp) {
  const testing::ScratchDir scratch("tcpharness-timestamps");
  expect_every_request_split(timestamped_run(scratch,
                                             "--set connection=pipelined --set pipeline_depth=8 "
                                             "--set connections=2 --set duration_s=0.5"));
}

// The keys count TLS records, not the plaintext; the handshake's bytes come before them.
TEST(Timestamps, OverTlsTheRecordsCarryTheKeys) {
  const testing::ScratchDir scratch("tcpharness-timestamps");
  expect_every_request_split(
      timestamped_run(scratch, "--set tls.version=1.3 --set connections=2 --set duration_s=0.5"));
  expect_every_request_split(
      timestamped_run(scratch,
                      "--set tls.version=1.3 --set connection=per_request --set connections=2 "
                      "--set duration_s=0.5"),
      10);
}

// The client's Nagle holds each request's body until the server's delayed ACK (40 ms): the bytes
// leave the kernel long after the write call returned, and that wait is the stack's.
TEST(Timestamps, ANagleStallIsTheStacksTimeNotTheHarnesss) {
  const testing::ScratchDir scratch("tcpharness-timestamps");
  const json run = timestamped_run(
      scratch,
      "--set write_pattern=split --set request_size=64 --set connections=1 "
      "--set client.tcp_nodelay=false --set server.tcp_nodelay=true --set duration_s=0.5");
  expect_every_request_split(run, 5);
  EXPECT_GT(run["latency_us"]["stack_and_peer"]["p50"].get<double>(), 20'000.0);
  EXPECT_LT(run["latency_us"]["harness_send"]["p50"].get<double>(), 1'000.0);
}

// A real-time process on the client's core that runs 300 us of every 600: while it runs the
// client cannot read its answers. Returns the child, or -1 when the machine will not allow it.
// The test runs alone (tests/labels.cmake): the hog would slow a test beside it, and a test
// beside it on the server's core would delay the peer, which is the stack-and-peer part.
pid_t start_hog_on_cpu0(double seconds) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  const pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    sched_param priority{};
    priority.sched_priority = 10;
    const char ok = sched_setaffinity(0, sizeof cpus, &cpus) == 0 &&
                    sched_setscheduler(0, SCHED_FIFO, &priority) == 0;
    [[maybe_unused]] const ssize_t told = write(ready[1], &ok, 1);
    if (!ok) _exit(0);
    auto now_ns = [] {
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      return now.tv_sec * 1'000'000'000L + now.tv_nsec;
    };
    const long end = now_ns() + static_cast<long>(seconds * 1e9);
    while (now_ns() < end) {
      const long burst_end = now_ns() + 300'000;
      while (now_ns() < burst_end) {
      }
      const timespec pause{0, 300'000};
      nanosleep(&pause, nullptr);
    }
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  const bool started = child > 0 && read(ready[0], &ok, 1) == 1 && ok;
  close(ready[0]);
  if (child > 0 && !started) waitpid(child, nullptr, 0);
  return started ? child : -1;
}

TEST(Timestamps, ADelayedClientLoopIsHarnessShareNotNetworkTime) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs two CPUs";
  const pid_t hog = start_hog_on_cpu0(3.0);
  if (hog < 0) GTEST_SKIP() << "cannot run a SCHED_FIFO process on CPU 0 (needs root)";
  const testing::ScratchDir scratch("tcpharness-timestamps");
  const json run =
      timestamped_run(scratch,
                      "--set protocol=echo --set request_size=64 --set connections=1 "
                      "--set client_cpus=[0] --set server_cpus=[1] --set duration_s=1");
  kill(hog, SIGKILL);
  waitpid(hog, nullptr, 0);
  expect_every_request_split(run);
  // About one request in ten waits out part of a 300 us burst before its read.
  const double receive_p99 = run["latency_us"]["harness_receive"]["p99"].get<double>();
  const double stack_p99 = run["latency_us"]["stack_and_peer"]["p99"].get<double>();
  EXPECT_GT(receive_p99, 100.0);
  EXPECT_LT(stack_p99, receive_p99 / 2) << "the client's lost time was counted as the network's";
  EXPECT_GT(run["timestamps"]["harness_share"]["p99"].get<double>(), 0.5);
  bool warned = false;
  for (const json& warning : run["warnings"])
    warned |= warning.get<std::string>().find("timestamps: the harness's own share") == 0;
  EXPECT_TRUE(warned) << run["warnings"];
}

TEST(Timestamps, KeysAreCheckedLikeEveryOther) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"timestamps": "yes"})", "/timestamps: "},
      {R"({"timestamps": true, "protocol": "stream"})",
       "/timestamps: splits request/response round trips; protocol stream has none"},
      {R"({"timestamps": true, "client": {"tcp_fastopen": true}})",
       "/timestamps: cannot split requests sent with the SYN"},
      {R"({"timestamps": true, "tls": {"resumption": "tickets", "early_data": true}})",
       "/timestamps: cannot split requests sent as TLS early data"}};
  for (const auto& [text, message] : cases) {
    const std::string error =
        testing::error_of([&] { (void)scenario_from_json(json::parse(text), "x.json"); });
    EXPECT_NE(error.find(message), std::string::npos) << text << " -> " << error;
  }
}

constexpr int64_t kOffset = 1'700'000'000'000'000'000;  // wall clock minus monotonic

TEST(TimestampSplit, ThePartsAddUpAndASmallClockErrorCountsAsZero) {
  TimestampSplit split;
  // Started at 1,000 ns; its last byte left at 3,000; the answer came at 10,000; done at 12,500.
  split.record(1'000, 12'500, 12'500, kOffset + 3'000, kOffset + 10'000, kOffset, kOffset);
  EXPECT_EQ(split.harness_send.max(), 2'000);
  EXPECT_EQ(split.stack_and_peer.max(), 7'000);
  EXPECT_EQ(split.harness_receive.max(), 2'500);
  EXPECT_EQ(split.harness.max(), 4'500);
  // The transmit stamp 400 ns before the start (the offset's error): send is 0 and the middle
  // takes the difference, so the three still add up to the 11,500 measured.
  split.record(1'000, 12'500, 12'500, kOffset + 600, kOffset + 10'000, kOffset, kOffset);
  EXPECT_EQ(split.harness_send.min(), 0);
  EXPECT_EQ(split.stack_and_peer.max(), 9'000);
  EXPECT_EQ(split.split, 2u);
  EXPECT_EQ(split.inconsistent, 0u);
}

// Nagle held the request's last byte 40 us after the write call returned: the wait is the
// stack's, not the harness's.
TEST(TimestampSplit, BytesTheKernelHeldAfterTheWriteAreTheStacksTime) {
  TimestampSplit split;
  split.record(1'000, 3'000, 100'000, kOffset + 43'000, kOffset + 90'000, kOffset, kOffset);
  EXPECT_EQ(split.harness_send.max(), 2'000);
  EXPECT_EQ(split.stack_and_peer.max(), 87'000);
  EXPECT_EQ(split.harness_receive.max(), 10'000);
}

TEST(TimestampSplit, MissingAndImpossibleStampsAreCountedNotRecorded) {
  TimestampSplit split;
  split.record(1'000, 12'500, 12'500, 0, kOffset + 10'000, kOffset, kOffset);
  split.record(1'000, 12'500, 12'500, kOffset + 3'000, 0, kOffset, kOffset);
  split.record(1'000, 12'500, 12'500, kOffset - 5'000, kOffset + 10'000, kOffset,
               kOffset);  // before the start
  split.record(1'000, 12'500, 12'500, kOffset + 9'000, kOffset + 8'000, kOffset,
               kOffset);  // answer before ask
  EXPECT_EQ(split.missing_transmit, 1u);
  EXPECT_EQ(split.missing_receive, 1u);
  EXPECT_EQ(split.inconsistent, 2u);
  // The wall clock stepped by 0.5 ms between the request's handover and its answer.
  split.record(1'000, 12'500, 12'500, kOffset + 3'000, kOffset + 10'000, kOffset,
               kOffset + 500'000);
  EXPECT_EQ(split.clock_stepped, 1u);
  EXPECT_EQ(split.split, 0u);
  EXPECT_EQ(split.harness.count(), 0u);
  EXPECT_FALSE(harness_share(split.harness, split.stack_and_peer, 50));
}

TEST(TimestampSplit, ShareIsTheHarnessPartOfThePercentile) {
  TimestampSplit split;
  for (int index = 0; index < 100; ++index)
    split.record(0, 40'000, 40'000, kOffset + 5'000, kOffset + 35'000, kOffset, kOffset);
  EXPECT_NEAR(*harness_share(split.harness, split.stack_and_peer, 50), 0.25, 0.002);
}

}  // namespace
}  // namespace th
