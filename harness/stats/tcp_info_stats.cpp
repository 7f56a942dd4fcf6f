#include "stats/tcp_info_stats.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace th {
namespace {

// Ranges wide enough never to clamp a real value: 100 s of RTT, the kernel's largest window
// (ssthresh "infinity" is 2^31 - 1), 1 TB/s of delivery rate.
constexpr int64_t kHighestRttUs = 100'000'000;
constexpr int64_t kHighestSegments = 0x7fffffff;
constexpr int64_t kHighestBytesPerS = 1'000'000'000'000;
// A transfer of a million round trips is a stalled one; the histogram still holds it.
constexpr int64_t kHighestRoundTripsX100 = 100'000'000;

}  // namespace

std::optional<LimitShares> limit_shares(uint64_t open_us, uint64_t busy_us,
                                        uint64_t rwnd_limited_us, uint64_t sndbuf_limited_us) {
  // The kernel counts its chrono times in jiffies and the samples come a little apart from the
  // wall clock, so busy time may exceed the sampled time by a tick: never a negative share.
  const uint64_t total_us = std::max(open_us, busy_us);
  if (total_us == 0) return std::nullopt;
  const double total = static_cast<double>(total_us);
  const uint64_t limited = std::min(busy_us, rwnd_limited_us + sndbuf_limited_us);
  return LimitShares{.application = static_cast<double>(total_us - busy_us) / total,
                     .network = static_cast<double>(busy_us - limited) / total,
                     .receive_window = static_cast<double>(rwnd_limited_us) / total,
                     .send_buffer = static_cast<double>(sndbuf_limited_us) / total};
}

const char* dominant_limit(const LimitShares& shares) {
  const std::pair<const char*, double> candidates[] = {{"application", shares.application},
                                                       {"network", shares.network},
                                                       {"receive_window", shares.receive_window},
                                                       {"send_buffer", shares.send_buffer}};
  const auto* largest = std::max_element(
      std::begin(candidates), std::end(candidates),
      [](const auto& left, const auto& right) { return left.second < right.second; });
  return largest->first;
}

TcpInfoStats::TcpInfoStats()
    : rtt_us(kHighestRttUs),
      min_rtt_us(kHighestRttUs),
      snd_cwnd_segments(kHighestSegments),
      snd_ssthresh_segments(kHighestSegments),
      delivery_rate_bytes_per_s(kHighestBytesPerS),
      response_round_trips_x100(kHighestRoundTripsX100),
      server_snd_cwnd_at_response_segments(kHighestSegments) {}

void TcpInfoStats::merge(const TcpInfoStats& other) {
  rtt_us.merge(other.rtt_us);
  min_rtt_us.merge(other.min_rtt_us);
  snd_cwnd_segments.merge(other.snd_cwnd_segments);
  snd_ssthresh_segments.merge(other.snd_ssthresh_segments);
  delivery_rate_bytes_per_s.merge(other.delivery_rate_bytes_per_s);
  response_round_trips_x100.merge(other.response_round_trips_x100);
  server_snd_cwnd_at_response_segments.merge(other.server_snd_cwnd_at_response_segments);
  connections_sampled += other.connections_sampled;
  samples += other.samples;
  delivery_rate_app_limited_samples += other.delivery_rate_app_limited_samples;
  retransmitted_segments += other.retransmitted_segments;
  bytes_acked += other.bytes_acked;
  bytes_received += other.bytes_received;
  open_us += other.open_us;
  busy_us += other.busy_us;
  rwnd_limited_us += other.rwnd_limited_us;
  sndbuf_limited_us += other.sndbuf_limited_us;
  send_buffer_wait_us += other.send_buffer_wait_us;
}

std::optional<LimitDiagnosis> diagnose_limit(const TcpInfoStats& info,
                                             const Histogram& first_byte) {
  const std::optional<LimitShares> shares = info.shares();
  if (!shares) return std::nullopt;
  const double open_us = static_cast<double>(std::max(info.open_us, info.busy_us));
  const double send_buffer = std::min(1.0, static_cast<double>(info.send_buffer_wait_us) / open_us);
  if (send_buffer > 0.5 && send_buffer > shares->send_buffer) {
    return LimitDiagnosis{.limit = "send_buffer", .share = send_buffer, .by_harness = true};
  }
  if (first_byte.count() > 0 && info.min_rtt_us.count() > 0) {
    // Pipelined requests wait side by side, so the sum may pass the connection time: capped.
    const double round_trip_us = static_cast<double>(info.min_rtt_us.percentile(50));
    const double beyond_round_trip_us = std::max(0.0, first_byte.mean() / 1000 - round_trip_us);
    const double server =
        std::min(1.0, beyond_round_trip_us * static_cast<double>(first_byte.count()) / open_us);
    if (server > 0.5) return LimitDiagnosis{.limit = "server", .share = server, .by_harness = true};
  }
  const char* dominant = dominant_limit(*shares);
  const double share =
      std::max({shares->application, shares->network, shares->receive_window, shares->send_buffer});
  return LimitDiagnosis{.limit = dominant, .share = share, .by_harness = false};
}

}  // namespace th
