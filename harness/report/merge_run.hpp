#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace th {

// One run as several generators recorded it at the same time (same name and repetition), merged:
// histograms bucket by bucket with latency summaries recomputed from them, counts and CPU time
// summed, rates added, the longest duration, timelines aligned by second. A key this code does
// not know is kept when every report agrees and flagged in the run's warnings when not.
nlohmann::json merge_run(const std::vector<const nlohmann::json*>& runs,
                         const std::vector<std::string>& paths);

}  // namespace th
