#include <pthread.h>

#include <csignal>
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "scenario/config_error.hpp"
#include "server/server.hpp"

namespace th {
namespace {

Protocol parse_protocol(const std::string& name) {
  if (name == "echo") return Protocol::echo;
  if (name == "http") return Protocol::http;
  if (name == "stream") return Protocol::stream;
  throw ConfigError(fmt::format("--protocol: '{}' is not one of echo, http, stream", name));
}

}  // namespace

void add_serve_command(CLI::App& app, ServeArguments& arguments) {
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the embedded echo/http/stream server until SIGINT or SIGTERM");
  serve->add_option("--protocol", arguments.protocol, "echo | http | stream")
      ->check(CLI::IsMember({"echo", "http", "stream"}));
  serve->add_option("--listen", arguments.listen,
                    "Address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)");
  serve->add_option("--port", arguments.port, "Port (default 0: the kernel picks one)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--threads", arguments.threads, "Server loops (SO_REUSEPORT)")
      ->check(CLI::Range(1, 256));
  serve->add_option("--response-size", arguments.response_size, "HTTP response body bytes")
      ->check(CLI::Range(0, 1 << 30));
  serve->add_option("--write-pattern", arguments.write_pattern,
                    "single | split (HTTP header and body in two writes)")
      ->check(CLI::IsMember({"single", "split"}));
  serve->add_option("--tcp-nodelay", arguments.tcp_nodelay, "Set TCP_NODELAY on accepted sockets")
      ->each([&arguments](const std::string&) { arguments.tcp_nodelay_set = true; });
  serve->add_option("--so-sndbuf", arguments.so_sndbuf, "SO_SNDBUF bytes")
      ->check(CLI::Range(1, 2147483647));
  serve->add_option("--so-rcvbuf", arguments.so_rcvbuf, "SO_RCVBUF bytes")
      ->check(CLI::Range(1, 2147483647));
  serve->add_option("--cpus", arguments.cpus, "CPUs to pin the loops to (round-robin)");
}

int serve_command(const ServeArguments& arguments) {
  ServerConfig config;
  config.protocol = parse_protocol(arguments.protocol);
  config.listen_host = arguments.listen;
  config.port = arguments.port;
  config.threads = arguments.threads;
  config.response_size = arguments.response_size;
  config.write_pattern =
      arguments.write_pattern == "split" ? WritePattern::split : WritePattern::single;
  if (arguments.tcp_nodelay_set) config.options.tcp_nodelay = arguments.tcp_nodelay;
  if (arguments.so_sndbuf > 0) config.options.so_sndbuf = arguments.so_sndbuf;
  if (arguments.so_rcvbuf > 0) config.options.so_rcvbuf = arguments.so_rcvbuf;
  config.cpus = arguments.cpus;
  probe_socket_options(config.options, "server");

  // Block the stop signals before the loops start, so every thread inherits the mask and only
  // sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Server server(config);
  if (arguments.listen != "127.0.0.1" && arguments.listen != "::1" &&
      arguments.listen != "localhost") {
    fmt::print(stderr, "tcpharness: warning: listening on {}: reachable from the network\n",
               arguments.listen);
  }
  fmt::print("listening on {} ({}, {} thread{})\n", server.address().to_string(),
             arguments.protocol, arguments.threads, arguments.threads == 1 ? "" : "s");
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
  return kExitOk;
}

}  // namespace th
