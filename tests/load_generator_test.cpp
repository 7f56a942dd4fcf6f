#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "free_port.hpp"
#include "run_helpers.hpp"

namespace th {
namespace {

using testing::errors_of;
using testing::reading_of;
using testing::run_scenario;

TEST(LoadGenerator, HttpKeepAliveEndsWithExactlyTheRequestedCount) {
  const RunResult result = run_scenario({{"protocol", "http"},
                                         {"connections", 8},
                                         {"threads", 2},
                                         {"requests", 10000},
                                         {"duration_s", 60}});
  EXPECT_EQ(result.recorder.requests_ok, 10000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.stopped_by, StopReason::requests);
  EXPECT_EQ(result.recorder.total.count(), 10000u);
  EXPECT_EQ(result.recorder.first_byte.count(), 10000u);
  // Keep-alive: one handshake per connection, not per request.
  EXPECT_EQ(result.recorder.connect.count(), 8u);
  EXPECT_GT(result.duration_s, 0.0);
  EXPECT_GT(result.client_cpu_s, 0.0);
  ASSERT_TRUE(result.server_cpu_s.has_value());
}

TEST(LoadGenerator, EchoPerRequestVerifiesEveryPayloadAndConnectsEachTime) {
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"connection", "per_request"},
                                         {"request_size", 1000},
                                         {"connections", 4},
                                         {"requests", 2000},
                                         {"duration_s", 60}});
  EXPECT_EQ(result.recorder.requests_ok, 2000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.connect.count(), 2000u);
  EXPECT_EQ(result.recorder.connections_opened, 2000u);
  EXPECT_EQ(result.recorder.bytes_sent, 2000u * 1000u);
  EXPECT_EQ(result.recorder.bytes_received, 2000u * 1000u);
}

TEST(LoadGenerator, EchoSplitWritesStillVerify) {
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"write_pattern", "split"},
                                         {"client", {{"tcp_nodelay", true}}},
                                         {"request_size", 4097},
                                         {"connections", 2},
                                         {"requests", 1000},
                                         {"duration_s", 60}});
  EXPECT_EQ(result.recorder.requests_ok, 1000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
}

TEST(LoadGenerator, StreamCountsWhatTheServerReceived) {
  const RunResult result = run_scenario(
      {{"protocol", "stream"}, {"request_size", 65536}, {"connections", 2}, {"duration_s", 0.5}});
  EXPECT_GT(result.recorder.bytes_sent, 1'000'000u);
  ASSERT_TRUE(result.server_bytes_received.has_value());
  // Everything the client handed to the kernel arrives; the server may also have read bytes
  // written during warm-up (none here), never fewer than were counted as sent.
  EXPECT_GE(*result.server_bytes_received, result.recorder.bytes_sent);
  EXPECT_EQ(result.recorder.error_total(), 0u);
}

TEST(LoadGenerator, RefusedConnectionsAreCountedNotFatal) {
  // A port bound but not listening: connects are refused, and no other test can take the port
  // while this socket holds it.
  testing::LoopbackSocket bound;
  ASSERT_TRUE(bound.ok());
  const RunResult result = run_scenario(
      {{"protocol", "http"}, {"target", bound.target()}, {"connections", 2}, {"duration_s", 0.3}});
  bound.close();
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_GT(errors_of(result, ErrorKind::connect_refused), 0u);
  // Backoff bounds the attempts: 2 connections, 10 ms apart, over 0.3 s.
  EXPECT_LT(errors_of(result, ErrorKind::connect_refused), 200u);
}

TEST(LoadGenerator, SilentServerIsCountedAsTimeouts) {
  // A listener that never accepts: the kernel completes handshakes into its backlog, and no
  // byte ever comes back.
  testing::LoopbackSocket listener(64);
  ASSERT_TRUE(listener.ok());
  const RunResult result = run_scenario({{"protocol", "http"},
                                         {"target", listener.target()},
                                         {"connections", 2},
                                         {"timeout_ms", 100},
                                         {"duration_s", 0.5}});
  listener.close();
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_GE(errors_of(result, ErrorKind::timeout), 2u);
}

TEST(LoadGenerator, AppliedSocketOptionsAreReadBackFromRealSockets) {
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"client", {{"tcp_nodelay", true}, {"so_sndbuf", 65536}}},
                                         {"server", {{"tcp_nodelay", true}}},
                                         {"requests", 10},
                                         {"connections", 1}});
  EXPECT_EQ(reading_of(result.client_options, "tcp_nodelay").applied, 1);
  // Linux doubles SO_SNDBUF to leave room for bookkeeping (socket(7)).
  EXPECT_EQ(reading_of(result.client_options, "so_sndbuf").requested, 65536);
  EXPECT_EQ(reading_of(result.client_options, "so_sndbuf").applied, 131072);
  EXPECT_EQ(reading_of(result.server_options, "tcp_nodelay").applied, 1);
  EXPECT_FALSE(reading_of(result.server_options, "so_rcvbuf").requested.has_value());
}

TEST(LoadGenerator, ABufferAboveItsSysctlIsReportedAsClamped) {
  std::ifstream file("/proc/sys/net/core/wmem_max");
  int64_t wmem_max = 0;
  if (!(file >> wmem_max) || wmem_max > (int64_t{1} << 28))
    GTEST_SKIP() << "wmem_max unreadable or huge";
  const int64_t asked = 4 * wmem_max;
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"client", {{"so_sndbuf", asked}, {"so_rcvbuf", 65536}}},
                                         {"requests", 10},
                                         {"connections", 1}});
  for (const OptionReading& reading : result.client_options) {
    if (reading.name == "so_sndbuf") {
      EXPECT_EQ(reading.applied, 2 * wmem_max);
      EXPECT_NE(reading.note.find("sysctl -w net.core.wmem_max=" + std::to_string(asked)),
                std::string::npos)
          << reading.note;
    }
    if (reading.name == "so_rcvbuf") {
      EXPECT_EQ(reading.note, "") << "not clamped";
    }
  }
  bool warned = false;
  for (const std::string& warning : result.warnings) {
    warned |= warning.starts_with("client.so_sndbuf: clamped");
  }
  EXPECT_TRUE(warned);
}

TEST(Nagle, SplitWritesStallAboutFortyMilliseconds) {
  // The stall comes from the kernel's delayed ACK (>= 40 ms on Linux); a busy machine can only
  // make it longer, so the lower bound is safe. The no-delay bound is generous for the same reason.
  const nlohmann::json base = {{"protocol", "http"}, {"write_pattern", "split"},
                               {"request_size", 64}, {"connections", 1},
                               {"requests", 20},     {"duration_s", 10}};
  nlohmann::json nagle = base;
  nagle["client"] = {{"tcp_nodelay", false}};
  nagle["server"] = {{"tcp_nodelay", true}};
  nlohmann::json nodelay = base;
  nodelay["client"] = {{"tcp_nodelay", true}};
  nodelay["server"] = {{"tcp_nodelay", true}};
  const RunResult stalled = run_scenario(nagle);
  const RunResult fast = run_scenario(nodelay);
  EXPECT_EQ(stalled.recorder.requests_ok, 20u);
  EXPECT_GE(stalled.recorder.total.percentile(50), 30'000'000);
  EXPECT_LT(fast.recorder.total.percentile(50), 20'000'000);
}

}  // namespace
}  // namespace th

namespace th {
namespace {

TEST(EmbeddedServer, DelayUsHoldsEveryResponse) {
  const RunResult result = testing::run_scenario(
      {{"server", {{"delay_us", 3000}}}, {"connections", 1}, {"requests", 50}, {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 50u);
  EXPECT_GE(result.recorder.total.min(), 3'000'000);
}

TEST(EmbeddedServer, StallFreezesTheLoop) {
  const RunResult result =
      testing::run_scenario({{"server", {{"stall", {{"every_s", 0.2}, {"for_ms", 100}}}}},
                             {"connections", 1},
                             {"duration_s", 0.7}});
  EXPECT_GT(result.recorder.requests_ok, 0u);
  // A request caught by a stall waits for most of it.
  EXPECT_GE(result.recorder.total.max(), 50'000'000);
}

}  // namespace
}  // namespace th
