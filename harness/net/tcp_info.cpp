// Only <linux/tcp.h> here: glibc's <netinet/tcp.h> declares its own struct tcp_info, frozen at
// tcpi_total_retrans (no min_rtt, delivery_rate or busy time), and the two cannot share a file.
#include "net/tcp_info.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

namespace th {
namespace {

// The kernel copies min(its struct, our buffer) and says how much through the length: an older
// kernel answers shorter, and a field past the end must count as absent, not as 0.
constexpr socklen_t kThroughRetrans =
    offsetof(tcp_info, tcpi_total_retrans) + sizeof(tcp_info::tcpi_total_retrans);
constexpr socklen_t kThroughBytesReceived =
    offsetof(tcp_info, tcpi_bytes_received) + sizeof(tcp_info::tcpi_bytes_received);
constexpr socklen_t kThroughMinRtt =
    offsetof(tcp_info, tcpi_min_rtt) + sizeof(tcp_info::tcpi_min_rtt);
constexpr socklen_t kThroughDeliveryRate =
    offsetof(tcp_info, tcpi_delivery_rate) + sizeof(tcp_info::tcpi_delivery_rate);
constexpr socklen_t kThroughSndbufLimited =
    offsetof(tcp_info, tcpi_sndbuf_limited) + sizeof(tcp_info::tcpi_sndbuf_limited);

// The states a connection is in once the peer's FIN has arrived, as tcpi_state numbers them
// (include/net/tcp_states.h; <netinet/tcp.h> has them too but cannot share this file).
constexpr uint8_t kTcpTimeWait = 6;
constexpr uint8_t kTcpClose = 7;
constexpr uint8_t kTcpCloseWait = 8;
constexpr uint8_t kTcpLastAck = 9;
constexpr uint8_t kTcpClosing = 11;

bool peer_fin_received(uint8_t state) {
  return state == kTcpCloseWait || state == kTcpLastAck || state == kTcpClosing ||
         state == kTcpTimeWait;
}

}  // namespace

int read_tcp_info(int fd, TcpInfoSample& out) noexcept {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -errno;
  if (length < kThroughRetrans) return -EPROTO;
  out = TcpInfoSample{};
  out.peer_fin_received = peer_fin_received(info.tcpi_state);
  out.reset = info.tcpi_state == kTcpClose;
  out.rtt_us = info.tcpi_rtt;
  out.snd_cwnd_segments = info.tcpi_snd_cwnd;
  out.snd_ssthresh_segments = info.tcpi_snd_ssthresh;
  out.total_retrans_segments = info.tcpi_total_retrans;
  if (length >= kThroughBytesReceived) {
    out.bytes_acked = info.tcpi_bytes_acked;
    // Linux advances tcpi_bytes_received with rcv_nxt (tcp_rcv_nxt_update, net/ipv4/tcp_input.c),
    // and the peer's FIN takes a sequence number of its own (RFC 9293 section 3.4): once it has
    // arrived the counter is one more than the payload. (The SYN is not in it: rcv_nxt starts
    // past it.) A FIN that arrives during this call can be counted before its state shows:
    // TcpInfoProbe::sample explains and handles that.
    const bool fin_counted = out.peer_fin_received && info.tcpi_bytes_received > 0;
    out.bytes_received = info.tcpi_bytes_received - (fin_counted ? 1 : 0);
  }
  if (length >= kThroughMinRtt) out.min_rtt_us = info.tcpi_min_rtt;
  if (length >= kThroughDeliveryRate) {
    out.delivery_rate_bytes_per_s = info.tcpi_delivery_rate;
    out.delivery_rate_app_limited = info.tcpi_delivery_rate_app_limited != 0;
  }
  if (length >= kThroughSndbufLimited) {
    out.busy_us = info.tcpi_busy_time;
    out.rwnd_limited_us = info.tcpi_rwnd_limited;
    out.sndbuf_limited_us = info.tcpi_sndbuf_limited;
    out.has_chrono = true;
  }
  return 0;
}

}  // namespace th
