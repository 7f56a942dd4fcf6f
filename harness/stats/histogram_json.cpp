#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "stats/histogram.hpp"

namespace th {

// Sparse form: only non-empty buckets, as [lowest value of the bucket, count] pairs. Re-recording
// each pair rebuilds the same buckets, so a report's histograms can be merged later (reports
// from several load generators) with no loss beyond the histogram's own precision.
nlohmann::json Histogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for_each_bucket([&](int64_t value, uint64_t count) { buckets.push_back({value, count}); });
  return {{"significant_digits", significant_digits_},
          {"highest_trackable", highest_trackable_},
          {"count", total_count_},
          {"min", min()},
          {"max", max_},
          {"sum", static_cast<double>(sum_)},
          {"buckets", std::move(buckets)}};
}

Histogram Histogram::from_json(const nlohmann::json& serialized) {
  try {
    Histogram histogram(serialized.at("highest_trackable").get<int64_t>(),
                        serialized.at("significant_digits").get<int>());
    for (const auto& bucket : serialized.at("buckets")) {
      const auto value = bucket.at(0).get<int64_t>();
      const auto count = bucket.at(1).get<uint64_t>();
      if (value < 0 || value > histogram.highest_trackable_) {
        throw std::invalid_argument("bucket value out of range");
      }
      histogram.counts_[histogram.index_of(value)] += count;
      histogram.total_count_ += count;
    }
    if (histogram.total_count_ != serialized.at("count").get<uint64_t>()) {
      throw std::invalid_argument("bucket counts do not add up to count");
    }
    if (histogram.total_count_ > 0) {
      histogram.min_ = serialized.at("min").get<int64_t>();
      histogram.max_ = serialized.at("max").get<int64_t>();
    }
    // Clamped into what 128 bits hold: converting anything else (or NaN) is undefined.
    const double sum = serialized.at("sum").get<double>();
    histogram.sum_ = static_cast<Sum>(sum > 0 ? std::min(sum, 1e38) : 0.0);
    return histogram;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("malformed histogram: ") + error.what());
  }
}

}  // namespace th
