#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "stats/tcp_info_stats.hpp"

namespace th {

// A run's "tcp_info" section (docs/report.md#tcp_info): the gauges' distributions (summaries in
// their own units, and the histograms in full so that merging stays exact), the counters' sums,
// and what limited the senders as shares of their busy time.
nlohmann::json tcp_info_to_json(const TcpInfoStats& stats);

// The "tcp_info" of one run as several generators recorded it: histograms merged bucket by
// bucket, counts and times added, summaries and shares recomputed. Null when no run has one.
// Throws ConfigError when a histogram cannot be read or merged.
nlohmann::json merge_tcp_info(const std::vector<const nlohmann::json*>& runs);

}  // namespace th
