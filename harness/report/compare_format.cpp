#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "report/compare.hpp"

namespace th {
namespace {

// Run names come from the files compared; a terminal escape sequence in one must not reach the
// terminal (or a pull-request comment) as such.
std::string printable(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string number(const std::optional<double>& value) {
  if (!value) return "-";
  const double magnitude = std::abs(*value);
  if (magnitude >= 1e7) return fmt::format("{:.4g}", *value);
  return magnitude >= 10 ? fmt::format("{:.1f}", *value) : fmt::format("{:.3f}", *value);
}

std::string percent(const std::optional<double>& change) {
  if (!change) return "-";
  if (std::isinf(*change)) return *change > 0 ? "+inf" : "-inf";
  return fmt::format("{:+.1f}%", *change * 100);
}

std::string p_value(const MetricComparison& metric) {
  return metric.p_value ? fmt::format("{:.3f}", *metric.p_value) : "-";
}

std::string label_of(const Metric& metric) {
  return metric.unit == "count" ? std::string(metric.label)
                                : fmt::format("{} ({})", metric.label, metric.unit);
}

std::string verdict(const MetricComparison& metric) {
  if (!metric.rule) return "";
  const std::string limit = fmt::format("limit {:+g}%", metric.rule->limit * 100);
  if (metric.regressed) return "REGRESSED, " + limit;
  if (metric.beyond_limit) return "beyond limit, not significant";
  return "ok, " + limit;
}

std::string judged_line(const Comparison& comparison) {
  const size_t regressions = comparison.regression_count();
  if (comparison.options.rules.empty()) return "no --fail-on limits given; nothing judged";
  if (regressions == 0) return "no regression beyond the --fail-on limits";
  std::string named;
  for (const RunComparison& run : comparison.runs) {
    for (const MetricComparison& metric : run.metrics) {
      if (!metric.regressed) continue;
      named += fmt::format("{}{} of {}: {}{}", named.empty() ? "" : "; ", metric.metric->key,
                           printable(run.name), percent(metric.change),
                           metric.p_value ? fmt::format(", p = {:.3f}", *metric.p_value) : "");
    }
  }
  return fmt::format("{} regression{}: {}", regressions, regressions == 1 ? "" : "s", named);
}

// The one verdict the text, markdown and JSON outputs all end with.
std::string summary_line(const Comparison& comparison) {
  const std::string incomplete = incomplete_reason(comparison);
  if (comparison.runs.empty()) return "incomplete: " + printable(incomplete);
  if (!incomplete.empty()) {
    return fmt::format("incomplete: {}; among the runs compared: {}", printable(incomplete),
                       judged_line(comparison));
  }
  const size_t accepted = comparison.only_in_base.size();
  if (accepted == 0) return judged_line(comparison);
  return fmt::format(
      "{}; {} run{} of the base missing from the new report, accepted by "
      "--allow-missing",
      judged_line(comparison), accepted, accepted == 1 ? "" : "s");
}

// Markdown table cells: a pipe would end the cell and a backtick the code span.
std::string code_cell(const std::string& text) {
  std::string escaped;
  for (char c : printable(text)) {
    if (c == '|') {
      escaped += "\\|";
    } else if (c == '`') {
      escaped += '\'';
    } else {
      escaped += c;
    }
  }
  return "`" + escaped + "`";
}

nlohmann::json optional_json(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return nullptr;
  return *value;
}

}  // namespace

std::string comparison_to_text(const Comparison& comparison) {
  std::string out;
  auto line = std::back_inserter(out);
  fmt::format_to(line, "base: {}\nnew:  {}\n", comparison.base_path, comparison.new_path);
  fmt::format_to(line, "values are medians over repetitions; p: two-sided Mann-Whitney U\n");
  for (const RunComparison& run : comparison.runs) {
    fmt::format_to(line, "\n{} ({} vs {} repetition{})\n", printable(run.name),
                   run.base_repetitions, run.new_repetitions, run.new_repetitions == 1 ? "" : "s");
    fmt::format_to(line, "  {:<24} {:>12} {:>12} {:>9} {:>7}\n", "metric", "base", "new", "change",
                   "p");
    for (const MetricComparison& metric : run.metrics) {
      fmt::format_to(line, "  {:<24} {:>12} {:>12} {:>9} {:>7}  {}\n", label_of(*metric.metric),
                     number(metric.base), number(metric.latest), percent(metric.change),
                     p_value(metric), verdict(metric));
    }
  }
  if (!comparison.only_in_base.empty() || !comparison.only_in_new.empty()) out += "\n";
  for (const std::string& name : comparison.only_in_base) {
    fmt::format_to(line, "only in base: {}\n", printable(name));
  }
  for (const std::string& name : comparison.only_in_new) {
    fmt::format_to(line, "only in new: {}\n", printable(name));
  }
  for (const std::string& note : comparison.notes) fmt::format_to(line, "note: {}\n", note);
  fmt::format_to(line, "\nresult: {}\n", summary_line(comparison));
  return out;
}

std::string comparison_to_markdown(const Comparison& comparison) {
  std::string out;
  auto line = std::back_inserter(out);
  fmt::format_to(line, "### tcpharness compare\n\n");
  fmt::format_to(line,
                 "Base {} against new {}. Values are medians over repetitions; *p* is a two-sided "
                 "Mann–Whitney U test.\n\n",
                 code_cell(comparison.base_path), code_cell(comparison.new_path));
  fmt::format_to(line, "| run | metric | base | new | change | p | verdict |\n");
  fmt::format_to(line, "| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
  for (const RunComparison& run : comparison.runs) {
    for (const MetricComparison& metric : run.metrics) {
      const std::string judged = verdict(metric);
      fmt::format_to(
          line, "| {} | {} | {} | {} | {} | {} | {} |\n",
          code_cell(fmt::format("{} ({}v{})", run.name, run.base_repetitions, run.new_repetitions)),
          label_of(*metric.metric), number(metric.base), number(metric.latest),
          percent(metric.change), p_value(metric),
          metric.regressed ? ":x: **" + judged + "**" : judged);
    }
  }
  if (!comparison.only_in_base.empty() || !comparison.only_in_new.empty() ||
      !comparison.notes.empty()) {
    out += "\n";
  }
  for (const std::string& name : comparison.only_in_base) {
    fmt::format_to(line, "- only in base: {}\n", code_cell(name));
  }
  for (const std::string& name : comparison.only_in_new) {
    fmt::format_to(line, "- only in new: {}\n", code_cell(name));
  }
  for (const std::string& note : comparison.notes) fmt::format_to(line, "- note: {}\n", note);
  fmt::format_to(line, "\n**Result:** {}\n", summary_line(comparison));
  return out;
}

nlohmann::json comparison_to_json(const Comparison& comparison) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunComparison& run : comparison.runs) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const MetricComparison& metric : run.metrics) {
      nlohmann::json entry = {{"metric", metric.metric->key},
                              {"unit", metric.metric->unit},
                              {"higher_is_better", metric.metric->higher_is_better},
                              {"base", optional_json(metric.base)},
                              {"new", optional_json(metric.latest)},
                              {"base_values", metric.base_values},
                              {"new_values", metric.new_values},
                              {"change", optional_json(metric.change)},
                              {"p_value", optional_json(metric.p_value)},
                              {"testable", metric.testable},
                              {"limit", nullptr},
                              {"beyond_limit", metric.beyond_limit},
                              {"regressed", metric.regressed}};
      if (metric.rule) entry["limit"] = metric.rule->limit;
      metrics.push_back(std::move(entry));
    }
    runs.push_back({{"name", run.name},
                    {"base_repetitions", run.base_repetitions},
                    {"new_repetitions", run.new_repetitions},
                    {"metrics", metrics}});
  }
  nlohmann::json rules = nlohmann::json::array();
  for (const FailRule& rule : comparison.options.rules) {
    rules.push_back({{"metric", rule.metric->key}, {"limit", rule.limit}, {"text", rule.text}});
  }
  return {{"base", comparison.base_path},
          {"new", comparison.new_path},
          {"alpha", comparison.options.alpha},
          {"fail_on", rules},
          {"runs", runs},
          {"only_in_base", comparison.only_in_base},
          {"only_in_new", comparison.only_in_new},
          {"notes", comparison.notes},
          {"allow_missing", comparison.options.allow_missing},
          {"regressions", comparison.regression_count()},
          {"outcome", to_string(comparison.outcome())},
          {"summary", summary_line(comparison)}};
}

}  // namespace th
