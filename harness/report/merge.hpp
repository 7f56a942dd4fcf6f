#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report/report_reader.hpp"

namespace th {

// Reports of one scenario recorded at the same time by several load generators (hosts), merged
// into the report one generator driving all of that load would have written: histograms merged
// bucket by bucket (so percentiles are exact to the histogram's precision), counts and CPU time
// summed, rates added, durations the longest, timelines aligned by wall-clock second. Runs are
// matched by name and repetition. Reports of different scenarios, or with different runs, are
// refused with a ConfigError naming the first difference.
nlohmann::json merge_reports(const std::vector<LoadedReport>& reports);

// Per-second entries of several generators, summed second by second (by "t_unix_s"). Counts add;
// max_us is the maximum; p50_us and p99_us, which cannot be merged exactly without per-second
// histograms, are the request-weighted mean of the generators' values.
nlohmann::json merge_timelines(const std::vector<const nlohmann::json*>& timelines);

}  // namespace th
