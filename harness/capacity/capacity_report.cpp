#include "capacity/capacity_report.hpp"

#include <fmt/format.h>

#include "capacity/knee.hpp"

namespace th {
namespace {

// The runs a rate's figures are drawn from: those that judged the server (met or missed), unless
// there are none.
std::vector<const ProbeRun*> counted_runs(const RatePoint& point) {
  std::vector<const ProbeRun*> counted;
  for (const ProbeRun& run : point.runs) {
    if (run.outcome == ProbeOutcome::met || run.outcome == ProbeOutcome::missed) {
      counted.push_back(&run);
    }
  }
  if (counted.empty()) {
    for (const ProbeRun& run : point.runs) counted.push_back(&run);
  }
  return counted;
}

// Mean of the values present; nothing when no counted run has one.
std::optional<double> mean_present(const RatePoint& point,
                                   std::optional<double> ProbeRun::*member) {
  double sum = 0;
  size_t count = 0;
  for (const ProbeRun* run : counted_runs(point)) {
    if (!(run->*member)) continue;
    sum += *(run->*member);
    ++count;
  }
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

double mean_of(const RatePoint& point, double ProbeRun::*member) {
  const std::vector<const ProbeRun*> counted = counted_runs(point);
  double sum = 0;
  for (const ProbeRun* run : counted) sum += run->*member;
  return counted.empty() ? 0 : sum / static_cast<double>(counted.size());
}

nlohmann::json optional_json(const std::optional<double>& value, double scale = 1e3) {
  if (!value) return nullptr;
  return std::round(*value * scale) / scale;
}

nlohmann::json clause_to_json(const SloClause& clause) {
  const bool errors = clause.kind == SloClause::Kind::errors;
  return {{"text", clause.text},
          {"metric", errors ? "errors" : clause.phase + "." + clause.statistic},
          {"operator", clause.inclusive ? "<=" : "<"},
          {"limit", clause.limit},
          {"unit", errors ? "percent" : "us"}};
}

nlohmann::json study_to_json(const CapacityStudy& study) {
  const SearchResult& result = study.result;
  nlohmann::json curve = nlohmann::json::array();
  for (const CurveRow& row : curve_rows(study.points)) {
    curve.push_back({{"target_rate_per_s", row.target_rate},
                     {"achieved_rate_per_s", std::round(row.achieved_rate * 10) / 10},
                     {"answered_rate_per_s", std::round(row.answered_rate * 10) / 10},
                     {"repetitions", row.repetitions},
                     {"outcome", row.outcome},
                     {"p50_us", optional_json(row.p50_us)},
                     {"p90_us", optional_json(row.p90_us)},
                     {"p99_us", optional_json(row.p99_us)},
                     {"p999_us", optional_json(row.p999_us)},
                     {"slo_value", optional_json(row.curve_value)},
                     {"errors_percent", std::round(row.error_percent * 1e4) / 1e4},
                     {"client_cpu_us_per_request", optional_json(row.client_cpu_us_per_request)},
                     {"server_cpu_us_per_request", optional_json(row.server_cpu_us_per_request)}});
  }
  // Outcomes as finally judged: the first probes are judged again once a baseline exists.
  std::vector<const ProbeRun*> by_sequence(study.probes.size(), nullptr);
  for (const RatePoint& point : study.points) {
    for (const ProbeRun& run : point.runs) {
      if (run.sequence < by_sequence.size()) by_sequence[run.sequence] = &run;
    }
  }
  nlohmann::json probes = nlohmann::json::array();
  for (size_t sequence = 0; sequence < study.probes.size(); ++sequence) {
    const ProbeRecord& probe = study.probes[sequence];
    const ProbeRun* judged = by_sequence[sequence];
    const bool has_why = judged && !judged->why.empty();
    probes.push_back({{"run", probe.run_name},
                      {"target_rate_per_s", probe.target_rate},
                      {"outcome", judged ? to_string(judged->outcome) : "missed"},
                      {"why", has_why ? nlohmann::json(judged->why) : nlohmann::json(nullptr)},
                      {"settle_s", std::round(probe.settle_s * 1e3) / 1e3}});
  }
  const auto rate = [](const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {
      {"name", study.setting},
      {"verdict", to_string(result.verdict)},
      {"sentence", capacity_sentence(study)},
      {"rate_per_s", rate(result.rate_per_s)},
      {"interval_per_s",
       {{"low", rate(result.rate_per_s)}, {"high", rate(result.missed_at_per_s)}}},
      {"noise_per_s", std::round(result.noise_per_s * 10) / 10},
      {"noise_source",
       result.noise_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.noise_source)},
      {"generator_bound_at_per_s", rate(result.generator_bound_at_per_s)},
      {"remedy", result.remedy.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.remedy)},
      {"knee_per_s", rate(study.knee_per_s)},
      {"probes_run", study.probes.size()},
      {"elapsed_s", std::round(study.elapsed_s * 10) / 10},
      {"budget_s", study.budget_s},
      {"curve", curve},
      {"probes", probes}};
}

std::string rate_text(double rate) { return fmt::format("{:.0f}/s", rate); }

}  // namespace

std::vector<CurveRow> curve_rows(const std::vector<RatePoint>& points) {
  std::vector<CurveRow> rows;
  for (const RatePoint& point : points) {
    CurveRow row;
    row.target_rate = point.rate;
    row.achieved_rate = mean_of(point, &ProbeRun::achieved_rate);
    row.answered_rate = mean_of(point, &ProbeRun::answered_rate);
    row.repetitions = point.runs.size();
    const bool some_met = point.count(ProbeOutcome::met) > 0;
    row.outcome = point.all_met()                                  ? "met"
                  : point.any_missed()                             ? (some_met ? "mixed" : "missed")
                  : point.count(ProbeOutcome::generator_bound) > 0 ? "generator_bound"
                                                                   : "disturbed";
    row.p50_us = mean_present(point, &ProbeRun::p50_us);
    row.p90_us = mean_present(point, &ProbeRun::p90_us);
    row.p99_us = mean_present(point, &ProbeRun::p99_us);
    row.p999_us = mean_present(point, &ProbeRun::p999_us);
    row.curve_value = mean_present(point, &ProbeRun::curve_value);
    row.error_percent = mean_of(point, &ProbeRun::error_percent);
    row.client_cpu_us_per_request = mean_present(point, &ProbeRun::client_cpu_us_per_request);
    row.server_cpu_us_per_request = mean_present(point, &ProbeRun::server_cpu_us_per_request);
    rows.push_back(row);
  }
  return rows;
}

std::optional<double> curve_knee(const std::vector<RatePoint>& points) {
  std::vector<CurvePoint> curve;
  // Only rates the generator sent in full: beyond saturation the offered load is not the load
  // the server saw, and those points belong to no latency-against-load curve.
  for (const CurveRow& row : curve_rows(points)) {
    const double kept = (1.0 - kScheduleTolerance) * row.target_rate;
    const bool sustained = row.achieved_rate >= kept && row.answered_rate >= kept;
    const bool judged = row.outcome != "generator_bound" && row.outcome != "disturbed";
    if (!judged || !row.curve_value || !sustained) continue;
    curve.push_back({row.target_rate, *row.curve_value});
  }
  return kneedle_knee(curve);
}

std::string capacity_sentence(const CapacityStudy& study) {
  const SearchResult& result = study.result;
  const std::string noise =
      result.noise_per_s > 0 ? fmt::format("; noise {:.0f}/s", result.noise_per_s) : "";
  switch (result.verdict) {
    case CapacityVerdict::found:
      return fmt::format("capacity {}: met at {} in every repetition, missed at {}{}",
                         rate_text(*result.rate_per_s), rate_text(*result.rate_per_s),
                         rate_text(*result.missed_at_per_s), noise);
    case CapacityVerdict::budget_spent:
      if (!result.rate_per_s) return "the budget ended before any rate met the SLO";
      if (!result.missed_at_per_s) {
        return fmt::format(
            "the budget ended with the SLO still met at {}: capacity is at least that",
            rate_text(*result.rate_per_s));
      }
      return fmt::format(
          "the budget ended with the capacity between {} and {} ({:.1f}% wide, "
          "wider than the noise{})",
          rate_text(*result.rate_per_s), rate_text(*result.missed_at_per_s),
          100 * (*result.missed_at_per_s - *result.rate_per_s) / *result.rate_per_s, noise);
    case CapacityVerdict::generator_bound:
      return fmt::format(
          "generator-bound at {}: the load generator, not the server, could not "
          "keep the schedule{}; remedy: {}",
          rate_text(*result.generator_bound_at_per_s),
          result.rate_per_s
              ? fmt::format(" (the server met the SLO up to {})", rate_text(*result.rate_per_s))
              : std::string(),
          result.remedy);
    case CapacityVerdict::slo_unmet:
      return "no rate met the SLO, down to the lowest rate tried";
    case CapacityVerdict::above_max:
      return fmt::format("the SLO was still met at {}, the highest rate the search tries",
                         rate_text(*result.rate_per_s));
    case CapacityVerdict::interrupted:
      return "interrupted";
  }
  return "";
}

nlohmann::json capacity_to_json(const CapacitySummary& summary) {
  nlohmann::json clauses = nlohmann::json::array();
  for (const SloClause& clause : summary.slo) clauses.push_back(clause_to_json(clause));
  nlohmann::json studies = nlohmann::json::array();
  for (const CapacityStudy& study : summary.studies) studies.push_back(study_to_json(study));
  return {{"slo", summary.slo_text},
          {"slo_clauses", clauses},
          {"curve_metric", clause_to_json(curve_clause(summary.slo))["metric"]},
          {"method",
           {{"start_rate_per_s", summary.settings.start_rate},
            {"confirmations", summary.settings.confirmations},
            {"resolution", summary.settings.resolution},
            {"schedule_tolerance", kScheduleTolerance},
            {"knee", "kneedle (Satopaa et al. 2011)"}}},
          {"settings", studies}};
}

}  // namespace th
