#include "net/socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "scenario/config_error.hpp"

namespace th {
namespace {

// The one table of options: used to set, to read back and to name them in the report.
struct OptionSpec {
  const char* name;
  int level;
  int option;
  bool is_bool;
  bool buffer;  // must be set before connect/listen
  std::optional<int64_t> (*requested)(const SocketOptions&);
};

template <typename T>
std::optional<int64_t> widen(const std::optional<T>& value) {
  return value ? std::optional<int64_t>(static_cast<int64_t>(*value)) : std::nullopt;
}

constexpr OptionSpec kOptions[] = {
    {"tcp_nodelay", IPPROTO_TCP, TCP_NODELAY, true, false,
     [](const SocketOptions& o) { return widen(o.tcp_nodelay); }},
    {"so_sndbuf", SOL_SOCKET, SO_SNDBUF, false, true,
     [](const SocketOptions& o) { return widen(o.so_sndbuf); }},
    {"so_rcvbuf", SOL_SOCKET, SO_RCVBUF, false, true,
     [](const SocketOptions& o) { return widen(o.so_rcvbuf); }},
};

int apply_matching(int fd, const SocketOptions& options, bool buffers_only, std::string* failed) {
  for (const OptionSpec& spec : kOptions) {
    if (buffers_only && !spec.buffer) continue;
    const std::optional<int64_t> value = spec.requested(options);
    if (!value) continue;
    const int as_int = static_cast<int>(*value);
    if (setsockopt(fd, spec.level, spec.option, &as_int, sizeof as_int) != 0) {
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
    int value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd, spec.level, spec.option, &value, &length) != 0) value = -1;
    readings.push_back({spec.name, spec.requested(requested), value, spec.is_bool});
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
