#include "stats/timeline.hpp"

#include <algorithm>

namespace th {

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
    mine.latency.merge(slot.latency);
  }
}

}  // namespace th
