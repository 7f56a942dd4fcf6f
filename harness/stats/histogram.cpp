#include "stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace th {

Histogram::Histogram(int64_t highest_trackable, int significant_digits)
    : highest_trackable_(highest_trackable), significant_digits_(significant_digits) {
  if (significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument("histogram significant digits must be 1..5");
  }
  if (highest_trackable < 2 || highest_trackable > (INT64_MAX >> 1)) {
    throw std::invalid_argument("histogram highest value must be from 2 to 2^62");
  }
  // The smallest power of two of sub-buckets that resolves 2 * 10^digits distinct values per
  // bucket, as HdrHistogram does; the unit (lowest discernible value) is 1.
  int64_t single_unit_resolution = 2;
  for (int digit = 0; digit < significant_digits; ++digit) single_unit_resolution *= 10;
  sub_bucket_count_magnitude_ = std::bit_width(static_cast<uint64_t>(single_unit_resolution - 1));
  sub_bucket_half_count_magnitude_ = sub_bucket_count_magnitude_ - 1;
  sub_bucket_count_ = int64_t{1} << sub_bucket_count_magnitude_;
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = sub_bucket_count_ - 1;

  int bucket_count = 1;
  for (int64_t untrackable = sub_bucket_count_; untrackable <= highest_trackable;
       untrackable <<= 1) {
    ++bucket_count;
  }
  counts_.assign(static_cast<size_t>(bucket_count + 1) * sub_bucket_half_count_, 0);
}

int64_t Histogram::value_at_index(size_t index) const noexcept {
  int64_t bucket = (static_cast<int64_t>(index) >> sub_bucket_half_count_magnitude_) - 1;
  int64_t sub_bucket =
      (static_cast<int64_t>(index) & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t Histogram::lowest_equivalent(int64_t value) const noexcept {
  const int bucket = bucket_of(value);
  return (value >> bucket) << bucket;
}

int64_t Histogram::highest_equivalent(int64_t value) const noexcept {
  const int bucket = bucket_of(value);
  return lowest_equivalent(value) + (int64_t{1} << bucket) - 1;
}

void Histogram::merge(const Histogram& other) {
  if (other.counts_.size() != counts_.size() || other.significant_digits_ != significant_digits_) {
    throw std::invalid_argument("cannot merge histograms of different layouts");
  }
  for (size_t index = 0; index < counts_.size(); ++index) counts_[index] += other.counts_[index];
  total_count_ += other.total_count_;
  saturated_count_ += other.saturated_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = saturated_count_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const noexcept {
  return total_count_ ? static_cast<double>(static_cast<long double>(sum_) / total_count_) : 0.0;
}

double Histogram::stddev() const noexcept {
  if (total_count_ == 0) return 0.0;
  const double average = mean();
  long double squares = 0;
  for_each_bucket([&](int64_t value, uint64_t count) {
    // The middle of the bucket is the best estimate of its samples.
    const double middle = static_cast<double>(value + highest_equivalent(value)) / 2.0;
    const double deviation = middle - average;
    squares += static_cast<long double>(deviation * deviation) * count;
  });
  return std::sqrt(static_cast<double>(squares / total_count_));
}

int64_t Histogram::percentile(double percent) const noexcept {
  if (total_count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // Rank of the sample, 1-based, as the nearest-rank definition: ceil(p * n), at least 1. The
  // product is shaved by a relative 1e-12 because 99.9 / 100 * 1000 is 999.0000000000001 in
  // binary floating point, and ceil would otherwise skip to the next sample.
  const double exact_rank = percent / 100.0 * static_cast<double>(total_count_);
  auto rank = static_cast<uint64_t>(std::ceil(exact_rank - exact_rank * 1e-12));
  rank = std::clamp<uint64_t>(rank, 1, total_count_);
  uint64_t seen = 0;
  for (size_t index = 0; index < counts_.size(); ++index) {
    seen += counts_[index];
    if (seen >= rank) {
      return std::clamp(highest_equivalent(value_at_index(index)), min(), max_);
    }
  }
  return max_;
}

}  // namespace th
