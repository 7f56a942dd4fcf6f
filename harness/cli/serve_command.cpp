#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>

#include "base/config_error.hpp"
#include "cli/commands.hpp"
#include "net/tls_transport.hpp"
#include "report/reporter.hpp"
#include "scenario/loader.hpp"
#include "server/server.hpp"

namespace th {
namespace {

Protocol parse_protocol(const std::string& name) {
  if (name == "echo") return Protocol::echo;
  if (name == "http") return Protocol::http;
  if (name == "stream") return Protocol::stream;
  throw ConfigError(fmt::format("--protocol: '{}' is not one of echo, http, stream", name));
}

// --listen takes a host ("0.0.0.0", "::", "[::1]", a name) or a host and port ("0.0.0.0:8080",
// "[::1]:8080"; port 0 lets the kernel pick). A port there wins over --port unless they differ.
void apply_listen(const std::string& listen, int port_option, ServerConfig* config) {
  std::string host = listen;
  std::string port;
  bool has_port = false;
  if (listen.starts_with('[')) {
    const size_t close = listen.find(']');
    if (close == std::string::npos || (close + 1 < listen.size() && listen[close + 1] != ':')) {
      throw ConfigError(fmt::format("--listen {}: expected [ipv6] or [ipv6]:port", listen));
    }
    host = listen.substr(1, close - 1);
    has_port = close + 1 < listen.size();
    if (has_port) port = listen.substr(close + 2);
  } else if (std::count(listen.begin(), listen.end(), ':') == 1) {  // more: a bare IPv6 address
    host = listen.substr(0, listen.find(':'));
    port = listen.substr(listen.find(':') + 1);
    has_port = true;
  }
  if (host.empty()) throw ConfigError(fmt::format("--listen {}: the address is missing", listen));
  config->listen_host = host;
  config->port = port_option;
  if (!has_port) return;
  int listen_port = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), listen_port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || listen_port < 0 ||
      listen_port > 65535) {
    throw ConfigError(
        fmt::format("--listen {}: the port must be a number from 0 to 65535", listen));
  }
  if (port_option != 0 && listen_port != 0 && port_option != listen_port) {
    throw ConfigError(
        fmt::format("--listen {} names port {}, --port says {}", listen, listen_port, port_option));
  }
  if (listen_port != 0) config->port = listen_port;
}

bool is_loopback(const SocketAddress& address) {
  if (address.family() == AF_INET) {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(address.get());
    return (ntohl(ipv4->sin_addr.s_addr) >> 24) == 127;
  }
  const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(address.get());
  return IN6_IS_ADDR_LOOPBACK(&ipv6->sin6_addr);
}

// The dedicated flags are shorthands for --set, so that one reader (the scenario's) checks every
// value; the --set assignments come after them and win.
SocketOptions socket_options_of(const ServeArguments& arguments) {
  std::vector<std::string> assignments;
  if (arguments.tcp_nodelay_set) {
    assignments.push_back(fmt::format("server.tcp_nodelay={}", arguments.tcp_nodelay));
  }
  if (arguments.so_sndbuf > 0) {
    assignments.push_back(fmt::format("server.so_sndbuf={}", arguments.so_sndbuf));
  }
  if (arguments.so_rcvbuf > 0) {
    assignments.push_back(fmt::format("server.so_rcvbuf={}", arguments.so_rcvbuf));
  }
  assignments.insert(assignments.end(), arguments.socket_options.begin(),
                     arguments.socket_options.end());
  return server_socket_options(assignments);
}

// Every server-side option in the option table's order, in the report's notation: what the kernel
// made of it and, when it was set, what was asked ("  so_sndbuf: 8192 (requested 4096)").
std::string applied_options_text(const std::vector<OptionReading>& readings) {
  std::string text =
      "socket options as the kernel applies them (set at start-up on a socket like the "
      "server's, then read back):\n";
  for (const OptionReading& reading : readings) {
    const nlohmann::json option = option_to_json(reading);
    text += fmt::format("  {}: {}", reading.name, option["applied"].dump());
    if (!option["requested"].is_null()) {
      text += fmt::format(" (requested {})", option["requested"].dump());
    }
    text += '\n';
    if (!reading.note.empty()) text += fmt::format("    {}\n", reading.note);
  }
  return text;
}

std::string rejections_line(const ServerStats& stats) {
  return fmt::format(
      "refused: {} bad request (400), {} method not allowed (405), {} header timeout (408), "
      "{} body too large (413), {} header too large (431), {} not implemented (501), "
      "{} idle timeout, {} out of file descriptors; {} accept pauses",
      stats.bad_requests, stats.methods_not_allowed, stats.header_timeouts, stats.bodies_too_large,
      stats.headers_too_large, stats.methods_not_implemented, stats.idle_timeouts,
      stats.refused_no_descriptors, stats.accept_pauses);
}

}  // namespace

int serve_command(const ServeArguments& arguments) {
  ServerConfig config;
  config.protocol = parse_protocol(arguments.protocol);
  apply_listen(arguments.listen, arguments.port, &config);
  config.limits = arguments.limits;
  config.threads = arguments.threads;
  config.share_port = arguments.reuseport;
  config.response_size = arguments.response_size;
  config.write_pattern =
      arguments.write_pattern == "split" ? WritePattern::split : WritePattern::single;
  config.options = socket_options_of(arguments);
  config.cpus = arguments.cpus;
  config.busy_poll_spin_ns = uint64_t{arguments.busy_poll_us} * 1000;
  const std::optional<TlsOptions> tls = serve_tls_options(arguments.socket_options, arguments.tls);
  if (tls) config.make_transport = tls_transport_factory(TlsContext::make_server(*tls), "");
  // Also refuses, before anything listens, a value the kernel will not take.
  const std::vector<OptionReading> applied = probe_socket_options(config.options, "server");

  // Block the stop signals before the loops start, so every thread inherits the mask and only
  // sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Server server(config);
  if (!is_loopback(server.address())) {
    fmt::print(stderr,
               "tcpharness: warning: listening on {}: reachable from the network; anyone who "
               "can connect gets answers (generated bytes only, no files)\n",
               server.address().to_string());
  }
  fmt::print("listening on {} ({}{}, {} thread{})\n", server.address().to_string(),
             arguments.protocol,
             tls ? fmt::format(" over TLS, {} key, resumption {}",
                               tls->cert_file.empty() ? to_string(tls->key_type) : tls->cert_file,
                               to_string(tls->resumption))
                 : "",
             arguments.threads, arguments.threads == 1 ? "" : "s");
  fmt::print("{}", applied_options_text(applied));
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  server.stop();
  const ServerStats stats = server.stats();
  fmt::print(stderr,
             "stopped by {}: {} connections, {} responses, {} bytes in, {} bytes out, "
             "{} accept errors, {} bad requests, {:.3f} CPU s\n",
             received == SIGINT ? "SIGINT" : "SIGTERM", stats.connections_accepted,
             stats.requests_served, stats.bytes_received, stats.bytes_sent, stats.accept_errors,
             stats.bad_requests, server.cpu_seconds());
  fmt::print(stderr, "{}\n", rejections_line(stats));
  if (tls) {
    fmt::print(stderr,
               "TLS handshakes: {} full, {} resumed, {} failed, {} timed out; early data: {} "
               "accepted, {} rejected\n",
               stats.tls_full, stats.tls_resumed, stats.tls_failed, stats.tls_handshake_timeouts,
               stats.tls_early_data_accepted, stats.tls_early_data_rejected);
  }
  return kExitOk;
}

}  // namespace th
