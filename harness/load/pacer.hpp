#pragma once

#include <cstdint>

#include "base/run_parameters.hpp"
#include "load/random_gap.hpp"

namespace th {

// The open-loop schedule of one load-generator thread: when each request is meant to start,
// whatever the server or the connections are doing. Pure arithmetic, no clock, so it is tested
// without sockets and costs a few nanoseconds per request.
class Pacer {
 public:
  // phase: 0..1, where in its first gap this schedule starts, so several threads' uniform
  // schedules interleave evenly instead of firing together.
  Pacer(double rate_per_s, Arrival arrival, uint64_t start_ns, uint64_t seed, double phase = 0.0);

  uint64_t next_ns() const { return next_ns_; }  // intended start of the next request
  void advance();                                // that request has been dispatched

 private:
  double mean_gap_ns_;
  Arrival arrival_;
  double next_exact_ns_;  // kept as a double so rounding does not drift the rate
  uint64_t next_ns_;
  RandomGap random_;
};

}  // namespace th
