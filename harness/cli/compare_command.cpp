#include <fmt/format.h>

#include <cmath>

#include "cli/commands.hpp"
#include "report/compare.hpp"
#include "report/report_reader.hpp"
#include "scenario/config_error.hpp"

namespace th {

void add_compare_command(CLI::App& app, CompareArguments& arguments) {
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare two reports run by run: requests/s, p50, p99, p99.9 and CPU per request, with a "
      "Mann-Whitney U p-value when both sides have >= 3 repetitions (>= 5 to reach p < 0.05). "
      "Exit 1 when a --fail-on limit is exceeded significantly, else 0");
  compare->add_option("base", arguments.base_path, "Reference report (e.g. results/baselines/...)")
      ->required();
  compare->add_option("new", arguments.new_path, "Report to judge")->required();
  compare->add_option("--fail-on", arguments.fail_on,
                      "Limits, e.g. \"p99:+10%,requests_per_s:-5%\": exit 1 when a change goes "
                      "beyond one and is significant (p < alpha, or no repetitions to test with)");
  compare->add_option("--format", arguments.format, "text | markdown | json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  compare->add_option("--alpha", arguments.alpha, "Significance level (default 0.05)")
      ->check(CLI::Range(0.0001, 0.5));
}

int compare_command(const CompareArguments& arguments) {
  CompareOptions options;
  options.alpha = arguments.alpha;
  if (!arguments.fail_on.empty()) options.rules = parse_fail_on(arguments.fail_on);
  const LoadedReport base = read_report(arguments.base_path);
  const LoadedReport latest = read_report(arguments.new_path);
  const Comparison comparison = compare_reports(base, latest, options);
  if (arguments.format == "markdown") {
    fmt::print("{}", comparison_to_markdown(comparison));
  } else if (arguments.format == "json") {
    fmt::print("{}\n", comparison_to_json(comparison).dump(2));
  } else {
    fmt::print("{}", comparison_to_text(comparison));
  }
  return comparison.regression_count() > 0 ? kExitRegression : kExitOk;
}

}  // namespace th
