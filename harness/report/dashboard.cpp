#include "report/dashboard.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "base/numbers.hpp"
#include "report/metrics.hpp"
#include "report/statistics.hpp"

namespace th {
namespace {

// The action prints the unit beside the value; "1/s" reads better as what is counted.
std::string unit_of(const Metric& metric) {
  if (metric.key == "requests_per_s") return "requests/s";
  if (metric.key == "pages_per_s") return "pages/s";
  if (metric.key == "capacity_per_s" || metric.key == "knee_per_s") return "requests/s";
  return std::string(metric.unit);
}

std::string series_name(const nlohmann::json& report, const std::string& run_name,
                        const Metric& metric) {
  const std::string scenario = report.at("scenario").value("name", std::string("unnamed"));
  const std::string run = run_name == scenario ? scenario : scenario + "/" + run_name;
  return fmt::format("{} {}", run, metric.label);
}

}  // namespace

nlohmann::ordered_json dashboard_from_report(const nlohmann::json& report, bool bigger_is_better) {
  nlohmann::ordered_json series = nlohmann::ordered_json::array();
  // A capacity report charts each setting's capacity and knee: its probes' rates change from
  // one search to the next, so they make no series.
  const nlohmann::json runs = runs_to_compare(report);
  for (const RunGroup& group : group_runs_by_name(runs)) {
    for (const Metric& metric : all_metrics()) {
      if (metric.higher_is_better != bigger_is_better || metric.key == "max_us") continue;
      std::vector<double> values;
      for (const nlohmann::json* run : group.repetitions) {
        if (auto value = metric_value(*run, metric)) values.push_back(*value);
      }
      // A metric a repetition lacks (a stream's latency, a run without answered requests) has
      // no value to chart; a partial median would be a different quantity.
      if (values.empty() || values.size() != group.repetitions.size()) continue;
      const double value = rounded(median_of(values));
      // A rate that is 0 (a stream receives nothing) charts nothing and makes every ratio
      // infinite; errors at 0 stay, as the baseline an alert compares with.
      if (bigger_is_better && value == 0) continue;
      nlohmann::ordered_json entry = {{"name", series_name(report, group.name, metric)},
                                      {"unit", unit_of(metric)},
                                      {"value", value}};
      if (values.size() > 1) {
        // Fixed notation: the action's tooltip shows the text as it is, and 1.072e+06 reads badly.
        const double spread = stddev_of(values);
        entry["range"] =
            spread >= 1000 ? fmt::format("± {:.0f}", spread) : fmt::format("± {:.4g}", spread);
        entry["extra"] = fmt::format("median of {} repetitions", values.size());
      }
      series.push_back(std::move(entry));
    }
  }
  return series;
}

}  // namespace th
