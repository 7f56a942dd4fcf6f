#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "base/config_error.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "cli/run_support.hpp"
#include "cli/target_check.hpp"
#include "report/atomic_file.hpp"
#include "report/labels.hpp"
#include "report/output_file.hpp"
#include "report/reporter.hpp"
#include "run/preflight.hpp"
#include "run/run_executor.hpp"
#include "scenario/command_line_scenario.hpp"

namespace th {

namespace {

// Repetition r of every run before repetition r + 1 of any: a slow drift of the machine (heat,
// a neighbour's load) then spreads over all runs instead of landing on the last ones. The
// report groups the repetitions of a run together, in sweep order.
// A target that accepted no connection stops the command too: the runs after it would most
// likely aim at the same dead address, each for another half second.
std::vector<RunResult> execute_interleaved(const std::vector<RunSpec>& specs, unsigned repetitions,
                                           bool quiet) {
  std::vector<std::vector<RunResult>> by_spec(specs.size());
  const size_t total = specs.size() * repetitions;
  size_t started = 0;
  bool unreachable = false;
  const auto go_on = [&] { return !stop_was_requested() && !unreachable; };
  for (unsigned repetition = 0; repetition < repetitions && go_on(); ++repetition) {
    for (size_t index = 0; index < specs.size() && go_on(); ++index) {
      const RunSpec& spec = specs[index];
      if (!quiet) {
        const std::string of_repetitions =
            repetitions > 1 ? fmt::format(" (repetition {}/{})", repetition + 1, repetitions) : "";
        fmt::print(stderr, "[{}/{}] {}{}: {} {} x{} for {} s...\n", ++started, total, spec.name,
                   of_repetitions, to_string(spec.scenario.protocol),
                   to_string(spec.scenario.connection), spec.scenario.connections,
                   spec.scenario.duration_s);
      }
      ProgressLine progress(!quiet && spec.scenario.duration_s + spec.scenario.warmup_s > 2.0);
      const RunResult& result =
          by_spec[index].emplace_back(execute_run(spec, progress.run_options()));
      if (result.unreachable) {
        fmt::print(stderr, "tcpharness: {}\n", cannot_connect_message(*result.unreachable));
        unreachable = true;
      }
    }
  }
  std::vector<RunResult> runs;
  for (std::vector<RunResult>& results : by_spec) {
    for (RunResult& result : results) runs.push_back(std::move(result));
  }
  return runs;
}

}  // namespace

int run_command(const RunArguments& arguments) {
  const ScenarioDocument document =
      command_line_scenario(arguments.scenario_path, arguments.shorthands, arguments.overrides);
  const std::vector<RunSpec> specs = expand_runs(document);
  for (const RunSpec& spec : specs) preflight_run(spec);

  ReportInput input = report_input_for(document, arguments.scenario_path, arguments.labels);
  input.repetitions = arguments.repetitions;
  const bool gbench = arguments.format == "gbench";
  const std::string out_path =
      arguments.out_path.empty()
          ? default_out_path(specs.front().scenario.name, gbench ? ".gbench.json" : ".json")
          : arguments.out_path;
  refuse_output_over_input("--out", out_path, {arguments.scenario_path});
  check_file_writable(out_path);
  if (!arguments.gbench_out.empty()) {
    refuse_output_over_input("--gbench-out", arguments.gbench_out, {arguments.scenario_path});
    if (same_file(arguments.gbench_out, out_path)) {
      throw ConfigError(
          fmt::format("--gbench-out {}: is the file --out names; the second report "
                      "would replace the first",
                      arguments.gbench_out));
    }
    check_file_writable(arguments.gbench_out);
  }
  input.host = collect_host_info();
  input.cpu = collect_cpu_facts();
  input.started_at = utc_now("%Y-%m-%dT%H:%M:%SZ");

  install_interrupt_handlers();
  input.runs = execute_interleaved(specs, arguments.repetitions, arguments.quiet);
  input.interrupted = stop_was_requested();

  const GbenchReporter gbench_reporter(arguments.gbench_aggregates_only, arguments.pretty);
  write_output_file(out_path, gbench ? gbench_reporter.render(input)
                                     : JsonReporter(arguments.pretty).render(input));
  if (!arguments.gbench_out.empty()) {
    write_output_file(arguments.gbench_out, gbench_reporter.render(input));
  }
  fmt::print("{}", ConsoleReporter(isatty(STDOUT_FILENO) == 1).render(input));
  fmt::print("report: {}\n", out_path);
  if (!arguments.gbench_out.empty()) fmt::print("gbench: {}\n", arguments.gbench_out);
  std::fflush(stdout);

  if (input.interrupted) return kExitInterrupted;
  for (const RunResult& run : input.runs) {
    if (run.unreachable) return kExitTargetUnreachable;
  }
  for (const RunResult& run : input.runs) {
    if (run.recorder.error_total() > 0) return kExitRunHadErrors;
  }
  return kExitOk;
}

int validate_command(const RunArguments& arguments) {
  const ScenarioDocument document =
      command_line_scenario(arguments.scenario_path, arguments.shorthands, arguments.overrides);
  const std::vector<RunSpec> specs = expand_runs(document);
  for (const RunSpec& spec : specs) preflight_run(spec);
  fmt::print("{}: valid, {} run{}\n", document.source, specs.size(), specs.size() == 1 ? "" : "s");
  for (const RunSpec& spec : specs) fmt::print("  {}\n", spec.name);
  if (arguments.check_connect && !targets_answer(specs)) return kExitTargetUnreachable;
  return kExitOk;
}

}  // namespace th
