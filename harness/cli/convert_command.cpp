#include <fmt/format.h>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/gbench.hpp"
#include "report/report_reader.hpp"

namespace th {

int convert_command(const ConvertArguments& arguments) {
  if (!arguments.out_path.empty()) {
    refuse_output_over_input("--out", arguments.out_path, {arguments.report_path});
    check_file_writable(arguments.out_path);
  }
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
