#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "stats/histogram.hpp"

namespace th {
namespace {

// nlohmann's get<integer>() converts a floating-point value with a plain cast, which is undefined
// behaviour when the value is beyond the integer's range: a count too large for uint64 parses as
// 8.9e23 and used to be cast (fuzz target `report`). Only integers in range are read.
template <typename Integer>
Integer integer_at(const nlohmann::json& value, const char* what) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<uint64_t>();
    if (std::in_range<Integer>(number)) return static_cast<Integer>(number);
  } else if (value.is_number_integer()) {
    const auto number = value.get<int64_t>();
    if (std::in_range<Integer>(number)) return static_cast<Integer>(number);
  }
  throw std::invalid_argument(std::string("malformed histogram: ") + what +
                              " is not an integer in range: " + value.dump());
}

}  // namespace

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
    Histogram histogram(
        integer_at<int64_t>(serialized.at("highest_trackable"), "highest_trackable"),
        integer_at<int>(serialized.at("significant_digits"), "significant_digits"));
    for (const auto& bucket : serialized.at("buckets")) {
      const auto value = integer_at<int64_t>(bucket.at(0), "a bucket value");
      const auto count = integer_at<uint64_t>(bucket.at(1), "a bucket count");
      if (value < 0 || value > histogram.highest_trackable_) {
        throw std::invalid_argument("bucket value out of range");
      }
      histogram.counts_[histogram.index_of(value)] += count;
      histogram.total_count_ += count;
    }
    if (histogram.total_count_ != integer_at<uint64_t>(serialized.at("count"), "count")) {
      throw std::invalid_argument("bucket counts do not add up to count");
    }
    if (histogram.total_count_ > 0) {
      histogram.min_ = integer_at<int64_t>(serialized.at("min"), "min");
      histogram.max_ = integer_at<int64_t>(serialized.at("max"), "max");
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
