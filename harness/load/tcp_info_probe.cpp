#include "load/tcp_info_probe.hpp"

namespace th {

void TcpInfoProbe::opened(uint64_t now_ns) {
  open_ = true;
  counted_ = false;
  previous_ns_ = now_ns;
  previous_ = TcpInfoSample{};
  // The peer's SYN-ACK acknowledged our SYN, one sequence number that tcpi_bytes_acked counts
  // as a byte: start from it so bytes_acked is data only, as bytes_received is (read_tcp_info
  // leaves out the peer's FIN).
  previous_.bytes_acked = 1;
  min_rtt_us_ = 0;
}

uint32_t TcpInfoProbe::min_rtt_us(int fd) {
  if (min_rtt_us_ != 0 || !open_) return min_rtt_us_;
  TcpInfoSample now{};
  if (read_tcp_info(fd, now) == 0) min_rtt_us_ = now.min_rtt_us;
  return min_rtt_us_;
}

namespace {

// Growth of a cumulative counter. It never shrinks on one connection, but a sample taken before
// a Fast Open connection's SYN is acknowledged reads 0 where the baseline assumed the SYN's byte.
uint64_t grown(uint64_t now, uint64_t before) { return now >= before ? now - before : 0; }

}  // namespace

void TcpInfoProbe::sample(int fd, uint64_t now_ns, uint64_t window_start_ns, uint64_t window_end_ns,
                          TcpInfoStats& stats, bool peer_closing) {
  TcpInfoSample now{};
  // A syscall once a second per connection and once per close: one per request only with
  // per_request connections (a close each), where it is 1 of about 8 syscalls a request makes.
  // A failed read (the peer reset the socket) leaves nothing to add.
  if (read_tcp_info(fd, now) != 0) return;
  // tcp_get_info reads the state before it locks the socket, so a FIN processed in between is in
  // bytes_received while the state still says ESTABLISHED, and read_tcp_info cannot leave it out.
  // Had it been counted, a second read sees its state (the FIN's processing, state change
  // included, holds the socket lock that the first read waited for). Only worth it when the
  // peer announced its close: then the FIN and this sample before our close come together, and
  // about 1 per_request connection in 2000 was counted one byte high on loopback without it.
  if (peer_closing && !now.peer_fin_received) {
    TcpInfoSample settled{};
    if (read_tcp_info(fd, settled) == 0 && settled.peer_fin_received) now = settled;
  }
  const bool in_window = now_ns >= window_start_ns && now_ns <= window_end_ns;
  const bool since_in_window = previous_ns_ >= window_start_ns;
  if (in_window) {
    ++stats.samples;
    if (!counted_) {
      counted_ = true;
      ++stats.connections_sampled;
    }
    stats.rtt_us.record(now.rtt_us);
    stats.min_rtt_us.record(now.min_rtt_us);
    stats.snd_cwnd_segments.record(now.snd_cwnd_segments);
    if (now.snd_ssthresh_segments < kTcpInfiniteSsthresh) {
      stats.snd_ssthresh_segments.record(now.snd_ssthresh_segments);
    }
    // 0 until the first ACK of data gave the kernel a rate sample: no estimate, not a rate of 0.
    if (now.delivery_rate_bytes_per_s > 0) {
      stats.delivery_rate_bytes_per_s.record(static_cast<int64_t>(now.delivery_rate_bytes_per_s));
      if (now.delivery_rate_app_limited) ++stats.delivery_rate_app_limited_samples;
    }
  }
  if (in_window && since_in_window) {
    // Unsigned differences: total_retrans is 32 bits and may wrap on a very long connection.
    stats.retransmitted_segments +=
        static_cast<uint32_t>(now.total_retrans_segments - previous_.total_retrans_segments);
    stats.bytes_acked += grown(now.bytes_acked, previous_.bytes_acked);
    stats.bytes_received += grown(now.bytes_received, previous_.bytes_received);
    if (now.has_chrono) {
      stats.open_us += (now_ns - previous_ns_) / 1000;
      stats.busy_us += grown(now.busy_us, previous_.busy_us);
      stats.rwnd_limited_us += grown(now.rwnd_limited_us, previous_.rwnd_limited_us);
      stats.sndbuf_limited_us += grown(now.sndbuf_limited_us, previous_.sndbuf_limited_us);
    }
  }
  previous_ = now;
  previous_ns_ = now_ns;
  if (now.min_rtt_us != 0) min_rtt_us_ = now.min_rtt_us;
}

}  // namespace th
