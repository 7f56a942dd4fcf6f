#include "net/socket_options.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "net/socket_option_table.hpp"

namespace th {
namespace net_detail {
namespace {

template <typename T>
std::optional<int64_t> widen(const std::optional<T>& value) {
  return value ? std::optional<int64_t>(static_cast<int64_t>(*value)) : std::nullopt;
}

constexpr auto kTcp = IPPROTO_TCP;
constexpr auto kBoth = OptionSide::both;
constexpr auto kBefore = OptionWhen::before_connect;
constexpr auto kAnyTime = OptionWhen::any_time;

// The one table of options: used to set, to read back, to explain refusals and to name them in
// the report. Order is report order.
constexpr OptionSpec kOptions[] = {
    {"tcp_nodelay", kTcp, TCP_NODELAY, OptionKind::boolean, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_nodelay); }},
    {"tcp_quickack", kTcp, TCP_QUICKACK, OptionKind::boolean, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_quickack); }},
    {"tcp_cork", kTcp, TCP_CORK, OptionKind::boolean, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_cork); }},
    {"tcp_notsent_lowat", kTcp, TCP_NOTSENT_LOWAT, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_notsent_lowat_bytes); }, nullptr, nullptr,
     true},
    {"tcp_congestion", kTcp, TCP_CONGESTION, OptionKind::text, kBoth, kAnyTime,
     [](const SocketOptions&) { return std::optional<int64_t>(); }},
    {"tcp_maxseg", kTcp, TCP_MAXSEG, OptionKind::integer, kBoth, kBefore,
     [](const SocketOptions& o) { return widen(o.tcp_maxseg_bytes); }, nullptr,
     "Linux takes 88 (TCP_MIN_MSS) to 32767 (MAX_TCP_WINDOW) bytes, or 0 for the route's MSS"},
    {"tcp_user_timeout", kTcp, TCP_USER_TIMEOUT, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_user_timeout_ms); }, nullptr,
     "Linux takes 0 (the retransmission sysctls decide) to 2147483647 ms", true},
    {"so_keepalive", SOL_SOCKET, SO_KEEPALIVE, OptionKind::boolean, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.so_keepalive); }},
    {"tcp_keepidle", kTcp, TCP_KEEPIDLE, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_keepidle_s); }, nullptr,
     "Linux takes 1 to 32767 s (MAX_TCP_KEEPIDLE)"},
    {"tcp_keepintvl", kTcp, TCP_KEEPINTVL, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_keepintvl_s); }, nullptr,
     "Linux takes 1 to 32767 s (MAX_TCP_KEEPINTVL)"},
    {"tcp_keepcnt", kTcp, TCP_KEEPCNT, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.tcp_keepcnt); }, nullptr,
     "Linux takes 1 to 127 probes (MAX_TCP_KEEPCNT)"},
    {"ip_tos", IPPROTO_IP, IP_TOS, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.ip_tos); }, nullptr,
     "the value is one byte, 0 to 255; TCP keeps the two ECN bits for itself", false, IPPROTO_IPV6,
     IPV6_TCLASS},
    {"so_priority", SOL_SOCKET, SO_PRIORITY, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.so_priority); }, nullptr,
     "priorities 0 to 6 are free; any other needs CAP_NET_ADMIN (run as root, or setcap "
     "cap_net_admin+ep on the binary)"},
    {"so_busy_poll", SOL_SOCKET, SO_BUSY_POLL, OptionKind::integer, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.so_busy_poll_us); }, nullptr,
     "a value above net.core.busy_read needs CAP_NET_ADMIN (run as root)"},
    {"so_sndbuf", SOL_SOCKET, SO_SNDBUF, OptionKind::integer, kBoth, kBefore,
     [](const SocketOptions& o) { return widen(o.so_sndbuf); }, "net.core.wmem_max"},
    {"so_rcvbuf", SOL_SOCKET, SO_RCVBUF, OptionKind::integer, kBoth, kBefore,
     [](const SocketOptions& o) { return widen(o.so_rcvbuf); }, "net.core.rmem_max"},
    {"so_linger", SOL_SOCKET, SO_LINGER, OptionKind::linger, kBoth, kAnyTime,
     [](const SocketOptions& o) { return widen(o.so_linger); }},
    // One key, two options: a client asks to send data in its SYN, a listener sizes the queue of
    // connections it accepted from such SYNs before their handshake completed (tcp(7)).
    {"tcp_fastopen", kTcp, TCP_FASTOPEN_CONNECT, OptionKind::boolean, OptionSide::client, kBefore,
     [](const SocketOptions& o) { return widen(o.tcp_fastopen_connect); }, nullptr,
     "the client side of Fast Open needs bit 1 of net.ipv4.tcp_fastopen"},
    {"tcp_fastopen", kTcp, TCP_FASTOPEN, OptionKind::integer, OptionSide::listener, kBefore,
     [](const SocketOptions& o) { return widen(o.tcp_fastopen_queue); }},
    {"tcp_defer_accept", kTcp, TCP_DEFER_ACCEPT, OptionKind::integer, OptionSide::listener, kBefore,
     [](const SocketOptions& o) { return widen(o.tcp_defer_accept_s); }},
};

}  // namespace

std::span<const OptionSpec> option_table() { return kOptions; }

bool belongs_to(const OptionSpec& spec, SocketRole role) {
  switch (role) {
    case SocketRole::client:
      return spec.side != OptionSide::listener;
    case SocketRole::listener:
      return spec.side == OptionSide::listener ||
             (spec.side == OptionSide::both && spec.when == OptionWhen::before_connect);
    case SocketRole::accepted:
      return spec.side == OptionSide::both && spec.when == OptionWhen::any_time;
    case SocketRole::server:
      return spec.side != OptionSide::client;
  }
  return false;
}

const std::optional<std::string>& requested_text(const OptionSpec&, const SocketOptions& options) {
  return options.tcp_congestion;
}

std::string requested_for_message(const OptionSpec& spec, const SocketOptions& options) {
  if (spec.kind == OptionKind::text) return fmt::format("\"{}\"", *requested_text(spec, options));
  const int64_t value = spec.requested(options).value_or(0);
  switch (spec.kind) {
    case OptionKind::boolean:
      return value != 0 ? "true" : "false";
    case OptionKind::linger:
      return value >= 0 ? fmt::format("{{\"on\": true, \"timeout_s\": {}}}", value)
                        : "{\"on\": false}";
    default:
      return std::to_string(value);
  }
}

}  // namespace net_detail

using net_detail::OptionSpec;

namespace {

std::optional<int64_t> read_sysctl(const char* name) {
  std::string path = std::string("/proc/sys/") + name;
  std::replace(path.begin(), path.end(), '.', '/');
  std::ifstream file(path);
  int64_t value = 0;
  if (file >> value) return value;
  return std::nullopt;
}

// Linux doubles a buffer size for its bookkeeping (socket(7)) after capping the request at the
// sysctl; less than double means the cap bit, and the user should hear which sysctl to raise.
std::string clamp_note(const OptionSpec& spec, int64_t requested, int64_t applied) {
  if (spec.limit_sysctl == nullptr || applied >= 2 * requested) return "";
  const std::optional<int64_t> limit = read_sysctl(spec.limit_sysctl);
  return fmt::format(
      "clamped: asked for {} bytes, the kernel applied {}: {} ({}) caps the request and Linux "
      "doubles what it keeps; raise it with sysctl -w {}={} to get what was asked",
      requested, applied, spec.limit_sysctl, limit ? std::to_string(*limit) : "unreadable",
      spec.limit_sysctl, requested);
}

// IP_TOS is an IPv4 option: an IPv6 socket has the same byte as IPV6_TCLASS (ipv6(7)).
std::pair<int, int> level_and_option(const OptionSpec& spec, int family) {
  if (family == AF_INET6 && spec.ipv6_level != 0) return {spec.ipv6_level, spec.ipv6_option};
  return {spec.level, spec.option};
}

int socket_family(int fd) {
  int family = AF_INET;
  socklen_t length = sizeof family;
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &length);
  return family;
}

int set_one(int fd, int family, const OptionSpec& spec, const SocketOptions& options) {
  const auto [level, option] = level_and_option(spec, family);
  if (spec.kind == OptionKind::text) {
    const std::optional<std::string>& text = net_detail::requested_text(spec, options);
    if (!text) return 0;
    return setsockopt(fd, level, option, text->data(), static_cast<socklen_t>(text->size()));
  }
  const std::optional<int64_t> value = spec.requested(options);
  if (!value) return 0;
  if (spec.kind == OptionKind::linger) {
    const linger as_linger{*value >= 0 ? 1 : 0, static_cast<int>(std::max<int64_t>(*value, 0))};
    return setsockopt(fd, level, option, &as_linger, sizeof as_linger);
  }
  const int as_int = static_cast<int>(*value);
  return setsockopt(fd, level, option, &as_int, sizeof as_int);
}

OptionReading read_one(int fd, int family, const OptionSpec& spec, const SocketOptions& requested) {
  const auto [level, option] = level_and_option(spec, family);
  OptionReading reading{spec.name, spec.requested(requested), -1, spec.kind, "", std::nullopt, ""};
  if (spec.kind == OptionKind::text) {
    char name[64] = {};  // TCP_CA_NAME_MAX is 16
    socklen_t length = sizeof name - 1;
    if (getsockopt(fd, level, option, name, &length) == 0) reading.applied_text = name;
    reading.requested_text = net_detail::requested_text(spec, requested);
    return reading;
  }
  if (spec.kind == OptionKind::linger) {
    linger value{};
    socklen_t length = sizeof value;
    if (getsockopt(fd, level, option, &value, &length) == 0) {
      reading.applied = value.l_onoff ? value.l_linger : -1;
    }
  } else {
    int value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd, level, option, &value, &length) == 0) {
      reading.applied =
          spec.unsigned_value ? static_cast<int64_t>(static_cast<uint32_t>(value)) : value;
    }
  }
  if (reading.requested) reading.note = clamp_note(spec, *reading.requested, reading.applied);
  return reading;
}

}  // namespace

int apply_socket_options(int fd, const SocketOptions& options, SocketRole role,
                         std::string* failed_option) {
  // Asked only when an option depends on it: the server applies options on every accept.
  int family = AF_UNSPEC;
  for (const OptionSpec& spec : net_detail::option_table()) {
    if (!net_detail::belongs_to(spec, role)) continue;
    if (spec.ipv6_level != 0 && family == AF_UNSPEC && spec.requested(options))
      family = socket_family(fd);
    if (set_one(fd, family, spec, options) != 0) {
      if (failed_option) *failed_option = spec.name;
      return -errno;
    }
  }
  return 0;
}

std::vector<OptionReading> read_socket_options(int fd, const SocketOptions& requested,
                                               SocketRole role) {
  const int family = socket_family(fd);
  std::vector<OptionReading> readings;
  for (const OptionSpec& spec : net_detail::option_table()) {
    // An accepted socket also has what it inherited from the listener: buffers, MSS.
    const bool wanted = role == SocketRole::accepted ? spec.side == net_detail::OptionSide::both
                                                     : net_detail::belongs_to(spec, role);
    if (wanted) readings.push_back(read_one(fd, family, spec, requested));
  }
  return readings;
}

int set_linger_zero(int fd) noexcept {
  const linger abortive{1, 0};
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive) == 0 ? 0 : -errno;
}

}  // namespace th
