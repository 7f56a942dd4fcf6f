#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
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

  void record_latency(int64_t ns) {
    if (!live_) thaw();
    live_->record(ns);
    max_ns_ = std::max(max_ns_, ns);
  }
  // The second's latencies, for reports (allocates when the second is frozen). A frozen second's
  // histogram tops out at its highest bucket's top: clamp percentiles to max_latency_ns().
  Histogram latency() const;
  int64_t max_latency_ns() const { return max_ns_; }
  void merge_latency(const TimelineSecond& other);
  // A second that is over keeps only its non-empty buckets: a dense histogram is ~30 KiB, which
  // a day-long run would otherwise hold 86,400 times.
  void freeze();

 private:
  void thaw();

  // Two significant digits are plenty for a per-second p50/p99.
  static constexpr int kDigits = 2;
  std::optional<Histogram> live_;
  std::vector<std::pair<int64_t, uint64_t>> frozen_;  // (a value in the bucket, count)
  int64_t max_ns_ = 0;
};

// How much of wall-clock second unix_s lies inside the measured window [start, end) (Unix ns), in
// seconds from 0 to 1: the first and last seconds of a run are partial, and their counts are
// rates only once divided by this.
inline double second_coverage(int64_t unix_s, int64_t window_start_unix_ns,
                              int64_t window_end_unix_ns) {
  const int64_t from = std::max(unix_s * 1'000'000'000, window_start_unix_ns);
  const int64_t to = std::min((unix_s + 1) * 1'000'000'000, window_end_unix_ns);
  return to > from ? static_cast<double>(to - from) / 1e9 : 0.0;
}

// The per-second record of one thread, merged after the run. Starting a second allocates (its
// histogram, and the previous one's compact copy) once per second, never per request.
class Timeline {
 public:
  // realtime_minus_monotonic_ns: CLOCK_REALTIME - uv_hrtime() at the start of the run, so that
  // monotonic event times map to wall-clock seconds without a clock call per event.
  void set_clock_offset(int64_t realtime_minus_monotonic_ns) {
    offset_ns_ = realtime_minus_monotonic_ns;
  }
  int64_t clock_offset() const { return offset_ns_; }

  TimelineSecond& at(uint64_t monotonic_ns) {
    const int64_t second = (static_cast<int64_t>(monotonic_ns) + offset_ns_) / 1'000'000'000;
    if (seconds_.empty() || seconds_.back().unix_s < second) {
      if (!seconds_.empty()) seconds_.back().freeze();
      seconds_.emplace_back(second);
    }
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
