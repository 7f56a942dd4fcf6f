#pragma once

#include <optional>

#include "host/sockstat.hpp"

namespace th {

// How the machine's sockets stood when a probe began.
struct SettleReading {
  double waited_s = 0;
  bool settled = false;  // false: max_wait_s ran out first
  std::optional<TcpSocketCounts> counts;
};

// Waits until the previous probe's connections have finished closing: the counts are back to
// `baseline` (taken before the first probe), or for 50 ms no socket left the in-use or orphaned
// counts and none entered TIME_WAIT. A probe then does not begin while the last one's
// connections still close, and its result does not depend on the order of the probes. At most
// max_wait_s.
SettleReading settle_sockets(const std::optional<TcpSocketCounts>& baseline, double max_wait_s);

}  // namespace th
