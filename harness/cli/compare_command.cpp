#include <fmt/format.h>

#include <cmath>

#include "base/config_error.hpp"
#include "cli/commands.hpp"
#include "report/compare.hpp"
#include "report/report_reader.hpp"

namespace th {

int compare_command(const CompareArguments& arguments) {
  CompareOptions options;
  options.alpha = arguments.alpha;
  options.allow_missing = arguments.allow_missing;
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
  switch (comparison.outcome()) {
    case CompareOutcome::regressed:
      return kExitRegression;
    case CompareOutcome::incomplete:
      // Also on stderr: with --format json or markdown, stdout usually goes to a file.
      fmt::print(stderr, "tcpharness: compare: {}\n", incomplete_reason(comparison));
      return kExitCompareIncomplete;
    case CompareOutcome::passed:
      break;
  }
  return kExitOk;
}

}  // namespace th
