#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "stats/tcp_info_stats.hpp"

namespace th {

// A run's "tcp_info" section (docs/report.md#tcp_info): the gauges' distributions (summaries in
// their own units, and the histograms in full so that merging stays exact), the counters' sums,
// what limited the senders as shares of their busy time, and the diagnosis that adds the
// harness's own clocks (first_byte: the run's first_byte phase, ns).
nlohmann::json tcp_info_to_json(const TcpInfoStats& stats, const Histogram& first_byte);

// The "tcp_info" of one run as several generators recorded it: histograms merged bucket by
// bucket, counts and times added, summaries, shares and diagnosis recomputed (with the merged
// first_byte phase). Null when no run has one. Throws ConfigError when a histogram cannot be read
// or merged.
nlohmann::json merge_tcp_info(const std::vector<const nlohmann::json*>& runs,
                              const Histogram& first_byte);

}  // namespace th
