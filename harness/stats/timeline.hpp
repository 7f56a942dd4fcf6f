#pragma once

#include <cstdint>
#include <vector>

#include "stats/histogram.hpp"

namespace th {

// What happened in one wall-clock second of a run. Seconds are wall-clock (Unix) seconds so that
// timelines from several load generators line up when their reports are merged.
struct TimelineSecond {
  explicit TimelineSecond(int64_t second) : unix_s(second) {}

  int64_t unix_s;
  uint64_t requests_ok = 0;
  uint64_t errors = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  // Two significant digits are plenty for a per-second p50/p99 and keep a second at ~30 KiB.
  Histogram latency{Histogram::kDefaultHighestNs, 2};
};

// The per-second record of one thread, merged after the run. Appending a second allocates once
// per second, never per request.
class Timeline {
 public:
  // realtime_minus_monotonic_ns: CLOCK_REALTIME - uv_hrtime() at the start of the run, so that
  // monotonic event times map to wall-clock seconds without a clock call per event.
  void set_clock_offset(int64_t realtime_minus_monotonic_ns) { offset_ns_ = realtime_minus_monotonic_ns; }
  int64_t clock_offset() const { return offset_ns_; }

  TimelineSecond& at(uint64_t monotonic_ns) {
    const int64_t second = (static_cast<int64_t>(monotonic_ns) + offset_ns_) / 1'000'000'000;
    if (seconds_.empty() || seconds_.back().unix_s < second) seconds_.emplace_back(second);
    if (seconds_.back().unix_s == second) return seconds_.back();
    return find_or_insert(second);  // an event stamped before the newest second: rare
  }

  void merge(const Timeline& other);
  void clear() { seconds_.clear(); }
  const std::vector<TimelineSecond>& seconds() const { return seconds_; }

 private:
  TimelineSecond& find_or_insert(int64_t second);

  int64_t offset_ns_ = 0;
  std::vector<TimelineSecond> seconds_;
};

}  // namespace th
