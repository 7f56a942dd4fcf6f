#include <map>
#include <set>
#include <vector>

#include "report/gbench.hpp"
#include "report/metrics.hpp"
#include "report/output_file.hpp"
#include "report/reporter.hpp"
#include "report/statistics.hpp"

namespace th {
namespace {

using ordered = nlohmann::ordered_json;

// Metrics that are real_time and cpu_time rather than counters.
bool is_time_metric(std::string_view key) {
  return key == "mean_us" || key == "cpu_us_per_request";
}

// One run's numbers in Google Benchmark's terms.
struct GbenchValues {
  double iterations = 0;
  double real_time_us = 0;
  double cpu_time_us = 0;
  std::map<std::string, double> counters;  // sorted, as Google Benchmark's std::map prints them
};

GbenchValues values_of(const nlohmann::json& run) {
  GbenchValues values;
  values.iterations = run.at("requests").at("ok").get<double>();
  if (auto mean = metric_value(run, *find_metric("mean_us"))) {
    values.real_time_us = *mean;
  } else if (values.iterations > 0) {
    // No request latency (a stream): the wall-clock time per operation, as Google Benchmark's
    // real_time is for a benchmark that measures no single iteration.
    values.real_time_us = run.at("duration_s").get<double>() * 1e6 / values.iterations;
  }
  values.cpu_time_us = metric_value(run, *find_metric("cpu_us_per_request")).value_or(0.0);
  for (const Metric& metric : all_metrics()) {
    if (is_time_metric(metric.key)) continue;
    if (auto value = metric_value(run, metric)) values.counters[std::string(metric.key)] = *value;
  }
  return values;
}

// The benchmark name: the scenario, then the run when a sweep names runs apart from it.
std::string benchmark_name(const nlohmann::json& report, const std::string& run_name) {
  const std::string scenario = report.at("scenario").value("name", std::string("unnamed"));
  return run_name == scenario ? scenario : scenario + "/" + run_name;
}

int64_t threads_of(const nlohmann::json& report, const nlohmann::json& run) {
  const nlohmann::json& params = run.at("params");
  if (params.contains("threads") && params["threads"].is_number_integer()) {
    return params["threads"].get<int64_t>();
  }
  const nlohmann::json& scenario = report.at("scenario");
  if (scenario.contains("threads") && scenario["threads"].is_number_integer()) {
    return scenario["threads"].get<int64_t>();
  }
  return 1;
}

ordered context_of(const nlohmann::json& report, const GbenchOptions& options) {
  const nlohmann::json& host = report.at("host");
  const CpuFacts facts = cpu_facts_from_host(host);
  // Google Benchmark writes local time with its offset; reports keep UTC ("Z").
  std::string date = report.value("started_at", std::string());
  if (!date.empty() && date.back() == 'Z') date = date.substr(0, date.size() - 1) + "+00:00";
  ordered caches = ordered::array();
  for (const CpuCache& cache : facts.caches) {
    caches.push_back({{"type", cache.type},
                      {"level", cache.level},
                      {"size", cache.size},
                      {"num_sharing", cache.num_sharing}});
  }
  ordered context = {
      {"date", date},
      {"host_name", host.value("hostname", std::string())},
      {"executable", options.executable},
      {"num_cpus", host.contains("cores") && host["cores"].is_number_integer()
                       ? host["cores"].get<int64_t>()
                       : int64_t{0}},
      {"mhz_per_cpu", facts.mhz_per_cpu},
      {"cpu_scaling_enabled", facts.cpu_scaling_enabled},
      {"caches", caches},
      {"load_avg", facts.load_avg},
      {"library_build_type", "release"},
  };
  // Labels go where --benchmark_context puts custom keys: into the context, as strings. A label
  // may not replace one of Google Benchmark's own keys (the run command refuses such labels).
  if (report.contains("labels")) {
    for (const auto& [key, value] : report["labels"].items()) {
      if (!context.contains(key)) context[key] = value;
    }
  }
  return context;
}

struct EntryHeader {
  std::string name;
  std::string run_name;
  int64_t family_instance = 0;
  int64_t repetitions = 1;
  int64_t threads = 1;
};

ordered entry(const EntryHeader& header, const char* aggregate, int64_t repetition_index,
              const GbenchValues& values) {
  ordered out = {{"name", aggregate ? header.name + "_" + aggregate : header.name},
                 {"family_index", 0},
                 {"per_family_instance_index", header.family_instance},
                 {"run_name", header.run_name},
                 {"run_type", aggregate ? "aggregate" : "iteration"},
                 {"repetitions", header.repetitions}};
  if (!aggregate) out["repetition_index"] = repetition_index;
  out["threads"] = header.threads;
  if (aggregate) {
    out["aggregate_name"] = aggregate;
    out["aggregate_unit"] = std::string(aggregate) == "cv" ? "percentage" : "time";
  } else if (values.iterations == 0) {
    // Google Benchmark flags a benchmark that measured nothing; counted errors alone are not that.
    out["error_occurred"] = true;
    out["error_message"] = "no request was answered";
  }
  out["iterations"] = static_cast<int64_t>(values.iterations);
  out["real_time"] = values.real_time_us;
  out["cpu_time"] = values.cpu_time_us;
  out["time_unit"] = "us";
  for (const auto& [key, value] : values.counters) out[key] = value;
  return out;
}

// Google Benchmark's aggregates over repetitions; iterations of an aggregate is the number of
// repetitions, as Google Benchmark writes it.
std::vector<ordered> aggregate_entries(const EntryHeader& header,
                                       const std::vector<GbenchValues>& repetitions) {
  using Summary = double (*)(std::span<const double>);
  const std::pair<const char*, Summary> kAggregates[] = {
      {"mean", mean_of}, {"median", median_of}, {"stddev", stddev_of}, {"cv", cv_of}};
  std::set<std::string> counters;
  for (const auto& [key, value] : repetitions.front().counters) {
    bool everywhere = true;
    for (const GbenchValues& values : repetitions) everywhere &= values.counters.contains(key);
    if (everywhere) counters.insert(key);
  }
  std::vector<ordered> entries;
  for (const auto& [name, summary_of] : kAggregates) {
    const auto summary = summary_of;  // clang 14 cannot capture a structured binding
    auto summarize = [&](auto field) {
      std::vector<double> samples;
      for (const GbenchValues& values : repetitions) samples.push_back(field(values));
      return summary(samples);
    };
    GbenchValues aggregated;
    aggregated.iterations = static_cast<double>(repetitions.size());
    aggregated.real_time_us = summarize([](const GbenchValues& v) { return v.real_time_us; });
    aggregated.cpu_time_us = summarize([](const GbenchValues& v) { return v.cpu_time_us; });
    for (const std::string& key : counters) {
      aggregated.counters[key] =
          summarize([&](const GbenchValues& v) { return v.counters.at(key); });
    }
    entries.push_back(entry(header, name, 0, aggregated));
  }
  return entries;
}

}  // namespace

ordered gbench_from_report(const nlohmann::json& report, const GbenchOptions& options) {
  ordered benchmarks = ordered::array();
  const int64_t requested =
      report.contains("repetitions") && report["repetitions"].is_number_integer()
          ? report["repetitions"].get<int64_t>()
          : 1;
  int64_t instance = 0;
  // A capacity report: every probe (the curve), then each setting's capacity and knee.
  nlohmann::json runs = report.at("runs");
  for (nlohmann::json& summary : capacity_summary_runs(report)) runs.push_back(std::move(summary));
  for (const RunGroup& group : group_runs_by_name(runs)) {
    EntryHeader header;
    header.name = header.run_name = benchmark_name(report, group.name);
    header.family_instance = instance++;
    header.repetitions =
        std::max<int64_t>(requested, static_cast<int64_t>(group.repetitions.size()));
    header.threads = threads_of(report, *group.repetitions.front());
    std::vector<GbenchValues> values;
    for (const nlohmann::json* run : group.repetitions) values.push_back(values_of(*run));
    if (!options.aggregates_only || values.size() < 2) {
      for (size_t index = 0; index < values.size(); ++index) {
        const int64_t repetition = group.repetitions[index]->value("repetition_index", int64_t{0});
        benchmarks.push_back(entry(header, nullptr, repetition, values[index]));
      }
    }
    if (values.size() >= 2) {
      for (ordered& aggregate : aggregate_entries(header, values)) {
        benchmarks.push_back(std::move(aggregate));
      }
    }
  }
  return {{"context", context_of(report, options)}, {"benchmarks", benchmarks}};
}

std::string GbenchReporter::render(const ReportInput& input) const {
  GbenchOptions options;
  options.aggregates_only = aggregates_only_;
  return json_output_text(gbench_from_report(report_to_json(input), options), pretty_);
}

}  // namespace th
