// TCP_INFO per run: what the kernel says limited the senders, sampled from every client
// connection once a second and at close (docs/methodology.md#tcp_info).
#include "net/tcp_info.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "base/config_error.hpp"
#include "blocking_client.hpp"
#include "config_errors.hpp"
#include "free_port.hpp"
#include "host/network_namespace.hpp"
#include "net/address.hpp"
#include "report/merge.hpp"
#include "report_fixtures.hpp"
#include "run_helpers.hpp"
#include "scripted_http_server.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::report_of;
using testing::run_scenario;
using testing::steady_run;

// One connection streaming 4 KiB chunks with one client SO_SNDBUF, two seconds so that the
// once-a-second sampling fires too. 4 KiB chunks, not bufsize.json's 64 KiB: a 64 KiB write
// into an empty queue is taken whole (the kernel always admits one segment-sized skb), its
// sub-MSS tail then waits for the peer's delayed ACK, and Linux counts that wait as plain busy
// time, never as send-buffer time (docs/methodology.md#tcp_info).
RunResult stream_with_sndbuf(int so_sndbuf, const json& link = nullptr) {
  json scenario = {{"protocol", "stream"}, {"request_size", 4096},
                   {"connections", 1},     {"duration_s", 2},
                   {"warmup_s", 0.5},      {"client", {{"so_sndbuf", so_sndbuf}}}};
  if (!link.is_null()) scenario["link"] = link;
  return run_scenario(scenario);
}

double send_buffer_share_of_busy_time(const RunResult& result) {
  const TcpInfoStats& info = *result.recorder.tcp_info;
  if (info.busy_us == 0) return 0.0;
  return static_cast<double>(info.sndbuf_limited_us) / static_cast<double>(info.busy_us);
}

// On loopback the send buffer's share depends on which of client and server the CPUs favour
// (41-74 % of busy time here, 7 % once under a sanitizer on a busy machine): only that a 4 MiB
// buffer is never the limit is asserted. Over a 100 Mbit/s link with a 20 ms round trip the
// path sets the pace whatever the CPUs do: with a 4 KiB buffer (8 KiB applied) everything
// written is soon sent and the sender waits out most of each round trip with its buffer full,
// which Linux counts as send-buffer time (tcp_cwnd_validate); with 4 MiB, cwnd is the limit.
// Without the delay the link's bandwidth-delay product is below tbf's 1 ms bucket, and the small
// buffer hardly matters. docs/methodology.md#tcp_info has the figures.
TEST(TcpInfo, OverALinkA4KiBSendBufferIsTheDominantLimitAndA4MiBOneIsNot) {
  if (!missing_link_capabilities().empty()) GTEST_SKIP() << "a shaped link needs root";
  const json link = {{"rate_mbit", 100}, {"queue_ms", 50}, {"delay_ms", 10}};
  const RunResult small = stream_with_sndbuf(4096, link);
  ASSERT_TRUE(small.recorder.tcp_info.has_value());
  const TcpInfoStats& info = *small.recorder.tcp_info;
  EXPECT_EQ(info.connections_sampled, 1u);
  EXPECT_GE(info.samples, 2u);  // once a second, and at close
  const std::optional<LimitShares> small_shares = info.shares();
  ASSERT_TRUE(small_shares.has_value());
  EXPECT_STREQ(dominant_limit(*small_shares), "send_buffer")
      << "send_buffer " << small_shares->send_buffer << ", network " << small_shares->network
      << ", application " << small_shares->application;

  const RunResult large = stream_with_sndbuf(4 << 20, link);
  ASSERT_TRUE(large.recorder.tcp_info.has_value());
  const std::optional<LimitShares> large_shares = large.recorder.tcp_info->shares();
  ASSERT_TRUE(large_shares.has_value());
  EXPECT_STRNE(dominant_limit(*large_shares), "send_buffer");
  EXPECT_LT(large_shares->send_buffer, 0.05);
  // On a path that the link limits, the kernel's delivery-rate estimate is near the link's rate,
  // as the payload throughput is. This is a check of unit and source only, so the factor is
  // wide: a 2 s run has only a few samples, and their median was 0.68x the throughput in one CI
  // run. Bits for bytes would be 8x off.
  const Histogram& rate = large.recorder.tcp_info->delivery_rate_bytes_per_s;
  ASSERT_GT(rate.count(), 0u);
  const double throughput = static_cast<double>(large.recorder.bytes_sent) / large.duration_s;
  EXPECT_GT(static_cast<double>(rate.percentile(50)), throughput * 0.4);
  EXPECT_LT(static_cast<double>(rate.percentile(50)), throughput * 2.0);
}

TEST(TcpInfo, OnLoopbackA4MiBSendBufferIsNeverTheLimit) {
  const RunResult large = stream_with_sndbuf(4 << 20);
  ASSERT_TRUE(large.recorder.tcp_info.has_value());
  EXPECT_GT(large.recorder.tcp_info->busy_us, 0u);
  EXPECT_LT(send_buffer_share_of_busy_time(large), 0.05);
}

// A coarse check of unit and source: on loopback the kernel's estimate is the burst rate of an
// application-limited sender, several times the average; it is never below it. The agreement
// within 20 % on a network-limited path is a printed figure (docs/methodology.md#tcp_info), too
// timing-dependent to assert on a busy 2-core machine.
TEST(TcpInfo, StreamDeliveryRateIsNotBelowHalfTheMeasuredThroughput) {
  const RunResult result = stream_with_sndbuf(4 << 20);
  const Histogram& rate = result.recorder.tcp_info->delivery_rate_bytes_per_s;
  ASSERT_GT(rate.count(), 0u);
  const double throughput = static_cast<double>(result.recorder.bytes_sent) / result.duration_s;
  EXPECT_GT(static_cast<double>(rate.percentile(50)), throughput / 2)
      << "delivery rate p50 " << rate.percentile(50) << " B/s, throughput " << throughput;
}

TEST(TcpInfo, KeepAliveHttpSamplesEveryConnectionWithAnRtt) {
  const RunResult result =
      run_scenario({{"connections", 4}, {"requests", 2000}, {"duration_s", 60}});
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  const TcpInfoStats& info = *result.recorder.tcp_info;
  EXPECT_EQ(info.connections_sampled, 4u);  // each sampled as it closed at the end
  EXPECT_GT(info.rtt_us.percentile(50), 0);
  EXPECT_GT(info.min_rtt_us.percentile(50), 0);
  EXPECT_GT(info.snd_cwnd_segments.percentile(50), 0);
  // The kernel counts the same bytes the harness wrote and read (no warm-up here).
  EXPECT_EQ(info.bytes_acked, result.recorder.bytes_sent);
  EXPECT_EQ(info.bytes_received, result.recorder.bytes_received);
}

TEST(TcpInfo, PerRequestSamplesEachConnectionOnceAtClose) {
  const RunResult result = run_scenario(
      {{"connection", "per_request"}, {"connections", 2}, {"requests", 300}, {"duration_s", 60}});
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  EXPECT_EQ(result.recorder.tcp_info->connections_sampled, 300u);
  EXPECT_EQ(result.recorder.tcp_info->bytes_acked, result.recorder.bytes_sent);
}

// Linux advances tcpi_bytes_received with rcv_nxt, and the peer's FIN takes one sequence number
// (RFC 9293 §3.4): a socket that has read the peer's close must still report only its payload.
TEST(TcpInfoSample, BytesReceivedLeavesOutThePeersFin) {
  testing::LoopbackSocket listener(1);
  ASSERT_TRUE(listener.ok());
  SocketAddress server_address;
  std::memcpy(&server_address.storage, &listener.address(), sizeof(sockaddr_in));

  const std::string payload(1000, 'x');
  std::thread server([&] {
    const int accepted = accept(listener.fd(), nullptr, nullptr);
    if (accepted < 0) return;
    (void)!write(accepted, payload.data(), payload.size());
    close(accepted);  // the server closes first: its FIN follows the payload
  });
  testing::Client client(server_address);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.receive_until_close(), payload);  // read to the EOF: the FIN has arrived
  server.join();
  listener.close();

  TcpInfoSample sample;
  ASSERT_EQ(read_tcp_info(client.fd(), sample), 0);
  EXPECT_TRUE(sample.peer_fin_received);
  EXPECT_EQ(sample.bytes_received, payload.size());
}

// per_request HTTP asks for "Connection: close", so the embedded server closes each connection
// right after its response, usually before the client's sample at close reads TCP_INFO.
TEST(TcpInfo, PerRequestHttpBytesReceivedEqualsTheBytesRead) {
  const RunResult result = run_scenario(
      {{"connection", "per_request"}, {"connections", 2}, {"requests", 300}, {"duration_s", 60}});
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  EXPECT_EQ(result.recorder.tcp_info->bytes_received, result.recorder.bytes_received);
}

// A body delimited by the server's close: the client reads the FIN before every sample at close.
TEST(TcpInfo, CloseDelimitedResponsesBytesReceivedEqualsTheBytesRead) {
  testing::ScriptedHttpServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close", true);
  const RunResult result = run_scenario({{"target", server.target()},
                                         {"request_size", 0},
                                         {"connections", 2},
                                         {"requests", 100},
                                         {"duration_s", 30}});
  ASSERT_EQ(result.recorder.requests_ok, 100u);
  ASSERT_TRUE(result.recorder.tcp_info.has_value());
  EXPECT_EQ(result.recorder.tcp_info->connections_sampled, 100u);
  EXPECT_EQ(result.recorder.tcp_info->bytes_received, result.recorder.bytes_received);
}

TEST(TcpInfo, OffMeansNoSamplesAndNoSection) {
  const RunResult result = run_scenario(
      {{"tcp_info", false}, {"connections", 2}, {"requests", 200}, {"duration_s", 60}});
  EXPECT_EQ(result.recorder.requests_ok, 200u);
  EXPECT_FALSE(result.recorder.tcp_info.has_value());
  EXPECT_FALSE(run_to_json(result).contains("tcp_info"));
}

TEST(TcpInfo, ScenarioKeyIsABooleanDefaultingToTrue) {
  EXPECT_TRUE(scenario_from_json(json::object(), "x.json").tcp_info);
  EXPECT_FALSE(scenario_from_json({{"tcp_info", false}}, "x.json").tcp_info);
  const std::string message = testing::error_of([] {
    scenario_from_json({{"tcp_info", "yes"}}, "x.json");
  });
  EXPECT_NE(message.find("/tcp_info"), std::string::npos) << message;
}

TEST(LimitShares, SplitConnectionTimeWithIdleTimeTheApplications) {
  // 2000 us open, 1000 of them busy: 100 receive-window and 600 send-buffer limited.
  const std::optional<LimitShares> shares = limit_shares(2000, 1000, 100, 600);
  ASSERT_TRUE(shares.has_value());
  EXPECT_DOUBLE_EQ(shares->application, 0.5);
  EXPECT_DOUBLE_EQ(shares->network, 0.15);
  EXPECT_DOUBLE_EQ(shares->receive_window, 0.05);
  EXPECT_DOUBLE_EQ(shares->send_buffer, 0.3);
  EXPECT_STREQ(dominant_limit(*shares), "application");
  EXPECT_STREQ(dominant_limit(*limit_shares(1000, 1000, 0, 900)), "send_buffer");
  EXPECT_STREQ(dominant_limit(*limit_shares(1000, 1000, 0, 0)), "network");
  EXPECT_STREQ(dominant_limit(*limit_shares(1000, 1000, 700, 0)), "receive_window");
  EXPECT_STREQ(dominant_limit(*limit_shares(1000, 0, 0, 0)), "application");
  // Busy time rounded up past the sampled time by a jiffy: shares stay within [0, 1].
  EXPECT_DOUBLE_EQ(limit_shares(990, 1000, 0, 0)->network, 1.0);
  EXPECT_FALSE(limit_shares(0, 0, 0, 0).has_value());  // nothing sampled: no limit to name
}

RunResult run_with_tcp_info(uint64_t busy_us, uint64_t sndbuf_limited_us, int64_t rtt_us) {
  RunResult run = steady_run("run", 100);
  TcpInfoStats& info = run.recorder.tcp_info.emplace();
  info.connections_sampled = 2;
  info.samples = 10;
  info.retransmitted_segments = 3;
  info.open_us = busy_us;
  info.busy_us = busy_us;
  info.sndbuf_limited_us = sndbuf_limited_us;
  for (int sample = 0; sample < 10; ++sample) {
    info.rtt_us.record(rtt_us);
    info.delivery_rate_bytes_per_s.record(1'000'000);
  }
  return run;
}

TEST(TcpInfoReport, IsReadBackAndMergedExactly) {
  const LoadedReport a = report_of({run_with_tcp_info(1000, 900, 50)}, "a.json");
  const LoadedReport b = report_of({run_with_tcp_info(3000, 0, 150)}, "b.json");
  const json& one = a.document["runs"][0]["tcp_info"];
  EXPECT_EQ(one["dominant_limit"], "send_buffer");
  EXPECT_DOUBLE_EQ(one["limited_by"]["send_buffer"].get<double>(), 0.9);
  EXPECT_EQ(one["rtt_us"]["p50"], 50);
  EXPECT_EQ(one["retransmits"], 3);

  const json merged = merge_reports({a, b})["runs"][0]["tcp_info"];
  EXPECT_EQ(merged["connections_sampled"], 4);
  EXPECT_EQ(merged["retransmits"], 6);
  EXPECT_EQ(merged["busy_us"], 4000);
  EXPECT_EQ(merged["rtt_us"]["count"], 20);
  EXPECT_EQ(merged["rtt_us"]["min"], 50);
  EXPECT_EQ(merged["rtt_us"]["max"], 150);
  // 900 of 4000 us were send-buffer limited: the merged run is mostly the second one's.
  EXPECT_EQ(merged["open_us"], 4000);
  EXPECT_EQ(merged["dominant_limit"], "network");
  EXPECT_DOUBLE_EQ(merged["limited_by"]["send_buffer"].get<double>(), 0.225);
}

// 20 ms of transfer over a 5 ms min RTT is 4 round trips; the report says 4, not 400, and a
// merge adds the hundredths' histograms bucket by bucket.
TEST(TcpInfoReport, ResponseRoundTripsAreInRoundTripsAndMergeWithTheServerCwnd) {
  RunResult first = run_with_tcp_info(1000, 0, 50);
  first.recorder.tcp_info->record_round_trips(20'000'000, 5'000);
  first.recorder.tcp_info->record_round_trips(5'250'000, 5'000);
  first.recorder.tcp_info->record_round_trips(1'000'000, 0);  // no RTT: nothing to divide by
  first.recorder.tcp_info->server_snd_cwnd_at_response_segments.record(10);
  RunResult second = run_with_tcp_info(1000, 0, 50);
  second.recorder.tcp_info->record_round_trips(10'000'000, 5'000);
  second.recorder.tcp_info->server_snd_cwnd_at_response_segments.record(40);
  const LoadedReport a = report_of({first}, "a.json");
  const LoadedReport b = report_of({second}, "b.json");
  const json& one = a.document["runs"][0]["tcp_info"];
  EXPECT_EQ(one["response_round_trips"]["count"], 2);
  EXPECT_DOUBLE_EQ(one["response_round_trips"]["min"].get<double>(), 1.05);
  EXPECT_DOUBLE_EQ(one["response_round_trips"]["max"].get<double>(), 4.0);
  EXPECT_EQ(one["server_snd_cwnd_at_response_segments"]["p50"], 10);

  const json merged = merge_reports({a, b})["runs"][0]["tcp_info"];
  EXPECT_EQ(merged["response_round_trips"]["count"], 3);
  EXPECT_DOUBLE_EQ(merged["response_round_trips"]["p50"].get<double>(), 2.0);
  EXPECT_EQ(merged["server_snd_cwnd_at_response_segments"]["count"], 2);
  EXPECT_EQ(merged["server_snd_cwnd_at_response_segments"]["max"], 40);
}

TEST(TcpInfoReport, ABrokenSectionIsRefusedWithItsPointer) {
  json document = report_of({run_with_tcp_info(1000, 900, 50)}).document;
  document["runs"][0]["tcp_info"]["dominant_limit"] = "cpu";
  const std::string message = testing::error_of([&] { parse_report(document.dump(), "bad.json"); });
  EXPECT_NE(message.find("bad.json: /runs/0/tcp_info/dominant_limit"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace th
