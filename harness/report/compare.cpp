#include "report/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "base/config_error.hpp"
#include "report/statistics.hpp"

namespace th {
namespace {

// The Mann-Whitney test needs a few values on each side to say anything (Google Benchmark's
// compare.py uses the same floor).
constexpr size_t kMinimumRepetitionsForTest = 3;

// Capacity and knee exist only in a capacity report's summary runs (runs_to_compare), the rest
// only in ordinary runs: a metric neither side has is left out of the table.
constexpr const char* kShownMetrics[] = {
    "requests_per_s",     "p50_us",         "p99_us",    "p999_us",
    "cpu_us_per_request", "capacity_per_s", "knee_per_s"};

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

FailRule parse_rule(const std::string& text) {
  const std::string expected = "expected METRIC:[+|-]PERCENT%, e.g. p99:+10%";
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    throw ConfigError(fmt::format("--fail-on: '{}': {}", text, expected));
  }
  FailRule rule;
  rule.text = text;
  const std::string name = trim(text.substr(0, colon));
  rule.metric = find_metric(name);
  if (rule.metric == nullptr) {
    std::string known;
    for (const Metric& metric : all_metrics()) {
      known += (known.empty() ? "" : ", ") + std::string(metric.key);
    }
    throw ConfigError(
        fmt::format("--fail-on: '{}': unknown metric '{}'; known: {}", text, name, known));
  }
  std::string limit = trim(text.substr(colon + 1));
  if (limit.size() < 2 || limit.back() != '%') {
    throw ConfigError(fmt::format("--fail-on: '{}': {}", text, expected));
  }
  limit.pop_back();
  int sign = 0;
  if (limit.front() == '+' || limit.front() == '-') {
    sign = limit.front() == '+' ? 1 : -1;
    limit.erase(0, 1);
  }
  char* end = nullptr;
  const double percent = std::strtod(limit.c_str(), &end);
  if (limit.empty() || end != limit.c_str() + limit.size() || !std::isfinite(percent) ||
      percent < 0 || percent > 100000) {
    throw ConfigError(
        fmt::format("--fail-on: '{}': the limit must be a percentage from 0 to 100000", text));
  }
  // No sign: the direction that makes the metric worse.
  if (sign == 0) sign = rule.metric->higher_is_better ? -1 : 1;
  rule.limit = sign * percent / 100.0;
  return rule;
}

std::vector<double> values_of(const RunGroup& group, const Metric& metric) {
  std::vector<double> values;
  for (const nlohmann::json* run : group.repetitions) {
    if (auto value = metric_value(*run, metric)) values.push_back(*value);
  }
  return values;
}

MetricComparison compare_metric(const RunGroup& base, const RunGroup& latest, const Metric& metric,
                                const CompareOptions& options) {
  MetricComparison result;
  result.metric = &metric;
  result.base_values = values_of(base, metric);
  result.new_values = values_of(latest, metric);
  if (result.base_values.empty() || result.new_values.empty()) {
    if (!result.base_values.empty()) result.base = median_of(result.base_values);
    if (!result.new_values.empty()) result.latest = median_of(result.new_values);
    // A limit on a value the base has and the new report lacks (nothing answered, no capacity
    // found) fails: a gate must not pass because the measurement went missing.
    for (const FailRule& rule : options.rules) {
      if (rule.metric != &metric) continue;
      result.rule = rule;
      result.beyond_limit = result.regressed = result.base && !result.latest;
      break;
    }
    return result;
  }
  result.base = median_of(result.base_values);
  result.latest = median_of(result.new_values);
  if (*result.base != 0) {
    result.change = (*result.latest - *result.base) / std::abs(*result.base);
  } else {
    result.change = *result.latest == 0 ? 0.0 : std::copysign(INFINITY, *result.latest);
  }
  const size_t base_count = result.base_values.size();
  const size_t new_count = result.new_values.size();
  if (base_count >= kMinimumRepetitionsForTest && new_count >= kMinimumRepetitionsForTest) {
    result.p_value = mann_whitney_u(result.base_values, result.new_values).p_value;
    result.testable = smallest_two_sided_p(static_cast<int>(base_count),
                                           static_cast<int>(new_count)) < options.alpha;
  }
  for (const FailRule& rule : options.rules) {
    if (rule.metric != &metric) continue;
    result.rule = rule;
    result.beyond_limit =
        rule.limit >= 0 ? *result.change > rule.limit : *result.change < rule.limit;
    const bool significant = !result.testable || *result.p_value < options.alpha;
    result.regressed = result.beyond_limit && significant;
    break;
  }
  return result;
}

bool has_errors(const RunGroup& group) {
  for (const nlohmann::json* run : group.repetitions) {
    if (run->at("requests").at("error_total").get<double>() > 0) return true;
  }
  return false;
}

// Enough names to recognise a rename; a sweep of hundreds is listed in full above the result.
constexpr size_t kNamesInASentence = 8;

std::string names_of(const std::vector<std::string>& names) {
  if (names.empty()) return "no run";
  std::string listed;
  for (size_t index = 0; index < names.size() && index < kNamesInASentence; ++index) {
    listed += (index == 0 ? "" : ", ") + names[index];
  }
  if (names.size() > kNamesInASentence) {
    listed += fmt::format(" and {} more", names.size() - kNamesInASentence);
  }
  return listed;
}

}  // namespace

std::vector<FailRule> parse_fail_on(const std::string& text) {
  std::vector<FailRule> rules;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = trim(text.substr(start, comma - start));
    if (!part.empty()) rules.push_back(parse_rule(part));
    start = comma + 1;
  }
  if (rules.empty())
    throw ConfigError("--fail-on: empty; expected e.g. p99:+10%,requests_per_s:-5%");
  return rules;
}

size_t Comparison::regression_count() const {
  size_t count = 0;
  for (const RunComparison& run : runs) {
    for (const MetricComparison& metric : run.metrics) count += metric.regressed ? 1 : 0;
  }
  return count;
}

CompareOutcome Comparison::outcome() const {
  if (regression_count() > 0) return CompareOutcome::regressed;
  return incomplete_reason(*this).empty() ? CompareOutcome::passed : CompareOutcome::incomplete;
}

const char* to_string(CompareOutcome outcome) {
  switch (outcome) {
    case CompareOutcome::passed:
      return "passed";
    case CompareOutcome::regressed:
      return "regressed";
    case CompareOutcome::incomplete:
      return "incomplete";
  }
  return "incomplete";
}

std::string incomplete_reason(const Comparison& comparison) {
  if (comparison.runs.empty()) {
    return fmt::format("the reports share no run (base has {}; new has {}), so nothing was judged",
                       names_of(comparison.only_in_base), names_of(comparison.only_in_new));
  }
  if (comparison.only_in_base.empty() || comparison.options.allow_missing) return "";
  const size_t missing = comparison.only_in_base.size();
  return fmt::format(
      "{} run{} of the base {} missing from the new report: {} (--allow-missing "
      "accepts that)",
      missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are",
      names_of(comparison.only_in_base));
}

Comparison compare_reports(const LoadedReport& base, const LoadedReport& latest,
                           const CompareOptions& options) {
  Comparison comparison;
  comparison.base_path = base.path;
  comparison.new_path = latest.path;
  comparison.options = options;
  const nlohmann::json base_runs = runs_to_compare(base.document);
  const nlohmann::json new_runs = runs_to_compare(latest.document);
  const std::vector<RunGroup> base_groups = group_runs_by_name(base_runs);
  const std::vector<RunGroup> new_groups = group_runs_by_name(new_runs);
  std::map<std::string, const RunGroup*> new_by_name;
  for (const RunGroup& group : new_groups) new_by_name[group.name] = &group;
  std::map<std::string, bool> matched;

  for (const RunGroup& group : base_groups) {
    auto found = new_by_name.find(group.name);
    if (found == new_by_name.end()) {
      comparison.only_in_base.push_back(group.name);
      continue;
    }
    matched[group.name] = true;
    const RunGroup& other = *found->second;
    RunComparison run{group.name, group.repetitions.size(), other.repetitions.size(), {}};
    std::vector<const Metric*> metrics;
    for (const char* key : kShownMetrics) metrics.push_back(find_metric(key));
    for (const FailRule& rule : options.rules) {
      if (std::find(metrics.begin(), metrics.end(), rule.metric) == metrics.end()) {
        metrics.push_back(rule.metric);
      }
    }
    const Metric* errors = find_metric("errors");
    if ((has_errors(group) || has_errors(other)) &&
        std::find(metrics.begin(), metrics.end(), errors) == metrics.end()) {
      metrics.push_back(errors);
    }
    // A stream has no request latency; its throughput in bits is the number to compare.
    const Metric* p50 = find_metric("p50_us");
    const Metric* bits = find_metric("bits_sent_per_s");
    if (values_of(group, *p50).empty() && values_of(other, *p50).empty() &&
        std::find(metrics.begin(), metrics.end(), bits) == metrics.end()) {
      metrics.insert(metrics.begin() + 1, bits);
    }
    for (const Metric* metric : metrics) {
      MetricComparison compared = compare_metric(group, other, *metric, options);
      const bool on_neither_side = compared.base_values.empty() && compared.new_values.empty();
      if (!on_neither_side || compared.rule) run.metrics.push_back(std::move(compared));
    }
    comparison.runs.push_back(std::move(run));
  }
  for (const RunGroup& group : new_groups) {
    if (!matched.contains(group.name)) comparison.only_in_new.push_back(group.name);
  }

  // Say once, per pair of sample sizes, when the test cannot decide.
  std::map<std::pair<size_t, size_t>, bool> noted;
  for (const RunComparison& run : comparison.runs) {
    const auto sizes = std::make_pair(run.base_repetitions, run.new_repetitions);
    if (noted[sizes] || options.rules.empty()) continue;
    noted[sizes] = true;
    if (sizes.first < kMinimumRepetitionsForTest || sizes.second < kMinimumRepetitionsForTest) {
      comparison.notes.push_back(fmt::format(
          "{} against {} repetitions: no significance test (needs >= 3 on each side); limits "
          "are judged on the change of the median alone",
          sizes.first, sizes.second));
    } else if (smallest_two_sided_p(static_cast<int>(sizes.first),
                                    static_cast<int>(sizes.second)) >= options.alpha) {
      comparison.notes.push_back(fmt::format(
          "{} against {} repetitions: the smallest possible p-value is {:.3f}, so p < {} cannot "
          "be reached; limits are judged on the change alone (use >= 5 repetitions)",
          sizes.first, sizes.second,
          smallest_two_sided_p(static_cast<int>(sizes.first), static_cast<int>(sizes.second)),
          options.alpha));
    }
  }
  return comparison;
}

}  // namespace th
