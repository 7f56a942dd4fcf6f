#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/run_parameters.hpp"
#include "host/cpu.hpp"
#include "net/address.hpp"
#include "net/socket_options.hpp"
#include "net/tcp_transport.hpp"
#include "server/server_limits.hpp"
#include "stats/histogram.hpp"

namespace th {

struct ServerConfig {
  Protocol protocol = Protocol::http;
  std::string listen_host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks; every loop then shares that port through SO_REUSEPORT
  // A fixed port that another socket already listens on is refused (ConfigError) unless this is
  // set: the loops' SO_REUSEPORT would otherwise join that listener and split the load with it.
  bool share_port = false;
  uint32_t threads = 1;
  uint32_t response_size = 64;  // http body bytes
  WritePattern write_pattern = WritePattern::single;
  SocketOptions options;
  uint32_t delay_us = 0;
  std::optional<ServerStall> stall;
  ServerLimits limits;
  std::vector<int> cpus;
  uint64_t busy_poll_spin_ns = 0;  // poll: busy (LoopThread::set_busy_poll); 0: sleep
  // The server's own time is recorded for requests read from this uv_hrtime() on (a run sets
  // it when its measured window opens: Server::record_own_time_from).
  uint64_t own_time_from_ns = 0;
  // Read the congestion window (TCP_INFO) as each answer is handed to the kernel: one getsockopt
  // per write that starts answers, for Server::cwnd_at_response.
  bool sample_cwnd_per_response = false;
  // http: close a connection after this many responses, as options.close says; 0: never.
  uint64_t max_requests = 0;
  // What every accepted connection talks through; each pooled session makes one, once.
  TransportFactory make_transport = tcp_transport_factory();
};

// Counters of one server, summed over its loops when read after stop().
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t requests_served = 0;  // http responses written; echo/stream: 0
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t accept_errors = 0;  // accept failures other than running out of descriptors
  // Times the server stopped accepting for a moment (kAcceptPauseMs) instead of spinning on an
  // accept the kernel keeps refusing (out of descriptors with no spare left, out of memory).
  uint64_t accept_pauses = 0;
  // Connections accepted and reset at once because the process was out of file descriptors
  // (EMFILE/ENFILE): the spare-descriptor trick.
  uint64_t refused_no_descriptors = 0;

  // Refused http requests by reason; each was answered with its status code, then closed.
  uint64_t bad_requests = 0;             // 400: did not parse, or /bytes/N beyond the cap
  uint64_t methods_not_allowed = 0;      // 405
  uint64_t header_timeouts = 0;          // 408: a request head not complete in time
  uint64_t bodies_too_large = 0;         // 413
  uint64_t headers_too_large = 0;        // 431
  uint64_t methods_not_implemented = 0;  // 501
  // Connections closed after idle_timeout_ms without a byte read or written (any protocol).
  uint64_t idle_timeouts = 0;
  // TLS: handshakes completed (full or resumed), failed (garbage, no common version or cipher,
  // an alert, the client leaving mid-way), and cut after header_timeout_ms from accept.
  uint64_t tls_full = 0;
  uint64_t tls_resumed = 0;
  uint64_t tls_failed = 0;
  uint64_t tls_handshake_timeouts = 0;
  uint64_t tls_early_data_accepted = 0;  // TLS 1.3 0-RTT requests taken (tls.early_data)
  uint64_t tls_early_data_rejected = 0;  // sent by a client, refused (an unknown ticket)

  uint64_t rejected_total() const {
    return bad_requests + methods_not_allowed + header_timeouts + bodies_too_large +
           headers_too_large + methods_not_implemented + idle_timeouts + refused_no_descriptors +
           tls_handshake_timeouts;
  }
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
  // Connections each loop accepted, in loop order: whether SO_REUSEPORT spread the load.
  std::vector<uint64_t> connections_accepted_per_loop() const;
  double cpu_seconds() const;  // CPU used by the server's loops so far
  CpuSplit cpu_split() const;  // the same, user and system as the kernel sampled them
  // The server's own time per answer (read to write, ns) over every loop; complete after
  // stop(). Only requests read from `from_ns` (uv_hrtime) on are recorded; the default is all.
  Histogram own_time() const;
  void record_own_time_from(uint64_t from_ns);
  // The congestion window (segments) each answer began with, over every loop, for answers read
  // from record_own_time_from on (config.sample_cwnd_per_response); complete after stop().
  Histogram cwnd_at_response() const;
  // Options as the kernel applied them on the first accepted connection (listener's if none yet).
  std::vector<OptionReading> applied_options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace th
