#include "run/preflight.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/config_error.hpp"
#include "host/open_files.hpp"
#include "net/address.hpp"
#include "net/socket_options.hpp"
#include "net/tls_context.hpp"

namespace th {
namespace {

// Kernel TLS needs the kernel's tls ULP (CONFIG_TLS, module tls). This harness does not offload
// records to the kernel yet: with no kernel to test it on, it refuses rather than pretend.
void check_ktls() {
  std::ifstream file("/proc/sys/net/ipv4/tcp_available_ulp");
  std::string ulps;
  std::getline(file, ulps);
  std::istringstream words(ulps);
  for (std::string word; words >> word;) {
    if (word == "tls") {
      throw ConfigError(
          "tls.ktls: this kernel offers the tls ULP, but tcpharness does not hand records to "
          "the kernel yet; remove ktls");
    }
  }
  throw ConfigError(fmt::format(
      "tls.ktls: this kernel offers no tls ULP (/proc/sys/net/ipv4/tcp_available_ulp: \"{}\"): "
      "kernel TLS needs a kernel built with CONFIG_TLS and its module loaded (modprobe tls)",
      ulps));
}

void check_cpus(const std::vector<int>& cpus, const char* key) {
  const long available = sysconf(_SC_NPROCESSORS_CONF);
  for (int cpu : cpus) {
    if (cpu >= available) {
      throw ConfigError(fmt::format("{}: CPU {} does not exist; this machine has CPUs 0 to {}", key,
                                    cpu, available - 1));
    }
  }
}

// A source address this host does not have fails every connect; say so once, up front.
void check_bindable(const SocketAddress& address, const std::string& text) {
  const int fd = socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  const socklen_t length =
      address.family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  const bool bound = fd >= 0 && bind(fd, address.get(), length) == 0;
  const int error = errno;
  if (fd >= 0) close(fd);
  if (!bound) {
    throw ConfigError(
        fmt::format("local_addresses: cannot bind {}: {} (is it an address of "
                    "this host?)",
                    text, std::strerror(error)));
  }
}

}  // namespace

void preflight_run(const RunSpec& spec) {
  const Scenario& scenario = spec.scenario;
  const std::string where = fmt::format("run {}: ", spec.name);
  try {
    check_cpus(scenario.client_cpus, "client_cpus");
    check_cpus(scenario.server_cpus, "server_cpus");
    probe_socket_options(scenario.client, "client");
    // A linked server lives in a namespace of the harness's, which enables Fast Open there.
    probe_socket_options(scenario.server, "server", scenario.link.has_value());
    const int family = scenario.target
                           ? resolve_address(scenario.target->host, scenario.target->port).family()
                           : AF_INET;
    if (scenario.tls && scenario.tls->ktls) check_ktls();
    if (scenario.tls) {
      // OpenSSL's verdict on the names (ciphers, groups, the version) before any load; a
      // certificate file is read now too. A generated key is made when the server starts.
      (void)TlsContext::make_client(*scenario.tls);
      if (!scenario.target && !scenario.tls->cert_file.empty()) {
        (void)TlsContext::make_server(*scenario.tls);
      }
    }
    for (const std::string& local : scenario.local_addresses) {
      const SocketAddress address = resolve_address(local, 0);
      if (address.family() != family) {
        throw ConfigError(
            fmt::format("local_addresses: {} is not of the target's address family", local));
      }
      check_bindable(address, local);
    }
    // Each client connection is a descriptor, and with the embedded server its peer is one
    // too; the margin covers loops, timers, listeners and the report.
    const uint64_t descriptors_per_connection = scenario.target ? 1 : 2;
    // A page user of connection parallel holds up to parallel_connections at once.
    const bool parallel = scenario.page && scenario.connection == ConnectionModel::parallel;
    const uint64_t sockets =
        uint64_t{scenario.connections} * (parallel ? scenario.parallel_connections : 1);
    ensure_open_files(sockets * descriptors_per_connection + 64 +
                          8ull * (scenario.threads + scenario.server_threads),
                      parallel ? fmt::format("connections={} x parallel_connections={}",
                                             scenario.connections, scenario.parallel_connections)
                                     .c_str()
                               : fmt::format("connections={}", scenario.connections).c_str());
  } catch (const ConfigError& error) {
    throw ConfigError(where + error.what());
  }
}

}  // namespace th
