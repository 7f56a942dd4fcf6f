#include "stats/timeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace th {
namespace {

constexpr uint64_t kSecondNs = 1'000'000'000;

// A second that is over is kept compact; what a report reads from it must not change.
TEST(TimelineSecond, AFrozenSecondReportsWhatTheLiveOneDid) {
  Timeline timeline;
  Histogram expected(Histogram::kDefaultHighestNs, 2);
  for (int64_t sample = 1; sample <= 5000; ++sample) {
    const int64_t latency_ns = 20'000 + sample * sample;  // a long tail up to 25 ms
    timeline.at(10 * kSecondNs).record_latency(latency_ns);
    expected.record(latency_ns);
  }
  const Histogram live = timeline.seconds().front().latency();
  timeline.at(11 * kSecondNs).record_latency(1000);  // freezes the first second
  const TimelineSecond& frozen = timeline.seconds().front();
  const Histogram thawed = frozen.latency();
  for (double percent : {50.0, 90.0, 99.0, 99.9}) {
    const int64_t reported = std::min(thawed.percentile(percent), frozen.max_latency_ns());
    EXPECT_EQ(reported, expected.percentile(percent)) << percent;
    EXPECT_EQ(reported, live.percentile(percent)) << percent;
  }
  EXPECT_EQ(thawed.count(), 5000u);
  EXPECT_EQ(frozen.max_latency_ns(), 20'000 + 5000 * 5000);
}

TEST(TimelineSecond, LateEventsAndMergesLandInTheirSecond) {
  Timeline first;
  first.at(10 * kSecondNs).record_latency(5000);
  first.at(11 * kSecondNs).record_latency(7000);
  first.at(10 * kSecondNs + 5).record_latency(6000);  // late: thaws second 10
  Timeline second;
  second.at(10 * kSecondNs).record_latency(9000);
  first.merge(second);
  ASSERT_EQ(first.seconds().size(), 2u);
  EXPECT_EQ(first.seconds()[0].latency().count(), 3u);
  EXPECT_EQ(first.seconds()[0].max_latency_ns(), 9000);
  EXPECT_EQ(first.seconds()[1].latency().count(), 1u);
}

}  // namespace
}  // namespace th
