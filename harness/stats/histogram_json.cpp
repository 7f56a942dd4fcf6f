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

// Run-length form, as HdrHistogram's own V2 encoding: `from` is the lowest value of the first
// non-empty bucket and `counts` the counts of consecutive buckets from there, a run of k empty
// buckets written as -k. Dense latency buckets cost two or three characters each, a quarter of
// the [value, count] pairs reports carried before schema 2, and the histogram is the same
// bucket for bucket, so merging reports stays exact.
nlohmann::json Histogram::to_json() const {
  nlohmann::json counts = nlohmann::json::array();
  int64_t from = 0;
  size_t next_index = 0;
  bool first = true;
  for (size_t index = 0; index < counts_.size(); ++index) {
    if (counts_[index] == 0) continue;
    if (first) {
      from = value_at_index(index);
      first = false;
    } else if (index > next_index) {
      counts.push_back(-static_cast<int64_t>(index - next_index));
    }
    counts.push_back(counts_[index]);
    next_index = index + 1;
  }
  return {{"significant_digits", significant_digits_},
          {"highest_trackable", highest_trackable_},
          {"count", total_count_},
          {"min", min()},
          {"max", max_},
          {"sum", static_cast<double>(sum_)},
          {"buckets", {{"from", from}, {"counts", std::move(counts)}}}};
}

void Histogram::add_bucket_count(int64_t value, uint64_t count) {
  if (value < 0 || value > highest_trackable_) {
    throw std::invalid_argument("bucket value out of range");
  }
  add_index_count(index_of(value), count);
}

void Histogram::add_index_count(size_t index, uint64_t count) {
  if (index >= counts_.size()) throw std::invalid_argument("bucket beyond the highest trackable");
  if (count > UINT64_MAX - total_count_) throw std::invalid_argument("bucket counts overflow");
  counts_[index] += count;
  total_count_ += count;
}

// Schema 1 wrote the non-empty buckets as [lowest value, count] pairs; such reports stay readable.
void Histogram::add_bucket_pairs(const nlohmann::json& pairs) {
  if (!pairs.is_array()) throw std::invalid_argument("buckets is not an array");
  for (const auto& bucket : pairs) {
    add_bucket_count(integer_at<int64_t>(bucket.at(0), "a bucket value"),
                     integer_at<uint64_t>(bucket.at(1), "a bucket count"));
  }
}

void Histogram::add_bucket_runs(const nlohmann::json& runs) {
  const auto from = integer_at<int64_t>(runs.at("from"), "buckets.from");
  if (from < 0 || from > highest_trackable_) {
    throw std::invalid_argument("buckets.from out of range");
  }
  // Skips are bounded by the bucket count before they move the index, so a hostile -2^62 cannot
  // wrap it around.
  const nlohmann::json& counts = runs.at("counts");
  // A number would iterate as a one-element array.
  if (!counts.is_array()) throw std::invalid_argument("buckets.counts is not an array");
  size_t index = index_of(from);
  for (const auto& entry : counts) {
    const auto number = integer_at<int64_t>(entry, "a bucket count");
    if (number < 0) {
      const auto skipped = static_cast<uint64_t>(-(number + 1)) + 1;
      if (skipped > counts_.size() - index) {
        throw std::invalid_argument("a run of empty buckets beyond the highest trackable");
      }
      index += static_cast<size_t>(skipped);
      continue;
    }
    add_index_count(index, static_cast<uint64_t>(number));
    ++index;
  }
}

Histogram Histogram::from_json(const nlohmann::json& serialized) {
  try {
    Histogram histogram(
        integer_at<int64_t>(serialized.at("highest_trackable"), "highest_trackable"),
        integer_at<int>(serialized.at("significant_digits"), "significant_digits"));
    const nlohmann::json& buckets = serialized.at("buckets");
    if (buckets.is_array()) {
      histogram.add_bucket_pairs(buckets);
    } else if (buckets.is_object()) {
      histogram.add_bucket_runs(buckets);
    } else {
      throw std::invalid_argument("buckets is neither {from, counts} nor [value, count] pairs");
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
