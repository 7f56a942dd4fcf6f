#pragma once

#include <cstdint>

namespace th {

// The fields of one getsockopt(TCP_INFO) the report uses, in the kernel's units. Gauges describe
// the moment of the call; the counters are cumulative over the connection's life.
struct TcpInfoSample {
  // Gauges.
  uint32_t rtt_us = 0;      // smoothed RTT (srtt)
  uint32_t min_rtt_us = 0;  // windowed minimum RTT (Linux 4.6+)
  uint32_t snd_cwnd_segments = 0;
  uint32_t snd_ssthresh_segments = 0;      // kTcpInfiniteSsthresh until the first loss or exit
  uint64_t delivery_rate_bytes_per_s = 0;  // the kernel's latest delivery-rate sample (4.9+)
  bool delivery_rate_app_limited = false;
  // Counters.
  uint32_t total_retrans_segments = 0;
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;     // payload only: without the peer's FIN, which Linux counts too
  uint64_t busy_us = 0;            // data outstanding: all three chrono states (4.10+)
  uint64_t rwnd_limited_us = 0;    // ... of which the peer's receive window held sending back
  uint64_t sndbuf_limited_us = 0;  // ... of which the send buffer held the application back
  // False on a kernel older than 4.10, whose struct ends before tcpi_busy_time: the three
  // chrono fields are then 0 and must not be read as "never busy".
  bool has_chrono = false;
  // The peer's FIN has arrived (tcpi_state is CLOSE_WAIT, LAST_ACK, CLOSING or TIME_WAIT).
  bool peer_fin_received = false;
  // The connection is CLOSED without our close: a reset ended it (or it was never connected).
  bool reset = false;
};

// TCP_INFINITE_SSTHRESH in the kernel: ssthresh before slow start ever ended.
inline constexpr uint32_t kTcpInfiniteSsthresh = 0x7fffffff;

// One getsockopt(TCP_INFO) on a connected TCP socket. Returns 0, or a negative errno (also
// -EPROTO when the kernel's answer is too short to hold the fields above up to total_retrans).
// No allocation: a fixed struct on the stack.
int read_tcp_info(int fd, TcpInfoSample& out) noexcept;

}  // namespace th
