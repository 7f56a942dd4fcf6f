#include "host/sockstat.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace th {

std::optional<uint64_t> time_wait_sockets() {
  const std::optional<TcpSocketCounts> counts = tcp_socket_counts();
  if (!counts) return std::nullopt;
  return counts->time_wait;
}

std::optional<TcpSocketCounts> tcp_socket_counts() {
  std::ifstream file("/proc/net/sockstat");
  std::ostringstream text;
  text << file.rdbuf();
  return parse_tcp_socket_counts(text.str());
}

std::optional<TcpSocketCounts> parse_tcp_socket_counts(const std::string& sockstat_text) {
  // "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1"; IPv6 sockets are counted in the same pool.
  std::istringstream lines(sockstat_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("TCP:", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    TcpSocketCounts counts;
    std::string name;
    uint64_t value = 0;
    while (fields >> name >> value) {
      if (name == "inuse") counts.in_use = value;
      if (name == "orphan") counts.orphaned = value;
      if (name == "tw") counts.time_wait = value;
    }
    return counts;
  }
  return std::nullopt;
}

}  // namespace th
