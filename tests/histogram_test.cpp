#include "stats/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace th {
namespace {

// Nearest-rank percentile of the raw samples: the definition the histogram reports.
int64_t exact_percentile(std::vector<int64_t> sorted, double percent) {
  std::sort(sorted.begin(), sorted.end());
  // Integer arithmetic on percent * 1000 keeps the oracle free of floating-point rounding.
  const auto scaled = static_cast<uint64_t>(std::llround(percent * 1000.0));
  auto rank = static_cast<size_t>((scaled * sorted.size() + 100'000 - 1) / 100'000);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::vector<int64_t> lognormal_latencies_ns(size_t count, unsigned seed) {
  std::mt19937_64 random(seed);
  // Around 100 us with a long tail into the tens of ms, like real request latencies.
  std::lognormal_distribution<double> distribution(std::log(100'000.0), 1.2);
  std::vector<int64_t> samples(count);
  for (auto& sample : samples) sample = static_cast<int64_t>(distribution(random)) + 1;
  return samples;
}

TEST(Histogram, PercentilesWithinOneTenthPercentOfExact) {
  const std::vector<int64_t> samples = lognormal_latencies_ns(200'000, 42);
  Histogram histogram;
  for (int64_t sample : samples) histogram.record(sample);
  for (double percent : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = static_cast<double>(exact_percentile(samples, percent));
    const double reported = static_cast<double>(histogram.percentile(percent));
    EXPECT_LE(std::abs(reported - exact) / exact, 0.001) << "p" << percent;
  }
  EXPECT_EQ(histogram.count(), samples.size());
  EXPECT_EQ(histogram.min(), *std::min_element(samples.begin(), samples.end()));
  EXPECT_EQ(histogram.max(), *std::max_element(samples.begin(), samples.end()));
}

TEST(Histogram, NearestRankIsNotSkewedByFloatingPoint) {
  Histogram histogram;
  for (int64_t value = 1; value <= 1000; ++value) histogram.record(value);
  EXPECT_EQ(histogram.percentile(99.9), 999);
  EXPECT_EQ(histogram.percentile(14), 140);
  EXPECT_EQ(histogram.percentile(100), 1000);
}

TEST(Histogram, AbsurdRangeIsRefused) {
  EXPECT_THROW(Histogram(INT64_MAX, 3), std::invalid_argument);
  EXPECT_THROW(Histogram(1, 3), std::invalid_argument);
}

TEST(Histogram, MeanIsExact) {
  Histogram histogram;
  for (int64_t value : {1000, 2000, 3000, 123456789}) histogram.record(value);
  EXPECT_DOUBLE_EQ(histogram.mean(), (1000.0 + 2000.0 + 3000.0 + 123456789.0) / 4.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram histogram;
  for (int64_t value = 0; value < 2048; ++value) histogram.record(value);
  EXPECT_EQ(histogram.percentile(50), 1023);
  EXPECT_EQ(histogram.percentile(100), 2047);
}

TEST(Histogram, MergeEqualsRecordingIntoOne) {
  const std::vector<int64_t> first = lognormal_latencies_ns(50'000, 1);
  const std::vector<int64_t> second = lognormal_latencies_ns(70'000, 2);
  Histogram a, b, both;
  for (int64_t sample : first) a.record(sample), both.record(sample);
  for (int64_t sample : second) b.record(sample), both.record(sample);
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
  for (double percent : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(a.percentile(percent), both.percentile(percent)) << "p" << percent;
  }
  EXPECT_EQ(a.to_json(), both.to_json());
}

TEST(Histogram, MergeRefusesADifferentLayout) {
  Histogram three_digits(1'000'000, 3);
  Histogram two_digits(1'000'000, 2);
  EXPECT_THROW(three_digits.merge(two_digits), std::invalid_argument);
}

TEST(Histogram, SerialisationRoundTripsExactly) {
  Histogram histogram;
  for (int64_t sample : lognormal_latencies_ns(10'000, 7)) histogram.record(sample);
  const Histogram copy = Histogram::from_json(nlohmann::json::parse(histogram.to_json().dump()));
  EXPECT_EQ(copy.count(), histogram.count());
  EXPECT_EQ(copy.min(), histogram.min());
  EXPECT_EQ(copy.max(), histogram.max());
  EXPECT_NEAR(copy.mean(), histogram.mean(), histogram.mean() * 1e-12);
  for (double percent : {50.0, 99.0, 99.99}) {
    EXPECT_EQ(copy.percentile(percent), histogram.percentile(percent));
  }
}

TEST(Histogram, MalformedSerialisationIsRejected) {
  Histogram histogram;
  histogram.record(5);
  nlohmann::json serialized = histogram.to_json();
  serialized["count"] = 2;
  EXPECT_THROW(Histogram::from_json(serialized), std::invalid_argument);
  EXPECT_THROW(Histogram::from_json(nlohmann::json::object()), std::invalid_argument);
}

// A number too large for uint64 parses as a double; casting it back would be undefined.
TEST(Histogram, SerialisationWithNumbersOutOfIntegerRangeIsRejected) {
  Histogram histogram;
  histogram.record(5);
  const nlohmann::json good = histogram.to_json();
  for (const char* key : {"count", "min", "max", "highest_trackable", "significant_digits"}) {
    nlohmann::json serialized = good;
    serialized[key] = 8.9e23;
    EXPECT_THROW(Histogram::from_json(serialized), std::invalid_argument) << key;
  }
  nlohmann::json huge_count = good;
  huge_count["buckets"]["counts"][0] = nlohmann::json::parse("888888888888888888888887");
  EXPECT_THROW(Histogram::from_json(huge_count), std::invalid_argument);
  nlohmann::json fractional_value = good;
  fractional_value["buckets"]["from"] = 5.5;
  EXPECT_THROW(Histogram::from_json(fractional_value), std::invalid_argument);
  // Schema 1's [value, count] pairs are checked the same way.
  nlohmann::json pairs = good;
  pairs["buckets"] = nlohmann::json::parse("[[5, 888888888888888888888887]]");
  EXPECT_THROW(Histogram::from_json(pairs), std::invalid_argument);
  pairs["buckets"] = nlohmann::json::parse("[[5.5, 1]]");
  EXPECT_THROW(Histogram::from_json(pairs), std::invalid_argument);
}

// docs/report.md's reader relies on this form: the first non-empty bucket's lowest value, then
// the counts of consecutive buckets, -k for k empty ones.
TEST(Histogram, BucketsAreWrittenAsRunsOfConsecutiveCounts) {
  Histogram histogram;
  for (int64_t sample : {5, 6, 6, 9, 3000}) histogram.record(sample);
  // 3000 ns lies in a bucket 2 ns wide (3 digits: 1 ns buckets end at 2047), the 2514th after
  // the one holding 9: (3000 - 2048) / 2 + 2048 - 10 buckets skipped.
  EXPECT_EQ(histogram.to_json()["buckets"],
            nlohmann::json::parse(R"({"from": 5, "counts": [1, 2, -2, 1, -2514, 1]})"));
  EXPECT_EQ(Histogram().to_json()["buckets"],
            nlohmann::json::parse(R"({"from": 0, "counts": []})"));
}

// Reports written before schema 2 carry [lowest value, count] pairs; they read back to the same
// histogram, so merging and comparing old with new reports stays exact.
TEST(Histogram, SchemaOnePairsReadBackToTheSameHistogram) {
  Histogram histogram;
  for (int64_t sample : lognormal_latencies_ns(10'000, 11)) histogram.record(sample);
  nlohmann::json pairs = nlohmann::json::array();
  histogram.for_each_bucket([&](int64_t value, uint64_t count) {
    pairs.push_back({value, count});
  });
  nlohmann::json schema_one = histogram.to_json();
  schema_one["buckets"] = pairs;
  EXPECT_EQ(Histogram::from_json(schema_one).to_json(), histogram.to_json());
}

TEST(Histogram, RunsBeyondTheHistogramAreRejected) {
  Histogram histogram(1'000'000, 3);
  histogram.record(5);
  const nlohmann::json good = histogram.to_json();
  for (const char* buckets :
       {R"({"from": 1000001, "counts": [1]})", R"({"from": -1, "counts": [1]})",
        R"({"from": 5, "counts": [-9223372036854775807, 1]})",
        R"({"from": 5, "counts": [-100000, 1]})", R"({"from": 5, "counts": 1})",
        R"({"counts": [1]})", R"("5:1")"}) {
    nlohmann::json serialized = good;
    serialized["buckets"] = nlohmann::json::parse(buckets);
    EXPECT_THROW(Histogram::from_json(serialized), std::invalid_argument) << buckets;
  }
}

TEST(Histogram, ValuesAboveTheRangeAreClampedAndCounted) {
  Histogram histogram(1'000'000, 3);
  histogram.record(5'000'000);
  EXPECT_EQ(histogram.count(), 1u);
  EXPECT_EQ(histogram.saturated(), 1u);
  EXPECT_EQ(histogram.max(), 1'000'000);
}

// A clock that stepped back gives a negative interval: it counts as 0, and is not "saturated".
TEST(Histogram, NegativeValuesCountAsZeroAndAreNotSaturated) {
  Histogram histogram(1'000'000, 3);
  histogram.record(-5);
  histogram.record(INT64_MIN);
  histogram.record(7);
  EXPECT_EQ(histogram.count(), 3u);
  EXPECT_EQ(histogram.saturated(), 0u);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), 7);
  EXPECT_EQ(histogram.percentile(50), 0);
  EXPECT_DOUBLE_EQ(histogram.mean(), 7.0 / 3);
}

TEST(Histogram, EmptyReportsZeros) {
  const Histogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.percentile(99), 0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.mean(), 0.0);
}

}  // namespace
}  // namespace th
