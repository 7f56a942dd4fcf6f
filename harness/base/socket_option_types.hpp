#pragma once

#include <cstdint>
#include <optional>
#include <string>

// The socket options a scenario asks for and the kernel's answer, as plain values: the scenario
// parser fills them, net/ applies and reads them, the report prints them.
namespace th {

// How a side ends a connection it chose to end. graceful: close(), a FIN after what is queued,
// but a reset instead when unread input remains (tcp_close); abortive: SO_LINGER 0 first, a
// reset that discards what is queued and leaves no TIME_WAIT; half_close: shutdown(SHUT_WR),
// then read (and discard) to the peer's end of stream before close(), so no input is left unread.
enum class CloseMode { graceful, abortive, half_close };

// Options applied to every socket of one side. Unset means "leave the kernel default"; the report
// still reads every option back so the default is visible. Each member is one row of the option
// table in net/socket_options.cpp, where the socket level, option and the moment it is set live;
// the scenario key is the kernel's option name in lower case (tcp(7), socket(7), ip(7)).
struct SocketOptions {
  std::optional<bool> tcp_nodelay;
  std::optional<int> so_sndbuf;
  std::optional<int> so_rcvbuf;
  // SO_LINGER as a number: seconds to linger on close, or -1 for off. {on, timeout_s: 0} makes
  // close() send RST and skip TIME_WAIT (and loses unsent data: see docs/scenarios.md).
  std::optional<int> so_linger;
  // TCP_QUICKACK: acknowledge at once instead of delaying the ACK. Linux clears it again as the
  // connection goes on, so the harness sets it again after every read (one more syscall a read).
  std::optional<bool> tcp_quickack;
  std::optional<bool> tcp_cork;  // hold partial segments until uncorked or 200 ms pass
  // Writable (epoll) only while less than this is unsent; 0 is the sysctl's default.
  std::optional<int64_t> tcp_notsent_lowat_bytes;
  std::optional<std::string> tcp_congestion;  // "cubic", "bbr", "reno": a kernel module's name
  std::optional<int> tcp_maxseg_bytes;        // MSS announced in the SYN; set before connect/listen
  std::optional<int64_t> tcp_user_timeout_ms;  // unacknowledged data older than this: reset
  std::optional<bool> so_keepalive;
  std::optional<int> tcp_keepidle_s;   // idle time before the first keep-alive probe
  std::optional<int> tcp_keepintvl_s;  // between probes
  std::optional<int> tcp_keepcnt;      // unanswered probes before the connection is dropped
  std::optional<int> ip_tos;           // IP_TOS on IPv4 sockets, IPV6_TCLASS on IPv6 ones
  std::optional<int> so_priority;  // the queueing discipline's band; above 6 needs CAP_NET_ADMIN
  // SO_BUSY_POLL: µs a blocking read or poll may busy-wait on the device queue (NAPI drivers;
  // loopback and veth have none to poll). Raising it above net.core.busy_read needs CAP_NET_ADMIN.
  std::optional<int> so_busy_poll_us;
  // Client side only (the parser allows it nowhere else): TCP_FASTOPEN_CONNECT, so the first
  // write rides on the SYN once the client holds a cookie from an earlier connection.
  std::optional<bool> tcp_fastopen_connect;
  // Server side only, on the listener: TCP_FASTOPEN's queue of connections accepted from a SYN
  // with data but not yet fully established, and TCP_DEFER_ACCEPT.
  std::optional<int> tcp_fastopen_queue;
  std::optional<int> tcp_defer_accept_s;
  // Not a socket option but how this side closes (scenario key `close`); the close itself sets
  // SO_LINGER for abortive.
  CloseMode close = CloseMode::graceful;
};

// One option as the user asked for it and as the kernel reports it afterwards. Linux doubles
// SO_SNDBUF/SO_RCVBUF (socket(7)) and clamps them to net.core.wmem_max/rmem_max, rounds
// TCP_DEFER_ACCEPT to whole retransmissions and reports the MSS in use for TCP_MAXSEG, so the
// two often differ; the report shows both.
enum class OptionKind { integer, boolean, linger, text };

struct OptionReading {
  std::string name;
  std::optional<int64_t> requested;  // unset: the kernel default was left alone
  int64_t applied = 0;               // linger: seconds, or -1 when off
  OptionKind kind = OptionKind::integer;
  // Why applied is not what was asked, when the kernel says so: a buffer clamped to its sysctl.
  std::string note;
  // OptionKind::text only (tcp_congestion): the values as text; requested/applied stay unused.
  std::optional<std::string> requested_text;
  std::string applied_text;
};

// Which sockets an option is set on, and when. The client sets all of its options between
// socket() and connect(). The server sets on its listener, before listen(), what must precede the
// handshake or belongs to the listener alone (buffers, MSS, Fast Open queue, defer-accept); the
// accepted connections inherit those. The rest it sets on every accepted socket.
enum class SocketRole {
  client,    // a client socket before connect()
  listener,  // the server's listening socket before listen()
  accepted,  // each connection the server accepted
  server,    // everything of the server's side: to probe it and to report it
};

}  // namespace th
