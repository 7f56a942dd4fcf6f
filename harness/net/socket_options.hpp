#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace th {

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

// Sets every requested option that belongs to `role` on `fd`. Returns 0, or a negative errno with
// `failed_option` naming the option the kernel refused.
int apply_socket_options(int fd, const SocketOptions& options, SocketRole role,
                         std::string* failed_option);

// Reads back every option of `role` (set or not), in table order. For `accepted` that includes
// the options it inherited from the listener (buffers, MSS), but not the listener-only ones.
std::vector<OptionReading> read_socket_options(int fd, const SocketOptions& requested,
                                               SocketRole role);

// Sets the options on a throwaway socket and reads them back, so a value the kernel refuses is a
// configuration error before the run rather than a counted error in it. The message names the
// option, the value, the errno text and the sysctl or capability that would allow it; Fast Open
// is also checked against net.ipv4.tcp_fastopen, which the kernel would silently ignore for a
// listener, unless `namespace_is_the_harnesss` (a linked server's namespace, where the harness
// sets the sysctl itself). `side` is "client" or "server". Throws ConfigError.
std::vector<OptionReading> probe_socket_options(const SocketOptions& options, const char* side,
                                                bool namespace_is_the_harnesss = false);

// What net.ipv4.tcp_fastopen (bit 1: clients, bit 2: servers) lacks for `side` to use Fast Open
// when `wanted`: the sentence to show, or empty when nothing is missing. Pure, for tests.
std::string fastopen_sysctl_problem(const char* side, bool wanted, int64_t sysctl_value);

}  // namespace th
