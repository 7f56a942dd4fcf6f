#pragma once

#include <cstdint>
#include <optional>

#include "stats/histogram.hpp"

namespace th {

// What limited a sender while it had data outstanding, as shares of the kernel's busy time
// (tcpi_busy_time, which sums all three of its chrono states; docs/methodology.md#tcp_info).
struct LimitShares {
  double application = 0;     // busy with neither limit below: the sender's own pace or cwnd
  double receive_window = 0;  // tcpi_rwnd_limited: the peer's advertised window was full
  double send_buffer = 0;  // tcpi_sndbuf_limited: everything sent, the writer blocked on SO_SNDBUF
};

// Nothing when busy_us is 0 (no data was ever outstanding, or a kernel without the chrono stats).
std::optional<LimitShares> limit_shares(uint64_t busy_us, uint64_t rwnd_limited_us,
                                        uint64_t sndbuf_limited_us);
// "application", "receive_window" or "send_buffer": the largest share (the first of equals).
const char* dominant_limit(const LimitShares& shares);

// TCP_INFO of one load-generator thread's client connections, sampled once a second while open
// and just before each close. Gauges go into histograms, one value per sample; the kernel's
// cumulative counters are summed as the growth between consecutive samples of a connection, so
// nothing is counted twice. Allocated once per thread; recording never allocates.
struct TcpInfoStats {
  TcpInfoStats();

  Histogram rtt_us;
  Histogram min_rtt_us;
  Histogram snd_cwnd_segments;
  Histogram snd_ssthresh_segments;  // only samples with a finite ssthresh (after a loss or exit)
  Histogram delivery_rate_bytes_per_s;
  uint64_t connections_sampled = 0;  // connections with at least one sample in the window
  uint64_t samples = 0;
  // Samples whose delivery rate the kernel flagged application-limited: the sender had less
  // in flight than it could have, so the rate is a burst rate, not the path's capacity.
  uint64_t delivery_rate_app_limited_samples = 0;
  uint64_t retransmitted_segments = 0;
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;
  uint64_t busy_us = 0;
  uint64_t rwnd_limited_us = 0;
  uint64_t sndbuf_limited_us = 0;

  std::optional<LimitShares> shares() const {
    return limit_shares(busy_us, rwnd_limited_us, sndbuf_limited_us);
  }
  void merge(const TcpInfoStats& other);  // throws std::invalid_argument for another layout
};

}  // namespace th
