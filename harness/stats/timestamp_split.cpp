#include "stats/timestamp_split.hpp"

#include <algorithm>

namespace th {

void TimestampSplit::record(uint64_t start_ns, uint64_t handed_over_ns, uint64_t end_ns,
                            uint64_t transmitted_realtime_ns, uint64_t received_realtime_ns,
                            int64_t offset_at_start_ns, int64_t offset_at_end_ns) noexcept {
  if (transmitted_realtime_ns == 0) {
    ++missing_transmit;
    return;
  }
  if (received_realtime_ns == 0) {
    ++missing_receive;
    return;
  }
  const int64_t step = offset_at_end_ns - offset_at_start_ns;
  if (step > kToleranceNs || step < -kToleranceNs) {
    ++clock_stepped;
    return;
  }
  const int64_t realtime_offset_ns = offset_at_end_ns;
  // Over loopback the transmit timestamp comes inside the write call; later than its return,
  // the kernel held the bytes, and that wait is the stack's.
  const int64_t transmitted =
      std::min(static_cast<int64_t>(transmitted_realtime_ns) - realtime_offset_ns,
               static_cast<int64_t>(handed_over_ns));
  const auto received = static_cast<int64_t>(received_realtime_ns) - realtime_offset_ns;
  int64_t send = transmitted - static_cast<int64_t>(start_ns);
  int64_t receive = static_cast<int64_t>(end_ns) - received;
  const int64_t between = received - transmitted;
  if (send < -kToleranceNs || receive < -kToleranceNs || between < 0) {
    ++inconsistent;
    return;
  }
  // A part clamped at zero gives its few ns to the middle, so the three still add up.
  const int64_t middle = between + std::min<int64_t>(send, 0) + std::min<int64_t>(receive, 0);
  send = std::max<int64_t>(send, 0);
  receive = std::max<int64_t>(receive, 0);
  harness_send.record(send);
  stack_and_peer.record(middle);
  harness_receive.record(receive);
  harness.record(send + receive);
  ++split;
}

void TimestampSplit::merge(const TimestampSplit& other) {
  harness.merge(other.harness);
  harness_send.merge(other.harness_send);
  stack_and_peer.merge(other.stack_and_peer);
  harness_receive.merge(other.harness_receive);
  split += other.split;
  missing_transmit += other.missing_transmit;
  missing_receive += other.missing_receive;
  clock_stepped += other.clock_stepped;
  inconsistent += other.inconsistent;
}

std::optional<double> harness_share(const Histogram& harness, const Histogram& stack_and_peer,
                                    double percentile) {
  if (harness.count() == 0 || stack_and_peer.count() == 0) return std::nullopt;
  const auto own = static_cast<double>(harness.percentile(percentile));
  const auto rest = static_cast<double>(stack_and_peer.percentile(percentile));
  return own + rest > 0 ? own / (own + rest) : 0.0;
}

}  // namespace th
