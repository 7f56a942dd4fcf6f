#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "base/config_error.hpp"
#include "net/socket_option_table.hpp"
#include "net/socket_options.hpp"

// Checking a side's options before the run, and saying why the kernel refused one in words that
// lead to the sysctl or capability that would allow it.
namespace th {
namespace {

using net_detail::OptionSpec;

std::string read_sysctl_line(const char* name) {
  std::string path = std::string("/proc/sys/") + name;
  for (char& c : path) {
    if (c == '.') c = '/';
  }
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line.empty() ? "(unreadable)" : line;
}

// TCP_CONGESTION (tcp(7)): ENOENT when no such algorithm is registered (as root the kernel first
// tries to load the module tcp_<name>); EPERM when the process lacks CAP_NET_ADMIN and the name is
// not in the allowed list.
std::string congestion_explanation(int error, const std::string& name) {
  const std::string available = read_sysctl_line("net.ipv4.tcp_available_congestion_control");
  const std::string allowed = read_sysctl_line("net.ipv4.tcp_allowed_congestion_control");
  if (error == EPERM) {
    return fmt::format(
        "; without CAP_NET_ADMIN only net.ipv4.tcp_allowed_congestion_control may be used ({}); "
        "run as root or add it: sysctl -w net.ipv4.tcp_allowed_congestion_control=\"{} {}\"",
        allowed, allowed, name);
  }
  return fmt::format(
      "; net.ipv4.tcp_available_congestion_control has: {} (a process without CAP_NET_ADMIN may "
      "use only net.ipv4.tcp_allowed_congestion_control: {}); another algorithm needs its module "
      "loaded, e.g. modprobe tcp_{}",
      available, allowed, name);
}

std::string explanation(const OptionSpec& spec, int error, const SocketOptions& options) {
  if (spec.kind == OptionKind::text) {
    return congestion_explanation(error, net_detail::requested_text(spec, options).value_or(""));
  }
  if (spec.refusal_hint != nullptr) return std::string("; ") + spec.refusal_hint;
  if (error == EPERM) return "; this value needs CAP_NET_ADMIN (run as root)";
  return "";
}

const OptionSpec* find_spec(const std::string& name, SocketRole role) {
  for (const OptionSpec& spec : net_detail::option_table()) {
    if (name == spec.name && net_detail::belongs_to(spec, role)) return &spec;
  }
  return nullptr;
}

int64_t fastopen_sysctl() {
  std::ifstream file("/proc/sys/net/ipv4/tcp_fastopen");
  int64_t value = 0;
  return file >> value ? value : -1;
}

}  // namespace

std::string fastopen_sysctl_problem(const char* side, bool wanted, int64_t sysctl_value) {
  const bool server = std::string_view(side) == "server";
  // tcp(7), /proc/sys/net/ipv4/tcp_fastopen: 0x1 enables the client side, 0x2 the server side.
  const int64_t bit = server ? 2 : 1;
  if (!wanted || sysctl_value < 0 || (sysctl_value & bit) != 0) return "";
  static constexpr const char* kMeaning[] = {"turns Fast Open off", "enables it for clients only",
                                             "enables it for servers only", ""};
  return fmt::format(
      "{}.tcp_fastopen: net.ipv4.tcp_fastopen is {}, which {}; Fast Open on the {} side needs bit "
      "{} of it: sysctl -w net.ipv4.tcp_fastopen={} (the sysctl is per network namespace)",
      side, sysctl_value, kMeaning[sysctl_value & 3], side, bit, sysctl_value | bit);
}

std::vector<OptionReading> probe_socket_options(const SocketOptions& options, const char* side,
                                                bool namespace_is_the_harnesss) {
  const bool server = std::string_view(side) == "server";
  const SocketRole role = server ? SocketRole::server : SocketRole::client;
  // A listener takes TCP_FASTOPEN whatever the sysctl says and then never uses it, so the
  // sysctl is checked here rather than left to setsockopt.
  const bool fastopen =
      !namespace_is_the_harnesss && (server ? options.tcp_fastopen_queue.value_or(0) > 0
                                            : options.tcp_fastopen_connect.value_or(false));
  if (std::string problem = fastopen_sysctl_problem(side, fastopen, fastopen_sysctl());
      !problem.empty()) {
    throw ConfigError(problem);
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ConfigError(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  std::string failed;
  const int status = apply_socket_options(fd, options, role, &failed);
  std::vector<OptionReading> readings = read_socket_options(fd, options, role);
  close(fd);
  if (status != 0) {
    const OptionSpec* spec = find_spec(failed, role);
    throw ConfigError(fmt::format("{}.{}: the kernel refused {}: {}{}", side, failed,
                                  spec ? net_detail::requested_for_message(*spec, options) : "",
                                  std::strerror(-status),
                                  spec ? explanation(*spec, -status, options) : ""));
  }
  return readings;
}

}  // namespace th
