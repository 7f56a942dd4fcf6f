#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "net/socket_options.hpp"

// Private to harness/net: the one table of socket options, shared by the code that sets and reads
// them (socket_options.cpp) and the code that explains a refusal (socket_option_probe.cpp).
namespace th::net_detail {

// Which sockets of a scenario an option exists for.
enum class OptionSide {
  both,      // client sockets and the server's accepted (or listening) sockets
  client,    // client sockets only (TCP_FASTOPEN_CONNECT)
  listener,  // the server's listening socket only (TCP_FASTOPEN queue, TCP_DEFER_ACCEPT)
};

// When an option must be set. before_connect: it shapes the SYN or SYN-ACK (buffers fix the
// window scale, RFC 7323 section 2.2; the MSS is announced in it; Fast Open rides on it), so the
// server sets it on the listener and its connections inherit it. any_time: it only changes what
// happens later, so the server sets it on each accepted socket.
enum class OptionWhen { before_connect, any_time };

struct OptionSpec {
  const char* name;  // the scenario key, as the report names it
  int level;
  int option;
  OptionKind kind;
  OptionSide side;
  OptionWhen when;
  std::optional<int64_t> (*requested)(const SocketOptions&);
  const char* limit_sysctl = nullptr;  // caps the value an unprivileged setsockopt gets
  // Why the kernel may refuse a value with EINVAL or EPERM, for the error message.
  const char* refusal_hint = nullptr;
  // Read back as an unsigned 32-bit value: the kernel keeps TCP_NOTSENT_LOWAT and
  // TCP_USER_TIMEOUT as u32.
  bool unsigned_value = false;
  // IPv6 sockets use another level and option for the same idea (IP_TOS -> IPV6_TCLASS).
  int ipv6_level = 0;
  int ipv6_option = 0;
};

std::span<const OptionSpec> option_table();

// Whether `spec` is set on (or reported for) a socket of `role`.
bool belongs_to(const OptionSpec& spec, SocketRole role);

// The requested text of a text option (only tcp_congestion so far).
const std::optional<std::string>& requested_text(const OptionSpec& spec,
                                                 const SocketOptions& options);

// The value as a user would write it in a scenario, for messages: 4096, true, "bbr".
std::string requested_for_message(const OptionSpec& spec, const SocketOptions& options);

}  // namespace th::net_detail
