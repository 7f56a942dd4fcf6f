#include "cli/command_line.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/closest_match.hpp"
#include "cli/commands.hpp"
#include "report/tool_info.hpp"

// The whole command line in one translation unit: CLI11 is a large header-only library, and
// every subcommand's options, checks and help text are read here and nowhere else.
namespace th {
namespace {

const CLI::Validator kGiven(
    [](const std::string& value) { return value.empty() ? "must not be empty" : std::string(); },
    "");

// Flags a wrk user types, each a scenario key: applied after the file or URL, before any --set.
void add_scenario_shorthands(CLI::App* command, ScenarioShorthands& shorthands) {
  command->add_option("-c,--connections", shorthands.connections, "connections, as wrk -c")
      ->check(kGiven);
  command->add_option("-t,--threads", shorthands.threads, "threads (load loops), as wrk -t")
      ->check(kGiven);
  command
      ->add_option("-d,--duration", shorthands.duration,
                   "duration_s, measured time: 10s, 1m, 500ms, 1h or seconds")
      ->check(kGiven);
  command
      ->add_option("-R,--rate", shorthands.rate,
                   "rate: open loop at this many requests/s (as wrk2 -R), latency from each "
                   "request's intended start")
      ->check(kGiven);
  command->add_flag("--per-request", shorthands.per_request,
                    "connection: per_request, a new connection for every request");
}

void add_run_command(CLI::App& app, RunArguments& arguments) {
  CLI::App* run = app.add_subcommand("run", "Run a scenario and write a JSON report");
  run->add_option("scenario", arguments.scenario_path,
                  "Scenario file (JSON, comments allowed); a tcpharness report, whose stored "
                  "scenario runs again (--set still applying); or http://host[:port][/path] to "
                  "load with quickstart's defaults (16 keep-alive connections, 3 s after 0.5 s "
                  "warm-up)")
      ->required();
  add_scenario_shorthands(run, arguments.shorthands);
  run->add_option("--set", arguments.overrides,
                  "Override a key: key=value, dotted for nested keys (client.tcp_nodelay=true), "
                  "sweep.KEY=[...] for a sweep list; repeatable, applied in order after the file "
                  "and the flags above, so the last word is --set's");
  run->add_option("--out,-o", arguments.out_path,
                  "Report path (default: results/<name>-<UTC time>.json); its folder must exist, "
                  "and it must not be the scenario file; a path ending in .gz is gzip-compressed");
  run->add_flag("--pretty", arguments.pretty,
                "Indent the JSON written (--out, --gbench-out) for reading by eye; compact by "
                "default");
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

void add_validate_command(CLI::App& app, RunArguments& arguments) {
  CLI::App* validate =
      app.add_subcommand("validate", "Check a scenario file and list the runs it expands to");
  validate
      ->add_option("scenario", arguments.scenario_path,
                   "Scenario file, a report, or an http:// URL, as for run")
      ->required();
  add_scenario_shorthands(validate, arguments.shorthands);
  validate->add_option("--set", arguments.overrides, "Override a key, as for run");
  validate->add_flag("--connect", arguments.check_connect,
                     "Also connect once to each run's target (within the run's timeout_ms) and "
                     "say whether it answers; exit 2 when one does not");
}

void add_serve_command(CLI::App& app, ServeArguments& arguments) {
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the embedded echo/http/stream server until SIGINT or SIGTERM");
  serve->add_option("--protocol", arguments.protocol, "echo | http | stream")
      ->check(CLI::IsMember({"echo", "http", "stream"}));
  serve->add_option("--listen", arguments.listen,
                    "Address to listen on, optionally with a port: 127.0.0.1 (default), "
                    "0.0.0.0:8080, [::]:8080. Anything but loopback is reachable from the "
                    "network; the server serves no files, only generated bytes");
  serve->add_option("--port", arguments.port, "Port (default 0: the kernel picks one)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--threads", arguments.threads, "Server loops (SO_REUSEPORT)")
      ->check(CLI::Range(1, 256));
  serve->add_flag("--tls", arguments.tls,
                  "Speak TLS (OpenSSL), with a certificate for localhost made at start; "
                  "--set tls.KEY=VALUE sets the rest as a scenario's tls does (tls.key_type, "
                  "tls.cert_file and tls.key_file, tls.version, tls.resumption, ...)");
  serve->add_flag("--reuseport", arguments.reuseport,
                  "Share a fixed --port with listeners already on it (SO_REUSEPORT: the kernel "
                  "splits the connections); without it such a port is refused");
  serve->add_option("--response-size", arguments.response_size, "HTTP response body bytes")
      ->check(CLI::Range(0, 1 << 30));
  serve
      ->add_option("--write-pattern", arguments.write_pattern,
                   "single | split (HTTP header and body in two writes)")
      ->check(CLI::IsMember({"single", "split"}));
  serve->add_option("--tcp-nodelay", arguments.tcp_nodelay, "Set TCP_NODELAY on accepted sockets")
      ->each([&arguments](const std::string&) { arguments.tcp_nodelay_set = true; });
  serve->add_option("--so-sndbuf", arguments.so_sndbuf, "SO_SNDBUF bytes")
      ->check(CLI::Range(1, 2147483647));
  serve->add_option("--so-rcvbuf", arguments.so_rcvbuf, "SO_RCVBUF bytes")
      ->check(CLI::Range(1, 2147483647));
  serve->add_option("--set", arguments.socket_options,
                    "Any server-side socket option, as a scenario's server.KEY: --set "
                    "server.tcp_congestion=bbr, --set server.so_linger.on=true (repeatable; keys "
                    "and values as in docs/scenarios.md, checked the same way; wins over "
                    "--tcp-nodelay, --so-sndbuf and --so-rcvbuf)");
  serve->add_option("--cpus", arguments.cpus, "CPUs to pin the loops to (round-robin)");
  serve
      ->add_option("--busy-poll-us", arguments.busy_poll_us,
                   "Latency mode (a scenario's poll: busy): each loop spins this long after its "
                   "last event before it sleeps, using its core whole (0: sleep)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  ServerLimits& limits = arguments.limits;
  serve
      ->add_option("--max-header-bytes", limits.max_header_bytes,
                   "Request line + headers beyond this get 431")
      ->check(CLI::Range(64, 65536))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", limits.header_timeout_ms,
                   "A request head not complete this long after its first byte gets 408 (0: off)")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout-ms", limits.idle_timeout_ms,
                   "Close a connection with nothing read or written for this long (0: off)")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", limits.max_body_bytes,
                   "Request bodies beyond this get 413 (bodies are read and discarded)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 40))
      ->capture_default_str();
  serve
      ->add_option("--max-bytes-path", limits.max_bytes_path,
                   "Largest N of GET /bytes/N; beyond it gets 400")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 40))
      ->capture_default_str();
}

void add_compare_command(CLI::App& app, CompareArguments& arguments) {
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare two reports run by run: requests/s, p50, p99, p99.9 and CPU per request (of two "
      "capacity reports: each setting's capacity and knee), with a Mann-Whitney U p-value when "
      "both sides have >= 3 repetitions (>= 5 to reach p < 0.05). "
      "Exit 1 when a --fail-on limit is exceeded significantly; exit 2 when the comparison is "
      "incomplete: the reports share no run, or a run of the base is missing from the new report "
      "(a renamed scenario or sweep value must not pass the gate; 2, as for an unreadable "
      "report, because the inputs need fixing, not the code; a regression among the runs "
      "compared still exits 1); else 0");
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
  compare->add_flag("--allow-missing", arguments.allow_missing,
                    "Accept runs of the base that the new report lacks (they are still listed); "
                    "reports sharing no run still exit 2, since nothing was compared");
}

void add_tune_command(CLI::App& app, TuneArguments& arguments) {
  CLI::App* tune = app.add_subcommand(
      "tune",
      "Run a scenario's sweep in interleaved rounds until the best setting for an objective is "
      "settled (or the budget ends) and recommend its values, with the sysctls they need");
  tune->add_option("scenario", arguments.scenario_path,
                   "Scenario file with a sweep, or a report of one")
      ->required();
  tune->add_option("--objective", arguments.objective,
                   "p99 (lower is better), requests_per_s (higher), cpu_per_request (client + "
                   "server CPU per request, lower), capacity (the highest rate meeting --slo, "
                   "found by capacity's search for each setting; higher)")
      ->required();
  tune->add_option("--slo", arguments.slo,
                   "With --objective capacity: the SLO, as capacity's --slo ('p99<=10ms')");
  tune->add_option("--set", arguments.overrides, "Override a key, as for run");
  tune->add_option("--budget-s", arguments.budget_s,
                   "Wall time for all rounds; a round that would not fit is not started "
                   "(default 600)")
      ->check(CLI::Range(1.0, 7 * 86400.0));
  tune->add_option("--max-rounds", arguments.max_rounds, "At most this many rounds (default 20)")
      ->check(CLI::Range(1, 1000));
  tune->add_option("--min-rounds", arguments.min_rounds,
                   "First look at the data after this many rounds (default 3)")
      ->check(CLI::Range(3, 1000));
  tune->add_option("--alpha", arguments.alpha,
                   "Significance level over all looks, split evenly among them (default 0.05)")
      ->check(CLI::Range(0.0001, 0.5));
  tune->add_option("--out,-o", arguments.out_path,
                   "Report path (default: results/<name>-tune-<UTC time>.json); .gz compresses");
  tune->add_flag("--pretty", arguments.pretty, "Indent the report's JSON; compact by default");
  tune->add_flag("--quiet,-q", arguments.quiet, "No per-run lines on stderr");
  tune->add_option("--label", arguments.labels, "key=value stored in the report; repeatable");
}

void add_capacity_command(CLI::App& app, CapacityArguments& arguments) {
  CLI::App* capacity = app.add_subcommand(
      "capacity",
      "Find the highest request rate a server sustains under an SLO: open-loop probes (latency "
      "from each request's intended start), bracketed exponentially then bisected, the met "
      "rates repeated, until the bracket is within the repetitions' noise. Prints the latency "
      "against load curve, its knee (Kneedle) and the capacity; says generator-bound, with the "
      "remedy, when the load generator rather than the server could not keep up. Exit 0 when "
      "a capacity was found for every setting, 1 when one holds only a bound (budget spent, "
      "generator-bound, no rate met the SLO), 2 for a bad scenario or SLO or a dead target");
  capacity
      ->add_option("scenario", arguments.scenario_path,
                   "Scenario file (a sweep gives one search per setting), a report, or an "
                   "http:// URL, as for run")
      ->required();
  add_scenario_shorthands(capacity, arguments.shorthands);
  capacity
      ->add_option("--slo", arguments.slo,
                   "Objective, comma-separated clauses each met at the capacity: "
                   "[PHASE.]STAT<=LIMIT with STAT p50, p90, p99, p999 (p99.9), max or mean, "
                   "LIMIT in ns, us, ms or s, PHASE total (default), connect, tls_handshake, "
                   "first_byte, ... (docs/usage.md#capacity); errors<=PERCENT%. Example: "
                   "'p99<=10ms,errors<=0.1%'")
      ->required();
  capacity->add_option("--set", arguments.overrides, "Override a key, as for run");
  capacity
      ->add_option("--start-rate", arguments.start_rate,
                   "First probe's rate, requests/s (default: the scenario's rate, else 1000)")
      ->check(CLI::Range(0.01, 1e8));
  capacity
      ->add_option("--max-rate", arguments.max_rate,
                   "Highest rate tried; met there, the answer is 'at least' (default 10000000)")
      ->check(CLI::Range(0.01, 1e8));
  capacity
      ->add_option("--budget-s", arguments.budget_s,
                   "Wall time for the whole search, shared by a sweep's settings; a probe that "
                   "would not fit is not started, and the answer says how wide the interval "
                   "still is (default 300)")
      ->check(CLI::Range(1.0, 7 * 86400.0));
  capacity
      ->add_option("--confirmations", arguments.confirmations,
                   "Probes a rate needs, every one met, to count as sustained (default 3)")
      ->check(CLI::Range(1, 20));
  capacity->add_option("--out,-o", arguments.out_path,
                       "Report path (default: results/<name>-capacity-<UTC time>.json); .gz "
                       "compresses");
  capacity->add_flag("--pretty", arguments.pretty, "Indent the report's JSON; compact by default");
  capacity->add_flag("--quiet,-q", arguments.quiet, "No per-probe lines on stderr");
  capacity->add_option("--label", arguments.labels, "key=value stored in the report; repeatable");
}

void add_merge_command(CLI::App& app, MergeArguments& arguments) {
  CLI::App* merge = app.add_subcommand(
      "merge",
      "Merge reports of one scenario recorded at the same time by several load generators: "
      "histograms bucket by bucket, counts summed, rates added, timelines aligned by second");
  merge->add_option("reports", arguments.report_paths, "Reports to merge (two or more)")
      ->required()
      ->expected(2, -1);
  merge->add_option("--out,-o", arguments.out_path, "Merged report path; .gz compresses")
      ->required();
  merge->add_flag("--pretty", arguments.pretty, "Indent the JSON; compact by default");
}

void add_convert_command(CLI::App& app, ConvertArguments& arguments) {
  CLI::App* convert = app.add_subcommand(
      "convert",
      "Write a stored report as Google Benchmark JSON (compare.py) or as a dashboard's series "
      "(github-action-benchmark's customSmallerIsBetter / customBiggerIsBetter)");
  convert->add_option("report", arguments.report_path, "tcpharness report")->required();
  convert
      ->add_option("--format", arguments.format,
                   "gbench; customSmallerIsBetter (latency percentiles in us, CPU per request, "
                   "error share: one series per run and metric); customBiggerIsBetter "
                   "(requests/s or Mbit/s per run)")
      ->check(CLI::IsMember({"gbench", "customSmallerIsBetter", "customBiggerIsBetter"}));
  convert->add_option("--out,-o", arguments.out_path,
                      "Output path (default: standard output); .gz compresses");
  convert->add_flag("--gbench-aggregates-only", arguments.gbench_aggregates_only,
                    "Only the aggregates of repeated runs");
  convert->add_flag("--pretty", arguments.pretty, "Indent the JSON; compact by default");
}

void add_plot_command(CLI::App& app, PlotArguments& arguments) {
  CLI::App* plot = app.add_subcommand(
      "plot",
      "Draw reports as PNG and SVG: latency percentile spectrum, per-second timeline, and for "
      "sweeps each metric against the swept value; several reports (base new) are overlaid in "
      "each figure, one line style per report (needs python3-matplotlib)");
  plot->add_option("reports", arguments.report_paths,
                   "tcpharness reports (.json or .json.gz); charts are named after them, joined "
                   "by -vs-")
      ->required();
  plot->add_option("--out,-o", arguments.out_dir, "Folder for the charts (created if missing)")
      ->required();
}

void add_report_command(CLI::App& app, ReportArguments& arguments) {
  CLI::App* report = app.add_subcommand(
      "report",
      "Write reports as one self-contained HTML page: the summary table, each run's latency "
      "percentile spectrum (log scale) and per-second timeline, a capacity search's curve with "
      "its SLO and knee, and the socket options as applied; several reports (base new) are "
      "overlaid, one colour each. The page fetches nothing: open it anywhere, offline");
  report
      ->add_option("reports", arguments.report_paths,
                   "tcpharness reports (.json or .json.gz), base first")
      ->required();
  report->add_option("--out,-o", arguments.out_path, "HTML file to write")->required();
}

// The command a parse error concerns: the subcommand given, else the program itself.
const CLI::App& command_of(const CLI::App& app) {
  const std::vector<CLI::App*> given = app.get_subcommands();
  return given.empty() ? app : *given.front();
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

// CLI11's messages and ours in one shape: "tcpharness: " and what is wrong, then how the command
// is used.
std::string failure_text(const CLI::App* app, const CLI::Error& error) {
  const CLI::App& command = command_of(*app);
  std::string usage;
  if (&command == app) {
    usage = "Usage: tcpharness COMMAND [OPTIONS], COMMAND one of " +
            CLI::detail::join(command_names(*app), ", ") + "; tcpharness --help says more";
  } else {
    const std::string name = "tcpharness " + command.get_name();
    usage = CLI::Formatter().make_usage(&command, name);
    usage.erase(usage.find_last_not_of('\n') + 1);
    usage += "; " + name + " --help lists every option";
  }
  const std::string where = &command == app ? "" : command.get_name() + ": ";
  return fmt::format("tcpharness: {}{}\n{}\n", where, error.what(), usage);
}

// CLI11 keeps arguments it does not know (allow_extras) instead of refusing them, so that the
// message can name the option closest to a typo: "unknown option '--duraton'; did you mean
// '--duration'?".
std::optional<CLI::ValidationError> unknown_argument(const CLI::App& app) {
  for (const CLI::App* command : {&app, &command_of(app)}) {
    const std::vector<std::string> extras = command->remaining();
    if (extras.empty()) continue;
    if (!extras.front().starts_with('-')) {
      return CLI::ValidationError(fmt::format("unexpected argument '{}'", extras.front()));
    }
    const std::string typed = extras.front().substr(0, extras.front().find('='));
    std::vector<std::string> names;
    for (const CLI::Option* option : command->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    }
    const std::optional<std::string> meant = closest_match(typed, names);
    return CLI::ValidationError(fmt::format("unknown option '{}'{}", typed,
                                            meant ? "; did you mean '" + *meant + "'?" : ""));
  }
  return std::nullopt;
}

// The first argument names the command; a typo of one gets the closest command's name.
std::optional<CLI::ValidationError> unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::vector<std::string> names = command_names(app);
  if (std::find(names.begin(), names.end(), argv[1]) != names.end()) return std::nullopt;
  const std::optional<std::string> meant = closest_match(argv[1], names);
  return CLI::ValidationError(fmt::format("unknown command '{}'{}", argv[1],
                                          meant ? "; did you mean '" + *meant + "'?" : ""));
}

std::string version_text() {
  return fmt::format("tcpharness {} (commit {}, {} build)", tool_version(), tool_git_commit(),
                     tool_build_type());
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{
      "tcpharness: TCP and HTTP/1.1 load generation with exact latency histograms.\n"
      "Exit codes: 0 success; 1 the run finished but counted errors (compare: a regression "
      "beyond --fail-on); 2 usage, configuration or unreadable report (compare: also reports "
      "that share no run, or a run of the base missing from the new one), or a target that "
      "accepted no connection; 70 internal error (a bug: please report it); 130 interrupted by "
      "SIGINT or SIGTERM (a partial report is still written)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "Version, git commit and build type");
  // Set before the subcommands are added: they inherit both.
  app.failure_message(failure_text);
  app.allow_extras();
  RunArguments run_arguments;
  RunArguments validate_arguments;
  ServeArguments serve_arguments;
  CompareArguments compare_arguments;
  TuneArguments tune_arguments;
  CapacityArguments capacity_arguments;
  MergeArguments merge_arguments;
  ConvertArguments convert_arguments;
  PlotArguments plot_arguments;
  ReportArguments report_arguments;
  add_run_command(app, run_arguments);
  add_serve_command(app, serve_arguments);
  add_validate_command(app, validate_arguments);
  add_compare_command(app, compare_arguments);
  add_tune_command(app, tune_arguments);
  add_capacity_command(app, capacity_arguments);
  add_merge_command(app, merge_arguments);
  add_convert_command(app, convert_arguments);
  add_plot_command(app, plot_arguments);
  add_report_command(app, report_arguments);

  try {
    if (const auto unknown = unknown_command(app, argc, argv)) throw *unknown;
    app.parse(argc, argv);
    if (const auto unknown = unknown_argument(app)) throw *unknown;
  } catch (const CLI::ParseError& error) {
    // An unknown option usually explains the rest ("scenario is required" when a typo took the
    // scenario's place), so it is named first; --help and --version (exit code 0) pass through.
    const auto unknown = error.get_exit_code() == 0 ? std::nullopt : unknown_argument(app);
    const CLI::Error& shown = unknown ? static_cast<const CLI::Error&>(*unknown) : error;
    return app.exit(shown) == 0 ? kExitOk : kExitConfigError;
  }
  if (app.got_subcommand("run")) return run_command(run_arguments);
  if (app.got_subcommand("serve")) return serve_command(serve_arguments);
  if (app.got_subcommand("validate")) return validate_command(validate_arguments);
  if (app.got_subcommand("compare")) return compare_command(compare_arguments);
  if (app.got_subcommand("tune")) return tune_command(tune_arguments);
  if (app.got_subcommand("capacity")) return capacity_command(capacity_arguments);
  if (app.got_subcommand("merge")) return merge_command(merge_arguments);
  if (app.got_subcommand("convert")) return convert_command(convert_arguments);
  if (app.got_subcommand("plot")) return plot_command(plot_arguments);
  if (app.got_subcommand("report")) return report_command(report_arguments);
  return kExitConfigError;
}

}  // namespace th
