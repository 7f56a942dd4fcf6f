#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/run_parameters.hpp"
#include "net/address.hpp"
#include "net/tcp_transport.hpp"

namespace th {

// What every load-generator thread needs to know about a run, built once before it starts and
// only read during it (except the two atomics).
struct LoadPlan {
  Protocol protocol = Protocol::http;
  ConnectionModel model = ConnectionModel::keep_alive;
  WritePattern write_pattern = WritePattern::single;
  bool tcp_info = true;            // sample client connections' TCP_INFO (scenario key tcp_info)
  uint64_t busy_poll_spin_ns = 0;  // poll: busy (LoopThread::set_busy_poll); 0: sleep
  bool timestamps = false;         // split round trips at kernel timestamps (Recorder::timestamps)
  bool tls = false;                // make_transport speaks TLS: count handshakes (Recorder::tls)
  SocketAddress target;
  // What every client connection talks through; each connection makes one, once.
  TransportFactory make_transport = tcp_transport_factory();
  SocketOptions client_options;
  std::vector<SocketAddress> local_addresses;  // round-robin over connections; empty: any
  // Resolve the target's name for every new connection (resolve: every_request) instead of
  // once before the run; `target` is then only the first answer.
  bool resolve_each_connection = false;
  std::string target_host;
  std::string target_service;  // the port, as getaddrinfo takes it
  std::string target_name;     // host:port as the scenario names it, for messages
  // How one request goes out: one write of everything, or (write_pattern split) two writes, the
  // second of which Nagle's algorithm holds back until the first is acknowledged.
  struct WriteGroup {
    uv_buf_t buffers[2];
    unsigned count = 0;
  };
  // One request's bytes, built before the run; the buffers point into head and body (or into
  // payload), which never move once the plan is built.
  struct PreparedRequest {
    std::string head;  // http: request line and headers
    std::string body;
    WriteGroup writes[2];
    unsigned write_count = 0;
    uint64_t bytes = 0;
  };
  // [0]: the scenario's request (a page's HTML); [1 + i]: a page's object i.
  std::vector<PreparedRequest> requests;
  std::string payload;  // echo message, stream chunk
  // per_request and parallel: every connection carries one request and is closed after it.
  bool one_request_per_connection = false;
  // ... and the server ends each of those first (scenario closer: server): the client waits for
  // its end of stream after the response instead of closing.
  bool server_closes_first = false;
  CloseMode close = CloseMode::graceful;  // how the client ends a connection it chose to end
  // Page workload: each virtual user loads 1 + page_objects requests over connections_per_user
  // connections of its own; 0 objects and no page is the plain request-after-request load.
  bool page = false;
  uint32_t page_objects = 0;
  uint32_t connections_per_user = 1;
  uint64_t timeout_ns = 0;
  uint64_t max_response_bytes = 0;
  unsigned pipeline_depth = 1;               // requests in flight per connection
  uint64_t max_requests_per_connection = 0;  // 0: no limit
  // A connection's pause between a response and its next request (scenario think_time_ms): the
  // mean of an exponential distribution, or every pause; 0 does not pause.
  uint64_t think_time_ns = 0;
  bool think_time_exponential = false;
  // Absolute uv_hrtime() instants: requests that start before warmup_end_ns are not measured.
  uint64_t start_ns = 0;
  uint64_t warmup_end_ns = 0;
  uint64_t deadline_ns = 0;
  uint64_t grace_ns = 0;  // how long in-flight requests may finish after the deadline
  std::optional<uint64_t> request_limit;
  double rate_per_thread = 0;  // open loop: each worker's share of `rate`; 0 is a closed loop
  uint32_t threads = 1;
  Arrival arrival = Arrival::uniform;
  // Measured requests claim a ticket, so exactly request_limit of them are ever started.
  std::atomic<uint64_t> tickets_taken{0};
  std::atomic<bool> stop_requested{false};  // set from outside (signal, or a failed thread)

  bool claim_ticket() { return claim_tickets(1); }
  // A page whose HTML failed sends none of its objects: their tickets go back.
  void return_tickets(uint64_t count) {
    if (request_limit) tickets_taken.fetch_sub(count, std::memory_order_relaxed);
  }
  // All or nothing, so a page is never started without tickets for all of its requests.
  // A claim that does not fit takes nothing, so tickets a failed page gives back can still be
  // claimed by another.
  bool claim_tickets(uint64_t count) {
    if (!request_limit) return true;
    uint64_t taken = tickets_taken.load(std::memory_order_relaxed);
    do {
      if (taken + count > *request_limit) return false;
    } while (!tickets_taken.compare_exchange_weak(taken, taken + count, std::memory_order_relaxed));
    return true;
  }
  // Whether no further request (or page, which claims all of its requests) can start.
  bool tickets_exhausted() const {
    const uint64_t smallest_claim = page ? 1 + uint64_t{page_objects} : 1;
    return request_limit && tickets_taken.load() + smallest_claim > *request_limit;
  }
};

}  // namespace th
