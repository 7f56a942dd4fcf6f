#pragma once

#include <cstdint>

#include "net/address.hpp"

namespace th {

// What one connection attempt found: status 0 and how long the handshake took, or the failure
// as a libuv status (negative errno; UV_ETIMEDOUT when timeout_ms ran out), which uv_strerror
// words as the load generator's errors are worded.
struct ConnectProbe {
  int status = 0;
  uint64_t connect_ns = 0;
};

// Opens one TCP connection to `address` and closes it at once, waiting at most timeout_ms. For
// checks before a run (`validate --connect`), never in the load: it blocks its thread.
ConnectProbe probe_connect(const SocketAddress& address, uint32_t timeout_ms);

}  // namespace th
