#include <fmt/format.h>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/dashboard.hpp"
#include "report/gbench.hpp"
#include "report/output_file.hpp"
#include "report/report_reader.hpp"

namespace th {

int convert_command(const ConvertArguments& arguments) {
  if (!arguments.out_path.empty()) {
    refuse_output_over_input("--out", arguments.out_path, {arguments.report_path});
    check_file_writable(arguments.out_path);
  }
  const LoadedReport report = read_report(arguments.report_path);
  std::string text;
  if (arguments.format == "gbench") {
    GbenchOptions options;
    options.aggregates_only = arguments.gbench_aggregates_only;
    text = json_output_text(gbench_from_report(report.document, options), arguments.pretty);
  } else {
    const bool bigger = arguments.format == "customBiggerIsBetter";
    text = json_output_text(dashboard_from_report(report.document, bigger), arguments.pretty);
  }
  if (arguments.out_path.empty()) {
    fmt::print("{}", text);
  } else {
    write_output_file(arguments.out_path, text);
  }
  return kExitOk;
}

}  // namespace th
