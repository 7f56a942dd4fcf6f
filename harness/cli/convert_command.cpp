#include <fmt/format.h>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/gbench.hpp"
#include "report/report_reader.hpp"

namespace th {

void add_convert_command(CLI::App& app, ConvertArguments& arguments) {
  CLI::App* convert = app.add_subcommand(
      "convert", "Write a stored report as Google Benchmark JSON (for dashboards and compare.py)");
  convert->add_option("report", arguments.report_path, "tcpharness report")->required();
  convert->add_option("--format", arguments.format, "gbench (the only format so far)")
      ->check(CLI::IsMember({"gbench"}));
  convert->add_option("--out,-o", arguments.out_path, "Output path (default: standard output)");
  convert->add_flag("--gbench-aggregates-only", arguments.gbench_aggregates_only,
                    "Only the aggregates of repeated runs");
}

int convert_command(const ConvertArguments& arguments) {
  if (!arguments.out_path.empty()) check_file_writable(arguments.out_path);
  const LoadedReport report = read_report(arguments.report_path);
  GbenchOptions options;
  options.aggregates_only = arguments.gbench_aggregates_only;
  const std::string text = gbench_from_report(report.document, options).dump(2) + "\n";
  if (arguments.out_path.empty()) {
    fmt::print("{}", text);
  } else {
    write_file_atomically(arguments.out_path, text);
  }
  return kExitOk;
}

}  // namespace th
