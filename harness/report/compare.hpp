#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/metrics.hpp"
#include "report/report_reader.hpp"

namespace th {

// One --fail-on limit: "p99:+10%" fails when p99 rises by more than 10%, "requests_per_s:-5%"
// when requests/s falls by more than 5%. Without a sign, the metric's bad direction is meant.
struct FailRule {
  const Metric* metric = nullptr;
  double limit = 0;  // signed fraction: +0.10, -0.05
  std::string text;  // as the user wrote it, for messages
};

// Parses "p99:+10%,requests_per_s:-5%". Throws ConfigError naming the bad part.
std::vector<FailRule> parse_fail_on(const std::string& text);

struct CompareOptions {
  std::vector<FailRule> rules;
  double alpha = 0.05;  // significance level of the Mann-Whitney U test
  // Runs of the base absent from the new report are accepted (still listed) instead of failing
  // the gate. Reports sharing no run fail it regardless: a comparison of nothing gates nothing.
  bool allow_missing = false;
};

struct MetricComparison {
  const Metric* metric = nullptr;
  std::vector<double> base_values;  // one per repetition that has the metric
  std::vector<double> new_values;
  std::optional<double> base;     // median over repetitions
  std::optional<double> latest;   // median over repetitions
  std::optional<double> change;   // (new - base) / base; +inf when base is 0 and new is not
  std::optional<double> p_value;  // with >= 3 repetitions on each side
  // The test can reach p < alpha with these sample sizes; when it cannot (no repetitions, or
  // 3 against 3), a limit is judged on the change alone.
  bool testable = false;
  std::optional<FailRule> rule;  // the --fail-on limit on this metric, if any
  bool beyond_limit = false;
  bool regressed = false;  // beyond the limit and significant (or not testable)
};

struct RunComparison {
  std::string name;
  size_t base_repetitions = 0;
  size_t new_repetitions = 0;
  std::vector<MetricComparison> metrics;
};

// The gate's verdict. `incomplete`: the reports share no run, or a run of the base is missing from
// the new report without --allow-missing; a renamed scenario or sweep value must not pass as
// "no regression".
enum class CompareOutcome { passed, regressed, incomplete };

struct Comparison {
  std::string base_path;
  std::string new_path;
  CompareOptions options;
  std::vector<RunComparison> runs;  // runs present on both sides, in the base's order
  std::vector<std::string> only_in_base;
  std::vector<std::string> only_in_new;
  std::vector<std::string> notes;  // caveats a reader of the verdict needs

  size_t regression_count() const;
  // A regression wins over missing runs: it is a finding about the runs that were compared.
  CompareOutcome outcome() const;
};

const char* to_string(CompareOutcome outcome);  // "passed", "regressed", "incomplete"

// Why the gate could not judge every run of the base, in one sentence naming the runs (and,
// when none is shared, what each side has); empty when it could.
std::string incomplete_reason(const Comparison& comparison);

// Matches runs by name and compares requests/s, p50, p99, p99.9 and CPU per request (and any
// metric a --fail-on limit names, and errors when either side has some).
Comparison compare_reports(const LoadedReport& base, const LoadedReport& latest,
                           const CompareOptions& options);

std::string comparison_to_text(const Comparison& comparison);
std::string comparison_to_markdown(const Comparison& comparison);  // for pull-request comments
nlohmann::json comparison_to_json(const Comparison& comparison);

}  // namespace th
