#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/html_report.hpp"
#include "report/report_reader.hpp"

namespace th {

int report_command(const ReportArguments& arguments) {
  // Every report is read (and refused with its one-line error) before anything is written.
  std::vector<LoadedReport> reports;
  for (const std::string& path : arguments.report_paths) reports.push_back(read_report(path));
  refuse_output_over_input("--out", arguments.out_path, arguments.report_paths);
  check_file_writable(arguments.out_path);
  write_file_atomically(arguments.out_path, html_report(reports));
  fmt::print("report: {}\n", arguments.out_path);
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace th
