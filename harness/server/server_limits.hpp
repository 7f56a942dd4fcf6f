#pragma once

#include <cstdint>

#include "base/run_parameters.hpp"
#include "proto/http_request_parser.hpp"

namespace th {

// What the embedded server tolerates from a client before it answers with an error or closes.
// The defaults are the scenario's (server.* keys), so `serve` and `run` agree; every one is in
// docs/reliability.md. A timeout of 0 is off.
struct ServerLimits {
  uint32_t max_header_bytes = ServerOptions{}.max_header_bytes;    // 431 beyond
  uint32_t header_timeout_ms = ServerOptions{}.header_timeout_ms;  // 408 when a head is late
  uint32_t idle_timeout_ms = ServerOptions{}.idle_timeout_ms;      // closed without a word
  uint64_t max_body_bytes = ServerOptions{}.max_body_bytes;        // 413 beyond
  uint64_t max_bytes_path = ServerOptions{}.max_bytes_path;        // 400 beyond

  static ServerLimits of(const ServerOptions& options) {
    return {options.max_header_bytes, options.header_timeout_ms, options.idle_timeout_ms,
            options.max_body_bytes, options.max_bytes_path};
  }
  HttpRequestLimits request_limits() const {
    return {max_header_bytes, max_body_bytes, max_bytes_path};
  }
};

}  // namespace th
