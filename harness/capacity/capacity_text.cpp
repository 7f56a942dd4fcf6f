#include <fmt/format.h>

#include <cmath>

#include "capacity/capacity_report.hpp"

namespace th {
namespace {

constexpr int kChartWidth = 40;  // characters for the span of the curve's values

std::string latency_cell(const std::optional<double>& us) {
  if (!us) return "-";
  if (*us >= 1e6) return fmt::format("{:.2f} s", *us / 1e6);
  if (*us >= 1e3) return fmt::format("{:.2f} ms", *us / 1e3);
  return fmt::format("{:.0f} us", *us);
}

std::string cpu_cell(const std::optional<double>& client, const std::optional<double>& server) {
  if (!client) return "-";
  return server ? fmt::format("{:.1f}+{:.1f}", *client, *server) : fmt::format("{:.1f}", *client);
}

std::string table(const CapacityStudy& study) {
  std::string out = fmt::format(
      "  {:>10} {:>10} {:>4} {:>10} {:>10} {:>10} {:>10} {:>7} {:>11}  {}\n", "target/s", "sent/s",
      "reps", "p50", "p90", "p99", "p99.9", "errors", "cpu us/req", "outcome");
  for (const CurveRow& row : curve_rows(study.points)) {
    out += fmt::format(
        "  {:>10.0f} {:>10.0f} {:>4} {:>10} {:>10} {:>10} {:>10} {:>6.2f}% {:>11}  {}\n",
        row.target_rate, row.achieved_rate, row.repetitions, latency_cell(row.p50_us),
        latency_cell(row.p90_us), latency_cell(row.p99_us), latency_cell(row.p999_us),
        row.error_percent, cpu_cell(row.client_cpu_us_per_request, row.server_cpu_us_per_request),
        row.outcome);
  }
  return out;
}

// One bar per rate on a log scale of the curve's value, the SLO's limit a column of '|'.
std::string chart(const CapacityStudy& study, const SloClause& clause) {
  const std::vector<CurveRow> rows = curve_rows(study.points);
  double low = clause.limit;
  double high = clause.limit;
  for (const CurveRow& row : rows) {
    if (!row.curve_value || *row.curve_value <= 0) continue;
    low = std::min(low, *row.curve_value);
    high = std::max(high, *row.curve_value);
  }
  if (low <= 0 || high <= low) return "";
  const double span = std::log10(high) - std::log10(low);
  const auto column = [&](double value) {
    return 1 + static_cast<int>(
                   std::lround((std::log10(value) - std::log10(low)) / span * (kChartWidth - 1)));
  };
  const int limit_column = column(clause.limit);
  std::string out = fmt::format("  {:>10}  {} on a log scale, {} to {}; '|' is the SLO ({})\n",
                                "rate/s", clause.text.substr(0, clause.text.find('<')),
                                latency_cell(low), latency_cell(high), clause.text);
  for (const CurveRow& row : rows) {
    std::string bar(kChartWidth + 1, ' ');
    const int length = row.curve_value && *row.curve_value > 0 ? column(*row.curve_value) : 0;
    for (int index = 0; index < length; ++index) bar[index] = row.outcome == "met" ? '#' : 'x';
    bar[limit_column] = '|';
    const bool knee = study.knee_per_s && *study.knee_per_s == row.target_rate;
    out += fmt::format("  {:>10.0f}  {} {}{}\n", row.target_rate, bar,
                       latency_cell(row.curve_value), knee ? "  <- knee" : "");
  }
  return out;
}

}  // namespace

std::string capacity_to_text(const CapacitySummary& summary) {
  std::string out;
  const SloClause clause = curve_clause(summary.slo);
  for (const CapacityStudy& study : summary.studies) {
    out += fmt::format("\ncapacity of {} under {}:\n", study.setting, summary.slo_text);
    out += table(study);
    out += '\n';
    out += chart(study, clause);
    out += fmt::format("\n  {}\n", capacity_sentence(study));
    if (study.knee_per_s) {
      out += fmt::format("  knee of the curve (Kneedle): {:.0f}/s\n", *study.knee_per_s);
    }
    out += fmt::format("  {} probes in {:.0f} s of a {:.0f} s budget\n", study.probes.size(),
                       study.elapsed_s, study.budget_s);
  }
  return out;
}

}  // namespace th
