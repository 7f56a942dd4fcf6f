#pragma once

#include <cstdint>
#include <optional>

namespace th {

// TCP sockets in TIME_WAIT in this network namespace, from /proc/net/sockstat ("tw"): the count
// that grows with connections closed by this side and eventually exhausts ephemeral ports.
std::optional<uint64_t> time_wait_sockets();

}  // namespace th
