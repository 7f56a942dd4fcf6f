#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capacity/search.hpp"
#include "capacity/slo.hpp"

namespace th {

// One probe in the order it ran (its ProbeRun::sequence), with how long it waited for the
// sockets to settle first.
struct ProbeRecord {
  std::string run_name;  // the run in the report's "runs"
  double target_rate = 0;
  double settle_s = 0;
};

// The search for one setting of the scenario (the scenario itself without a sweep).
struct CapacityStudy {
  std::string setting;
  std::vector<std::pair<std::string, nlohmann::json>> params;  // the swept keys' values
  SearchResult result;
  std::vector<RatePoint> points;  // in increasing rate: the curve
  std::vector<ProbeRecord> probes;
  std::optional<double> knee_per_s;
  double elapsed_s = 0;
  double budget_s = 0;
};

struct CapacitySummary {
  std::string slo_text;
  std::vector<SloClause> slo;
  SearchSettings settings;
  std::vector<CapacityStudy> studies;
};

// One rate of the curve: the mean over its repetitions.
struct CurveRow {
  double target_rate = 0;
  double achieved_rate = 0;
  double answered_rate = 0;
  size_t repetitions = 0;
  std::string outcome;  // met, missed, mixed (some of each) or generator_bound
  std::optional<double> p50_us, p90_us, p99_us, p999_us, curve_value;
  double error_percent = 0;
  std::optional<double> client_cpu_us_per_request, server_cpu_us_per_request;
};
std::vector<CurveRow> curve_rows(const std::vector<RatePoint>& points);

// The knee of a study's curve: Kneedle over the curve clause's mean value at each rate that was
// sent in full (achieved within the schedule tolerance) and not generator-bound.
std::optional<double> curve_knee(const std::vector<RatePoint>& points);

// "9,150 requests/s meet p99<=10ms (missed at 9,240/s; noise 40/s)": one sentence per verdict.
std::string capacity_sentence(const CapacityStudy& study);

// The report's "capacity" section (docs/report.md#capacity).
nlohmann::json capacity_to_json(const CapacitySummary& summary);

// The console's table of the curve, the text chart and the verdict of each study.
std::string capacity_to_text(const CapacitySummary& summary);

}  // namespace th
