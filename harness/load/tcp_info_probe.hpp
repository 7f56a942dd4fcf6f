#pragma once

#include <cstdint>

#include "net/tcp_info.hpp"
#include "stats/tcp_info_stats.hpp"

namespace th {

// One client connection's TCP_INFO: sampled by the worker once a second while the connection is
// open and by the connection just before it closes (so its counters are final). The kernel's
// counters are cumulative over the connection's life; each sample adds only what grew since the
// previous one. No allocation: the previous sample lives here, in the connection.
class TcpInfoProbe {
 public:
  // Connected: the kernel's counters start at zero now.
  void opened(uint64_t now_ns);
  // Reads fd into stats. Gauges count when now_ns is in the measured window [start, end];
  // counter growth counts when the previous sample (or the connect) was in it too, so warm-up
  // traffic on a connection that outlives warm-up is left out (the worker samples right after
  // warm-up ends) and so is traffic after the stop (the worker samples as it stops).
  // peer_closing: the peer said it would close (an HTTP response with "Connection: close"), so
  // its FIN may land during the read; a second read then keeps bytes_received exact.
  void sample(int fd, uint64_t now_ns, uint64_t window_start_ns, uint64_t window_end_ns,
              TcpInfoStats& stats, bool peer_closing = false);
  void closed() { open_ = false; }
  // The connection's min RTT as last sampled; read once from fd when no sample has it yet (a
  // new connection: the handshake gave the kernel its first RTT). 0 when the kernel has none.
  uint32_t min_rtt_us(int fd);
  bool open() const { return open_; }

 private:
  bool open_ = false;
  bool counted_ = false;  // this connection is in stats.connections_sampled
  uint64_t previous_ns_ = 0;
  TcpInfoSample previous_{};
  uint32_t min_rtt_us_ = 0;
};

}  // namespace th
