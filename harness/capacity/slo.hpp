#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace th {

// One clause of a service-level objective: "p99<=10ms", "connect.p99<5ms", "errors<=0.1%".
struct SloClause {
  enum class Kind { latency, errors };
  Kind kind = Kind::latency;
  std::string phase = "total";  // a key of a run's latency_us: total, connect, first_byte, ...
  std::string statistic;        // p50 p90 p99 p999 max mean; empty for errors
  bool inclusive = true;        // <= rather than <
  double limit = 0;             // latency: microseconds; errors: percent of requests
  std::string text;             // as the user wrote it, trimmed

  bool admits(double value) const { return inclusive ? value <= limit : value < limit; }
};

// "p99<=10ms,errors<=0.1%". Throws ConfigError naming the position and what is allowed there.
std::vector<SloClause> parse_slo(std::string_view text);

// The phases a clause may name, as a sentence fragment for messages and --help.
std::string slo_phases();

// The clause's value in a run as the native report writes it: microseconds for latency, percent
// of answered plus failed requests for errors. Nothing when the run holds no sample of the phase
// (no answered request, or keep-alive connections opened before the window for connect).
std::optional<double> slo_value(const SloClause& clause, const nlohmann::json& run);

// The latency clause a curve is drawn with: the first latency clause, else total p99.
SloClause curve_clause(const std::vector<SloClause>& slo);

}  // namespace th
