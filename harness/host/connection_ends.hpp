#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace th {

// How a namespace's TCP connections ended, from its counters (/proc/net/snmp, /proc/net/netstat):
// every socket of the namespace counts, not only the harness's.
struct CloseCounters {
  uint64_t resets_sent = 0;         // Tcp OutRsts: segments sent with RST
  uint64_t established_resets = 0;  // Tcp EstabResets: ESTABLISHED or CLOSE_WAIT straight to CLOSED
  // TcpExt TCPAbortOnData: a reset sent for data that arrived after the close (or SO_LINGER 0);
  // TCPAbortOnClose: a close() with unread data, answered with a reset.
  uint64_t aborts_on_data = 0;
  uint64_t aborts_on_close = 0;
};

// The counters now, of the calling thread's namespace or of `netns_fd`'s; nullopt when they
// cannot be read.
std::optional<CloseCounters> read_close_counters(int netns_fd = -1);
// From the texts of /proc/net/snmp and /proc/net/netstat.
std::optional<CloseCounters> parse_close_counters(const std::string& snmp_text,
                                                  const std::string& netstat_text);
CloseCounters operator-(const CloseCounters& after, const CloseCounters& before);

// Every "Prefix: name..." / "Prefix: value..." pair of lines of a /proc/net counter file.
std::map<std::string, uint64_t> parse_proc_counters(const std::string& text,
                                                    const std::string& prefix);

// TIME_WAIT sockets of one server's connections, in one namespace: the server's side has the
// server's address as its local end, the client's side as its remote end. A TIME_WAIT lasts 60 s
// on Linux, so for a shorter run this is how many the run left (less any tcp_tw_reuse took).
struct TimeWaitCount {
  uint64_t client_side = 0;
  uint64_t server_side = 0;
};
// Asks the kernel (sock_diag netlink, TIME_WAIT sockets only) in the calling thread's namespace
// or `netns_fd`'s; nullopt when it cannot.
std::optional<TimeWaitCount> count_time_wait(const sockaddr_storage& server, int netns_fd = -1);

}  // namespace th
