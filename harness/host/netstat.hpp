#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace th {

// TCP Fast Open counters of this network namespace (the TcpExt line of /proc/net/netstat). They
// count every socket of the namespace, not only the harness's, and both sides of a loopback run.
struct FastOpenCounters {
  uint64_t active = 0;            // TCPFastOpenActive: SYNs with data whose data the peer took
  uint64_t active_fail = 0;       // TCPFastOpenActiveFail: the data had to be sent again
  uint64_t passive = 0;           // TCPFastOpenPassive: connections accepted with data in the SYN
  uint64_t passive_fail = 0;      // TCPFastOpenPassiveFail: a bad cookie; a normal handshake
  uint64_t listen_overflow = 0;   // TCPFastOpenListenOverflow: the listener's queue was full
  uint64_t cookie_requested = 0;  // TCPFastOpenCookieReqd: SYNs asking for a cookie
};

// The counters now, of the calling thread's namespace or of `netns_fd`'s, or nullopt when its
// netstat cannot be read or lacks them.
std::optional<FastOpenCounters> read_fastopen_counters(int netns_fd = -1);

// Parses the text of /proc/net/netstat: pairs of lines, names then values, per protocol.
std::optional<FastOpenCounters> parse_fastopen_counters(const std::string& netstat_text);

// after - before, counter by counter (the counters only grow).
FastOpenCounters operator-(const FastOpenCounters& after, const FastOpenCounters& before);
// Counter by counter: two namespaces' counts of one run (a client's and a linked server's).
FastOpenCounters operator+(const FastOpenCounters& one, const FastOpenCounters& other);

}  // namespace th
