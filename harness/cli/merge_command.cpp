#include <fmt/format.h>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/merge.hpp"
#include "report/output_file.hpp"
#include "report/report_reader.hpp"

namespace th {

int merge_command(const MergeArguments& arguments) {
  refuse_output_over_input("--out", arguments.out_path, arguments.report_paths);
  check_file_writable(arguments.out_path);
  std::vector<LoadedReport> reports;
  for (const std::string& path : arguments.report_paths) reports.push_back(read_report(path));
  const nlohmann::json merged = merge_reports(reports);
  write_output_file(arguments.out_path, json_output_text(merged, arguments.pretty));
  fmt::print("merged {} reports, {} runs: {}\n", reports.size(), merged["runs"].size(),
             arguments.out_path);
  return kExitOk;
}

}  // namespace th
