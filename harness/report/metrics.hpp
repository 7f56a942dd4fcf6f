#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace th {

// The numbers a run is judged by, read from a run as the native report writes it. One table, so
// that repetition aggregates, `compare`, `--fail-on` and Google Benchmark counters use the same
// names and units.
struct Metric {
  std::string_view key;    // "p99_us": the name in reports, --fail-on and gbench counters
  std::string_view label;  // "p99": how tables name it
  std::string_view unit;   // "us", "1/s", "us/request", "bit/s", "count"
  bool higher_is_better;
  std::string_view pointer;  // where the value lives in a run object
  bool is_latency;           // absent (not zero) when the run recorded no request latency
};

std::span<const Metric> all_metrics();

// Accepts the key ("p99_us") or the short name ("p99", and "p99.9" for p999_us).
const Metric* find_metric(std::string_view name);

// The value, or nothing when the run has none (a stream has no request latency; CPU per request
// is null without answered requests).
std::optional<double> metric_value(const nlohmann::json& run, const Metric& metric);

// Runs with the same name are repetitions of one run; groups keep the order of first appearance.
struct RunGroup {
  std::string name;
  std::vector<const nlohmann::json*> repetitions;
};
std::vector<RunGroup> group_runs_by_name(const nlohmann::json& runs);

// A capacity report's answer as one run per setting, named "SETTING capacity", whose `capacity`
// holds rate_per_s (null unless the verdict is found or above_max) and knee_per_s: what compare,
// --fail-on capacity and Google Benchmark's output read of it.
nlohmann::json capacity_summary_runs(const nlohmann::json& report);
// The runs compare matches by name: a capacity report's summary runs (its probes' rates differ
// from search to search), else every run.
nlohmann::json runs_to_compare(const nlohmann::json& report);

// For every run with two or more repetitions, mean, median, stddev and cv of each metric, as
// Google Benchmark's aggregates: [{"name", "repetitions", "metrics": {key: {mean, median, ...}}}].
nlohmann::json aggregates_to_json(const nlohmann::json& runs);

}  // namespace th
