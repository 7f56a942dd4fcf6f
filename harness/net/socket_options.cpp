#include "net/socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "scenario/config_error.hpp"

namespace th {
namespace {

// The one table of options: used to set, to read back and to name them in the report.
struct OptionSpec {
  const char* name;
  int level;
  int option;
  OptionKind kind;
  bool buffer;  // must be set before connect/listen
  std::optional<int64_t> (*requested)(const SocketOptions&);
  const char* limit_sysctl = nullptr;  // caps the value an unprivileged setsockopt gets
};

template <typename T>
std::optional<int64_t> widen(const std::optional<T>& value) {
  return value ? std::optional<int64_t>(static_cast<int64_t>(*value)) : std::nullopt;
}

constexpr OptionSpec kOptions[] = {
    {"tcp_nodelay", IPPROTO_TCP, TCP_NODELAY, OptionKind::boolean, false,
     [](const SocketOptions& o) { return widen(o.tcp_nodelay); }},
    {"tcp_quickack", IPPROTO_TCP, TCP_QUICKACK, OptionKind::boolean, false,
     [](const SocketOptions& o) { return widen(o.tcp_quickack); }},
    {"so_sndbuf", SOL_SOCKET, SO_SNDBUF, OptionKind::integer, true,
     [](const SocketOptions& o) { return widen(o.so_sndbuf); }, "net.core.wmem_max"},
    {"so_rcvbuf", SOL_SOCKET, SO_RCVBUF, OptionKind::integer, true,
     [](const SocketOptions& o) { return widen(o.so_rcvbuf); }, "net.core.rmem_max"},
    {"so_linger", SOL_SOCKET, SO_LINGER, OptionKind::linger, false,
     [](const SocketOptions& o) { return widen(o.so_linger); }},
};

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

int apply_matching(int fd, const SocketOptions& options, bool buffers_only, std::string* failed) {
  for (const OptionSpec& spec : kOptions) {
    if (buffers_only && !spec.buffer) continue;
    const std::optional<int64_t> value = spec.requested(options);
    if (!value) continue;
    int status = 0;
    if (spec.kind == OptionKind::linger) {
      const linger as_linger{*value >= 0 ? 1 : 0, static_cast<int>(std::max<int64_t>(*value, 0))};
      status = setsockopt(fd, spec.level, spec.option, &as_linger, sizeof as_linger);
    } else {
      const int as_int = static_cast<int>(*value);
      status = setsockopt(fd, spec.level, spec.option, &as_int, sizeof as_int);
    }
    if (status != 0) {
      if (failed) *failed = spec.name;
      return -errno;
    }
  }
  return 0;
}

}  // namespace

int apply_socket_options(int fd, const SocketOptions& options, std::string* failed_option) {
  return apply_matching(fd, options, false, failed_option);
}

int apply_buffer_options(int fd, const SocketOptions& options, std::string* failed_option) {
  return apply_matching(fd, options, true, failed_option);
}

std::vector<OptionReading> read_socket_options(int fd, const SocketOptions& requested) {
  std::vector<OptionReading> readings;
  for (const OptionSpec& spec : kOptions) {
    int64_t applied = -1;
    if (spec.kind == OptionKind::linger) {
      linger value{};
      socklen_t length = sizeof value;
      if (getsockopt(fd, spec.level, spec.option, &value, &length) == 0) {
        applied = value.l_onoff ? value.l_linger : -1;
      }
    } else {
      int value = 0;
      socklen_t length = sizeof value;
      if (getsockopt(fd, spec.level, spec.option, &value, &length) == 0) applied = value;
    }
    const std::optional<int64_t> asked = spec.requested(requested);
    readings.push_back({spec.name, asked, applied, spec.kind,
                        asked ? clamp_note(spec, *asked, applied) : std::string()});
  }
  return readings;
}

std::vector<OptionReading> probe_socket_options(const SocketOptions& options, const char* side) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw ConfigError(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  std::string failed;
  const int status = apply_socket_options(fd, options, &failed);
  std::vector<OptionReading> readings = read_socket_options(fd, options);
  close(fd);
  if (status != 0) {
    throw ConfigError(fmt::format("{}.{}: the kernel refused the value: {}", side, failed,
                                  std::strerror(-status)));
  }
  return readings;
}

}  // namespace th
