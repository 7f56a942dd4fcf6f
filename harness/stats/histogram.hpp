#pragma once

#include <bit>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace th {

// A latency histogram in the HdrHistogram layout: log-linear buckets whose width is at most
// 1 / 2^ceil(log2(2 * 10^digits)) of their value, so any reported value is within 0.1% (for 3
// digits) of the true one. Fixed memory after construction: record() never allocates, and two
// histograms of the same layout merge bucket by bucket, exactly.
class Histogram {
 public:
  static constexpr int64_t kDefaultHighestNs = 100'000'000'000;  // 100 s

  explicit Histogram(int64_t highest_trackable = kDefaultHighestNs, int significant_digits = 3);

  // Values below 0 count as 0 and above the highest trackable value as that value, so a sample is
  // never lost; saturated() says how many were clamped at the top. Inline: the load generator
  // records several values per request, and a call cost as much as the rest of record().
  void record(int64_t value) noexcept { record_n(value, 1); }
  void record_n(int64_t value, uint64_t n) noexcept {
    if (n == 0) return;
    // One unsigned compare catches both ends: a negative value wraps above the highest.
    if (static_cast<uint64_t>(value) > static_cast<uint64_t>(highest_trackable_)) {
      if (value < 0) {
        value = 0;
      } else {
        value = highest_trackable_;
        saturated_count_ += n;
      }
    }
    counts_[index_of(value)] += n;
    total_count_ += n;
    // Branches, not min/max: a new extreme is rare, and a store every time is not.
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
    sum_ += static_cast<Sum>(value) * n;
  }
  void merge(const Histogram& other);  // throws std::invalid_argument for a different layout
  void reset() noexcept;

  uint64_t count() const noexcept { return total_count_; }
  uint64_t saturated() const noexcept { return saturated_count_; }
  int64_t min() const noexcept { return total_count_ ? min_ : 0; }
  int64_t max() const noexcept { return max_; }
  double mean() const noexcept;  // exact: from the sum of recorded values, not the buckets
  double stddev() const noexcept;
  // The value at or below which `percent` of samples fall (0 < percent <= 100), reported as the
  // top of its bucket and clamped to [min, max]; 0 when empty.
  int64_t percentile(double percent) const noexcept;

  int64_t highest_trackable() const noexcept { return highest_trackable_; }
  int significant_digits() const noexcept { return significant_digits_; }

  // Each non-empty bucket as (lowest value of the bucket, count), in increasing value order.
  template <typename Visit>
  void for_each_bucket(Visit&& visit) const {
    for (size_t index = 0; index < counts_.size(); ++index) {
      if (counts_[index] != 0) visit(value_at_index(index), counts_[index]);
    }
  }

  // Lossless to the histogram's precision: the buckets, count, min, max and exact sum.
  nlohmann::json to_json() const;
  static Histogram from_json(const nlohmann::json& serialized);  // throws std::invalid_argument

  // Smallest and largest value that share a bucket with `value`.
  int64_t lowest_equivalent(int64_t value) const noexcept;
  int64_t highest_equivalent(int64_t value) const noexcept;

 private:
  int bucket_of(int64_t value) const noexcept {
    const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
    return pow2_ceiling - sub_bucket_count_magnitude_;
  }
  size_t index_of(int64_t value) const noexcept {
    const int bucket = bucket_of(value);
    const int64_t sub_bucket = value >> bucket;
    return static_cast<size_t>(((int64_t{bucket} + 1) << sub_bucket_half_count_magnitude_) +
                               (sub_bucket - sub_bucket_half_count_));
  }
  int64_t value_at_index(size_t index) const noexcept;
  // Reading a serialised histogram back; each throws std::invalid_argument on bad input.
  void add_bucket_count(int64_t value, uint64_t count);
  void add_index_count(size_t index, uint64_t count);
  void add_bucket_pairs(const nlohmann::json& pairs);
  void add_bucket_runs(const nlohmann::json& runs);

  int64_t highest_trackable_;
  int significant_digits_;
  int sub_bucket_count_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  int64_t sub_bucket_count_ = 0;
  int64_t sub_bucket_half_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  std::vector<uint64_t> counts_;
  uint64_t total_count_ = 0;
  uint64_t saturated_count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  // Exact: 128 bits hold 2^64 samples of 2^63 ns. Integer adds keep record() at a few ns, where
  // an x87 long double add cost as much as the rest of it.
  __extension__ using Sum = unsigned __int128;
  Sum sum_ = 0;
};

}  // namespace th
