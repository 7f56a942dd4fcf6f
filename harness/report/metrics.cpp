#include "report/metrics.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include "report/statistics.hpp"

namespace th {
namespace {

constexpr std::array kMetrics = {
    Metric{"requests_per_s", "req/s", "1/s", true, "/throughput/requests_per_s", false},
    Metric{"p50_us", "p50", "us", false, "/latency_us/total/p50", true},
    Metric{"p90_us", "p90", "us", false, "/latency_us/total/p90", true},
    Metric{"p99_us", "p99", "us", false, "/latency_us/total/p99", true},
    Metric{"p999_us", "p99.9", "us", false, "/latency_us/total/p999", true},
    Metric{"max_us", "max", "us", false, "/latency_us/total/max", true},
    Metric{"mean_us", "mean", "us", false, "/latency_us/total/mean", true},
    Metric{"cpu_us_per_request", "cpu/req", "us/request", false, "/cpu/client_us_per_request",
           false},
    Metric{"server_cpu_us_per_request", "server cpu/req", "us/request", false,
           "/cpu/server_us_per_request", false},
    Metric{"bits_sent_per_s", "sent", "bit/s", true, "/throughput/bits_sent_per_s", false},
    Metric{"bits_received_per_s", "received", "bit/s", true, "/throughput/bits_received_per_s",
           false},
    Metric{"errors", "errors", "count", false, "/requests/error_total", false},
    // A capacity report's summary runs only (capacity_summary_runs).
    Metric{"capacity_per_s", "capacity", "1/s", true, "/capacity/rate_per_s", false},
    Metric{"knee_per_s", "knee", "1/s", true, "/capacity/knee_per_s", false},
    // Page workloads only; runs without a page have no value for these.
    Metric{"pages_per_s", "pages/s", "1/s", true, "/throughput/pages_per_s", false},
    Metric{"page_p50_us", "page p50", "us", false, "/latency_us/page_load/p50", true},
    Metric{"page_p99_us", "page p99", "us", false, "/latency_us/page_load/p99", true},
};

}  // namespace

std::span<const Metric> all_metrics() { return kMetrics; }

const Metric* find_metric(std::string_view name) {
  for (const Metric& metric : kMetrics) {
    if (metric.key == name || metric.label == name) return &metric;
  }
  if (name == "p999") return find_metric("p999_us");
  if (name == "cpu") return find_metric("cpu_us_per_request");
  return nullptr;
}

std::optional<double> metric_value(const nlohmann::json& run, const Metric& metric) {
  const nlohmann::json::json_pointer pointer{std::string(metric.pointer)};
  if (metric.is_latency) {
    // A percentile of no samples is reported as 0; that is no measurement.
    const nlohmann::json::json_pointer count = pointer.parent_pointer() / "count";
    if (!run.contains(count) || !run.at(count).is_number() || run.at(count).get<double>() <= 0) {
      return std::nullopt;
    }
  }
  if (!run.contains(pointer) || !run.at(pointer).is_number()) return std::nullopt;
  return run.at(pointer).get<double>();
}

std::vector<RunGroup> group_runs_by_name(const nlohmann::json& runs) {
  std::vector<RunGroup> groups;
  for (const nlohmann::json& run : runs) {
    const std::string name = run.at("name").get<std::string>();
    auto found = std::find_if(groups.begin(), groups.end(),
                              [&](const RunGroup& group) { return group.name == name; });
    if (found == groups.end()) {
      groups.push_back({name, {}});
      found = std::prev(groups.end());
    }
    found->repetitions.push_back(&run);
  }
  return groups;
}

nlohmann::json aggregates_to_json(const nlohmann::json& runs) {
  nlohmann::json aggregates = nlohmann::json::array();
  for (const RunGroup& group : group_runs_by_name(runs)) {
    if (group.repetitions.size() < 2) continue;
    nlohmann::json metrics = nlohmann::json::object();
    for (const Metric& metric : kMetrics) {
      std::vector<double> values;
      for (const nlohmann::json* run : group.repetitions) {
        if (auto value = metric_value(*run, metric)) values.push_back(*value);
      }
      // A metric some repetitions lack (no answered request) has no meaningful aggregate.
      if (values.size() != group.repetitions.size()) continue;
      metrics[std::string(metric.key)] = {{"mean", mean_of(values)},
                                          {"median", median_of(values)},
                                          {"stddev", stddev_of(values)},
                                          {"cv", cv_of(values)}};
    }
    aggregates.push_back(
        {{"name", group.name}, {"repetitions", group.repetitions.size()}, {"metrics", metrics}});
  }
  return aggregates;
}

nlohmann::json capacity_summary_runs(const nlohmann::json& report) {
  nlohmann::json runs = nlohmann::json::array();
  if (!report.contains("capacity") || !report["capacity"].is_object()) return runs;
  for (const nlohmann::json& setting :
       report["capacity"].value("settings", nlohmann::json::array())) {
    // Only an answer is a capacity: a bound (budget spent, generator-bound) leaves the value out,
    // so a --fail-on limit on it fails instead of comparing a bound with an answer.
    const std::string verdict = setting.value("verdict", std::string());
    const bool answered = verdict == "found" || verdict == "above_max";
    runs.push_back({{"name", setting.at("name").get<std::string>() + " capacity"},
                    {"params", nlohmann::json::object()},
                    {"repetition_index", 0},
                    {"duration_s", setting.value("elapsed_s", 0.0)},
                    {"requests", {{"ok", setting.value("probes_run", 0)}, {"error_total", 0}}},
                    {"capacity",
                     {{"verdict", verdict},
                      {"rate_per_s", answered ? setting["rate_per_s"] : nlohmann::json(nullptr)},
                      {"knee_per_s", setting["knee_per_s"]}}}});
  }
  return runs;
}

nlohmann::json runs_to_compare(const nlohmann::json& report) {
  if (report.contains("capacity")) return capacity_summary_runs(report);
  return report.at("runs");
}

}  // namespace th
