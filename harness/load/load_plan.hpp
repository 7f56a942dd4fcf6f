#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "net/address.hpp"
#include "scenario/scenario.hpp"

namespace th {

// What every load-generator thread needs to know about a run, built once before it starts and
// only read during it (except the two atomics).
struct LoadPlan {
  Protocol protocol = Protocol::http;
  ConnectionModel model = ConnectionModel::keep_alive;
  WritePattern write_pattern = WritePattern::single;
  SocketAddress target;
  SocketOptions client_options;
  std::vector<SocketAddress> local_addresses;  // round-robin over connections; empty: any
  // Prebuilt bytes: http request header and body; echo message; stream chunk.
  std::string request_head;
  std::string request_body;
  std::string payload;
  // How one request goes out: one write of everything, or (write_pattern split) two writes, the
  // second of which Nagle's algorithm holds back until the first is acknowledged.
  struct WriteGroup {
    uv_buf_t buffers[2];
    unsigned count = 0;
  };
  WriteGroup writes[2];
  unsigned write_count = 0;
  uint64_t request_bytes = 0;
  uint64_t timeout_ns = 0;
  uint64_t max_response_bytes = 0;
  unsigned pipeline_depth = 1;               // requests in flight per connection
  uint64_t max_requests_per_connection = 0;  // 0: no limit
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

  bool claim_ticket() {
    if (!request_limit) return true;
    return tickets_taken.fetch_add(1, std::memory_order_relaxed) < *request_limit;
  }
};

}  // namespace th
