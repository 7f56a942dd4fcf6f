#pragma once

#include <cstdint>
#include <optional>

#include "stats/histogram.hpp"

namespace th {

// Each request's round trip (its write, first_byte and transfer phases: from the request's
// start, or its connection's, to the response complete) split at the kernel's timestamps
// (scenario key `timestamps`): before the request's last byte left the stack, between that and
// the response's arrival (the stack, the wire and the peer), and after it. The first and last
// are the harness's own share.
struct TimestampSplit {
  // A part this far below zero is the error of converting the kernel's wall-clock time to the
  // monotonic one (a few tens of ns), not a mismatch; it counts as zero.
  static constexpr int64_t kToleranceNs = 1000;

  Histogram harness;  // harness_send + harness_receive
  // The start to the transmit timestamp of the request's last byte, or to the write call's
  // return when the kernel sent it later (Nagle, cwnd, a full send buffer: the stack's time).
  Histogram harness_send;
  Histogram stack_and_peer;       // that to the receive timestamp of the read with the response
  Histogram harness_receive;      // that to the response complete
  uint64_t split = 0;             // requests split
  uint64_t missing_transmit = 0;  // no transmit timestamp came (the error queue overflowed)
  uint64_t missing_receive = 0;   // the response's read had no receive timestamp
  // The wall clock, which the kernel's timestamps use, was stepped while the request ran (a VM's
  // time sync does, here by 0.5 ms every 100 ms): its parts cannot be told apart.
  uint64_t clock_stepped = 0;
  // A part far below zero: a timestamp matched to the wrong bytes. Never expected; left out.
  uint64_t inconsistent = 0;

  // start_ns, handed_over_ns (the write call with the last byte returned) and end_ns on the
  // monotonic clock, the timestamps on the wall clock (0: none came); the offsets are the wall
  // clock minus the monotonic one, read at the handover and as the request completed.
  void record(uint64_t start_ns, uint64_t handed_over_ns, uint64_t end_ns,
              uint64_t transmitted_realtime_ns, uint64_t received_realtime_ns,
              int64_t offset_at_start_ns, int64_t offset_at_end_ns) noexcept;
  void merge(const TimestampSplit& other);
};

// The harness's share of a round trip at one percentile: harness pN / (harness pN + stack and
// peer pN), from the two distributions (a request's own parts are not kept); nullopt without
// any split request.
std::optional<double> harness_share(const Histogram& harness, const Histogram& stack_and_peer,
                                    double percentile);

}  // namespace th
