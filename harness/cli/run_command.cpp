#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/run_support.hpp"
#include "load/run_executor.hpp"
#include "report/atomic_file.hpp"
#include "report/labels.hpp"
#include "report/reporter.hpp"
#include "scenario/config_error.hpp"
#include "scenario/loader.hpp"

namespace th {

void add_run_command(CLI::App& app, RunArguments& arguments) {
  CLI::App* run = app.add_subcommand("run", "Run a scenario and write a JSON report");
  run->add_option("scenario", arguments.scenario_path, "Scenario file (JSON, comments allowed)")
      ->required();
  run->add_option("--set", arguments.overrides,
                  "Override a key: key=value, dotted for nested keys (client.tcp_nodelay=true), "
                  "sweep.KEY=[...] for a sweep list; repeatable");
  run->add_option("--out,-o", arguments.out_path,
                  "Report path (default: results/<name>-<UTC time>.json)");
  run->add_flag("--quiet,-q", arguments.quiet, "Print only the summary table and report path");
  run->add_option("--repetitions,-r", arguments.repetitions,
                  "Run every run N times, interleaved (A B A B, not A A B B) so drift spreads "
                  "over all of them; the report keeps each and adds mean, median, stddev and cv")
      ->check(CLI::Range(1, 1000));
  run->add_option("--label", arguments.labels,
                  "key=value stored in the report and in Google Benchmark's context (build id, "
                  "commit of the system under test); repeatable");
  run->add_option("--format", arguments.format,
                  "Format of --out: native (tcpharness report) or gbench (Google Benchmark JSON)")
      ->check(CLI::IsMember({"native", "gbench"}));
  run->add_option("--gbench-out", arguments.gbench_out,
                  "Also write the report as Google Benchmark JSON to this path");
  run->add_flag("--gbench-aggregates-only", arguments.gbench_aggregates_only,
                "In Google Benchmark JSON, only the aggregates of repeated runs (as "
                "--benchmark_report_aggregates_only)");
}

namespace {

// Repetition r of every run before repetition r + 1 of any: a slow drift of the machine (heat,
// a neighbour's load) then spreads over all runs instead of landing on the last ones. The
// report groups the repetitions of a run together, in sweep order.
std::vector<RunResult> execute_interleaved(const std::vector<RunSpec>& specs, unsigned repetitions,
                                           bool quiet) {
  std::vector<std::vector<RunResult>> by_spec(specs.size());
  const size_t total = specs.size() * repetitions;
  size_t started = 0;
  for (unsigned repetition = 0; repetition < repetitions && !stop_was_requested(); ++repetition) {
    for (size_t index = 0; index < specs.size() && !stop_was_requested(); ++index) {
      const RunSpec& spec = specs[index];
      if (!quiet) {
        const std::string of_repetitions =
            repetitions > 1 ? fmt::format(" (repetition {}/{})", repetition + 1, repetitions) : "";
        fmt::print(stderr, "[{}/{}] {}{}: {} {} x{} for {} s...\n", ++started, total, spec.name,
                   of_repetitions, to_string(spec.scenario.protocol),
                   to_string(spec.scenario.connection), spec.scenario.connections,
                   spec.scenario.duration_s);
      }
      by_spec[index].push_back(execute_run(spec, RunOptions{.progress = !quiet}));
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
  ScenarioDocument document = load_scenario_file(arguments.scenario_path);
  for (const std::string& assignment : arguments.overrides) apply_override(document, assignment);
  const std::vector<RunSpec> specs = expand_runs(document);
  for (const RunSpec& spec : specs) preflight_run(spec);

  ReportInput input = report_input_for(document, arguments.scenario_path, arguments.labels);
  input.repetitions = arguments.repetitions;
  const bool gbench = arguments.format == "gbench";
  const std::string out_path =
      arguments.out_path.empty()
          ? default_out_path(specs.front().scenario.name, gbench ? ".gbench.json" : ".json")
          : arguments.out_path;
  check_file_writable(out_path);
  if (!arguments.gbench_out.empty()) check_file_writable(arguments.gbench_out);
  input.host = collect_host_info();
  input.cpu = collect_cpu_facts();
  input.started_at = utc_now("%Y-%m-%dT%H:%M:%SZ");

  install_interrupt_handlers();
  input.runs = execute_interleaved(specs, arguments.repetitions, arguments.quiet);
  input.interrupted = stop_was_requested();

  const GbenchReporter gbench_reporter(arguments.gbench_aggregates_only);
  write_file_atomically(out_path,
                        gbench ? gbench_reporter.render(input) : JsonReporter().render(input));
  if (!arguments.gbench_out.empty()) {
    write_file_atomically(arguments.gbench_out, gbench_reporter.render(input));
  }
  fmt::print("{}", ConsoleReporter(isatty(STDOUT_FILENO) == 1).render(input));
  fmt::print("report: {}\n", out_path);
  if (!arguments.gbench_out.empty()) fmt::print("gbench: {}\n", arguments.gbench_out);
  std::fflush(stdout);

  if (input.interrupted) return kExitInterrupted;
  for (const RunResult& run : input.runs) {
    if (run.recorder.error_total() > 0) return kExitRunHadErrors;
  }
  return kExitOk;
}

void add_validate_command(CLI::App& app, RunArguments& arguments) {
  CLI::App* validate =
      app.add_subcommand("validate", "Check a scenario file and list the runs it expands to");
  validate->add_option("scenario", arguments.scenario_path, "Scenario file")->required();
  validate->add_option("--set", arguments.overrides, "Override a key, as for run");
}

int validate_command(const RunArguments& arguments) {
  ScenarioDocument document = load_scenario_file(arguments.scenario_path);
  for (const std::string& assignment : arguments.overrides) apply_override(document, assignment);
  const std::vector<RunSpec> specs = expand_runs(document);
  for (const RunSpec& spec : specs) preflight_run(spec);
  fmt::print("{}: valid, {} run{}\n", arguments.scenario_path, specs.size(),
             specs.size() == 1 ? "" : "s");
  for (const RunSpec& spec : specs) fmt::print("  {}\n", spec.name);
  return kExitOk;
}

}  // namespace th
