#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "stats/timestamp_split.hpp"

namespace th {

// The parts of the round trip split at kernel timestamps, as latency_us and histograms name them.
inline constexpr const char* kTimestampParts[] = {"harness", "harness_send", "stack_and_peer",
                                                  "harness_receive"};

// A run's `timestamps` section (docs/report.md): how many requests were split and why others
// were not, and the harness's share of the round trip at p50 and p99.
nlohmann::json timestamps_to_json(const TimestampSplit& split);

// Adds the four parts to a run's latency_us and histograms.
void add_timestamp_parts(const TimestampSplit& split, nlohmann::json& run);

// The sections of several generators' runs summed, the shares taken again from the merged
// histograms; null when no run has one.
nlohmann::json merge_timestamps(const std::vector<const nlohmann::json*>& runs,
                                const nlohmann::json& merged_histograms);

}  // namespace th
