#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace th {

// TCP sockets in TIME_WAIT in this network namespace, from /proc/net/sockstat ("tw"): the count
// that grows with connections closed by this side and eventually exhausts ephemeral ports.
std::optional<uint64_t> time_wait_sockets();

// The namespace's TCP socket counts from /proc/net/sockstat: in use (every state but TIME_WAIT,
// listeners included), orphaned (closed by their process, still finishing) and in TIME_WAIT.
struct TcpSocketCounts {
  uint64_t in_use = 0;
  uint64_t orphaned = 0;
  uint64_t time_wait = 0;
};
std::optional<TcpSocketCounts> tcp_socket_counts();
// From the text of /proc/net/sockstat; nullopt without a "TCP:" line.
std::optional<TcpSocketCounts> parse_tcp_socket_counts(const std::string& sockstat_text);

}  // namespace th
