#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "load/run_executor.hpp"
#include "report/atomic_file.hpp"
#include "report/reporter.hpp"
#include "scenario/config_error.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

// The first Ctrl-C ends the run gracefully and still writes the report; a second one means
// "now", for a user who does not want to wait for the grace period.
void on_interrupt(int) {
  if (stop_was_requested()) _exit(kExitInterrupted);
  request_stop();
}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer's reset must be an error code, never a dead process
}

std::string default_out_path(const std::string& scenario_name) {
  mkdir("results", 0755);  // the default place; an explicit --out must name an existing folder
  std::string safe_name = scenario_name;
  for (char& c : safe_name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return fmt::format("results/{}-{}.json", safe_name, utc_now("%Y%m%dT%H%M%SZ"));
}

}  // namespace

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
}

int run_command(const RunArguments& arguments) {
  ScenarioDocument document = load_scenario_file(arguments.scenario_path);
  for (const std::string& assignment : arguments.overrides) apply_override(document, assignment);
  const std::vector<RunSpec> specs = expand_runs(document);

  ReportInput input;
  nlohmann::json resolved;
  to_json(resolved, scenario_from_json(document.base, document.source));
  resolved["sweep"] = document.sweep;
  input.scenario = resolved;
  input.scenario_source = arguments.scenario_path;
  const std::string out_path =
      arguments.out_path.empty() ? default_out_path(specs.front().scenario.name)
                                 : arguments.out_path;
  check_file_writable(out_path);
  input.host = collect_host_info();
  input.started_at = utc_now("%Y-%m-%dT%H:%M:%SZ");

  install_interrupt_handlers();
  for (size_t index = 0; index < specs.size() && !stop_was_requested(); ++index) {
    const RunSpec& spec = specs[index];
    if (!arguments.quiet) {
      fmt::print(stderr, "[{}/{}] {}: {} {} x{} for {} s...\n", index + 1, specs.size(), spec.name,
                 to_string(spec.scenario.protocol), to_string(spec.scenario.connection),
                 spec.scenario.connections, spec.scenario.duration_s);
    }
    input.runs.push_back(execute_run(spec));
  }
  input.interrupted = stop_was_requested();

  write_file_atomically(out_path, JsonReporter().render(input));
  fmt::print("{}", ConsoleReporter().render(input));
  fmt::print("report: {}\n", out_path);
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
  fmt::print("{}: valid, {} run{}\n", arguments.scenario_path, specs.size(),
             specs.size() == 1 ? "" : "s");
  for (const RunSpec& spec : specs) fmt::print("  {}\n", spec.name);
  return kExitOk;
}

}  // namespace th
