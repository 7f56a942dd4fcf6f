#pragma once

#include <cstdint>
#include <optional>

#include "stats/histogram.hpp"

namespace th {

// What held a sender back, as shares of the time its connections were open and sampled
// (docs/methodology.md#tcp_info). The kernel's busy time (tcpi_busy_time) runs only while data
// is unacknowledged or unsent, so the time the application gave TCP nothing to send lies outside
// it: that is the application's share, and the kernel's three chrono states split the rest.
struct LimitShares {
  double application = 0;     // nothing to send: the application (or the wait for its peer)
  double network = 0;         // busy, neither limit below: cwnd, pacing, the path's capacity
  double receive_window = 0;  // tcpi_rwnd_limited: the peer's advertised window was full
  double send_buffer = 0;  // tcpi_sndbuf_limited: everything sent, the writer blocked on SO_SNDBUF
};

// Nothing when no time was sampled (or a kernel without the chrono stats reported no busy time).
std::optional<LimitShares> limit_shares(uint64_t open_us, uint64_t busy_us,
                                        uint64_t rwnd_limited_us, uint64_t sndbuf_limited_us);
// "application", "network", "receive_window" or "send_buffer": the largest share (the first of
// equals).
const char* dominant_limit(const LimitShares& shares);

// What held the connections back, from the kernel's shares and the harness's own clocks. The
// kernel cannot tell two cases apart that the harness sees directly: a writer blocked on its own
// small send buffer (the chrono files most of that wait under "busy", so it reads as network
// limited) and a peer that is slow to answer (the request sits unacknowledged until the delayed
// response carries the ACK, which also reads as network limited).
struct LimitDiagnosis {
  // "application", "network", "receive_window", "send_buffer" or "server".
  const char* limit = "application";
  double share = 0;         // of the connections' sampled time
  bool by_harness = false;  // from the harness's clocks rather than the kernel's chrono
};

struct TcpInfoStats;
// The harness's measurement wins when it covers more than half of the connection time, which
// makes it the largest share however the kernel split the rest; otherwise the kernel's dominant
// limit. first_byte: the run's request-written-to-first-byte phase in ns (empty for a stream);
// its excess over the connections' min RTT is time spent waiting for the server. Nothing when no
// time was sampled.
std::optional<LimitDiagnosis> diagnose_limit(const TcpInfoStats& info, const Histogram& first_byte);

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
  // Per answered request: its transfer phase (first to last response byte) over its connection's
  // min RTT, in hundredths of a round trip. A response that fits the sender's window arrives in
  // one flight (under one round trip); one on a cold connection waits for slow start's rounds.
  Histogram response_round_trips_x100;
  // The embedded server's congestion window as it began each answer (read just after the write
  // that started it); empty against any other server.
  Histogram server_snd_cwnd_at_response_segments;
  uint64_t connections_sampled = 0;  // connections with at least one sample in the window
  uint64_t samples = 0;
  // Samples whose delivery rate the kernel flagged application-limited: the sender had less
  // in flight than it could have, so the rate is a burst rate, not the path's capacity.
  uint64_t delivery_rate_app_limited_samples = 0;
  uint64_t retransmitted_segments = 0;
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;
  // Wall time between consecutive samples of the measured window, summed over connections: the
  // denominator of the limited-by shares.
  uint64_t open_us = 0;
  uint64_t busy_us = 0;
  uint64_t rwnd_limited_us = 0;
  uint64_t sndbuf_limited_us = 0;
  // Measured by the harness, not the kernel: how long its writes waited for room in a full send
  // buffer (a write the kernel could not take at once, until it was done), summed over the same
  // connections and window. The kernel's sndbuf_limited chrono misses most of this wait.
  uint64_t send_buffer_wait_us = 0;

  std::optional<LimitShares> shares() const {
    return limit_shares(open_us, busy_us, rwnd_limited_us, sndbuf_limited_us);
  }
  void merge(const TcpInfoStats& other);  // throws std::invalid_argument for another layout
  // transfer_ns over min_rtt_us, allocation-free; nothing without an RTT.
  void record_round_trips(uint64_t transfer_ns, uint32_t min_rtt_us) {
    if (min_rtt_us == 0) return;
    response_round_trips_x100.record(static_cast<int64_t>(transfer_ns / 10 / min_rtt_us));
  }
};

}  // namespace th
