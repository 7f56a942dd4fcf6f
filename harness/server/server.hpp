#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/address.hpp"
#include "net/socket_options.hpp"
#include "scenario/scenario.hpp"

namespace th {

struct ServerConfig {
  Protocol protocol = Protocol::http;
  std::string listen_host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks; every loop then shares that port through SO_REUSEPORT
  uint32_t threads = 1;
  uint32_t response_size = 64;  // http body bytes
  WritePattern write_pattern = WritePattern::single;
  SocketOptions options;
  uint32_t delay_us = 0;
  std::optional<ServerStall> stall;
  std::vector<int> cpus;
};

// Counters of one server, summed over its loops when read after stop().
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t requests_served = 0;  // http responses written; echo/stream: 0
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t accept_errors = 0;
  uint64_t bad_requests = 0;  // http requests that did not parse (answered 400, then closed)
};

// The embedded echo / http / stream server: one libuv loop per thread, each with its own
// listening socket on the same port (SO_REUSEPORT), so the kernel spreads connections across
// loops without a shared accept lock.
class Server {
 public:
  // Binds and starts the loops; throws ConfigError when the address cannot be bound.
  explicit Server(const ServerConfig& config);
  ~Server();  // stops if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const SocketAddress& address() const;  // the bound address, with the kernel's port
  void stop();                           // closes every connection and joins the loops
  ServerStats stats() const;             // complete after stop(); a live snapshot before
  double cpu_seconds() const;            // CPU used by the server's loops so far
  // Options as the kernel applied them on the first accepted connection (listener's if none yet).
  std::vector<OptionReading> applied_options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace th
