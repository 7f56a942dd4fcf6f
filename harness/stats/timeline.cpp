#include "stats/timeline.hpp"

#include <algorithm>

namespace th {

Histogram TimelineSecond::latency() const {
  if (live_) return *live_;
  Histogram rebuilt(Histogram::kDefaultHighestNs, kDigits);
  for (const auto& [value, count] : frozen_) rebuilt.record_n(value, count);
  return rebuilt;
}

// Each bucket is kept as its highest value, so percentiles (reported as the top of a bucket) come
// out as the live histogram gave them; the exact maximum is kept on its own.
void TimelineSecond::freeze() {
  if (!live_) return;
  frozen_.clear();
  live_->for_each_bucket([&](int64_t lowest, uint64_t count) {
    frozen_.emplace_back(live_->highest_equivalent(lowest), count);
  });
  frozen_.shrink_to_fit();
  live_.reset();
}

void TimelineSecond::thaw() {
  live_.emplace(latency());
  frozen_.clear();
  frozen_.shrink_to_fit();
}

void TimelineSecond::merge_latency(const TimelineSecond& other) {
  if (!live_) thaw();
  live_->merge(other.latency());
  max_ns_ = std::max(max_ns_, other.max_ns_);
  freeze();
}

TimelineSecond& Timeline::find_or_insert(int64_t second) {
  auto position = std::lower_bound(
      seconds_.begin(), seconds_.end(), second,
      [](const TimelineSecond& slot, int64_t value) { return slot.unix_s < value; });
  if (position == seconds_.end() || position->unix_s != second) {
    position = seconds_.insert(position, TimelineSecond(second));
  }
  return *position;
}

void Timeline::merge(const Timeline& other) {
  for (const TimelineSecond& slot : other.seconds_) {
    TimelineSecond& mine = find_or_insert(slot.unix_s);
    mine.requests_ok += slot.requests_ok;
    mine.errors += slot.errors;
    mine.bytes_sent += slot.bytes_sent;
    mine.bytes_received += slot.bytes_received;
    mine.merge_latency(slot);
  }
}

}  // namespace th
