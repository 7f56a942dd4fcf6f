#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "base/config_error.hpp"
#include "capacity/capacity_report.hpp"
#include "capacity/ranking.hpp"
#include "capacity/settle.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "cli/run_support.hpp"
#include "report/output_file.hpp"
#include "report/reporter.hpp"
#include "run/load_plan_builder.hpp"
#include "run/preflight.hpp"
#include "run/run_executor.hpp"
#include "scenario/command_line_scenario.hpp"

namespace th {
namespace {

// Starting the embedded server, connecting and draining: what a probe takes beyond warmup_s +
// duration_s (as tune counts it), plus the wait for the last probe's sockets to settle.
constexpr double kProbeOverhead_s = 0.3;
constexpr double kSettleMax_s = 5.0;
constexpr double kDisturbedPause_s = 3.0;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string rate_name(double rate) {
  return rate >= 100 ? fmt::format("{:.0f}", rate) : fmt::format("{:g}", rate);
}

// A clause the scenario cannot measure is the user's to fix, and is found at the first probe:
// the phases a run records depend on its connection model, TLS and server.
void check_slo_measurable(const std::vector<SloClause>& slo, const ProbeRun& probe,
                          const RunSpec& spec) {
  if (probe.answered_rate <= 0) return;  // nothing answered: the server's failure, not the SLO's
  for (size_t index = 0; index < slo.size(); ++index) {
    if (probe.slo_values[index]) continue;
    const SloClause& clause = slo[index];
    std::string why = "it records no sample of that phase";
    if (clause.phase == "tls_handshake") why = "it does not speak TLS";
    if (clause.phase == "server_time") why = "only the embedded server measures its own time";
    if (clause.phase == "page_load") why = "it has no page workload";
    if (clause.phase == "connect" || clause.phase == "close") {
      why = fmt::format(
          "its {} connections open before the measured window and stay open; "
          "connection: per_request measures one per request",
          to_string(spec.scenario.connection));
    }
    throw ConfigError(fmt::format("--slo {}: the probe at {}/s of {} answered requests, but {}",
                                  clause.text, rate_name(probe.target_rate), spec.name, why));
  }
}

std::string probe_line(const ProbeRun& probe, const SloClause& curve) {
  const std::string value =
      probe.curve_value ? fmt::format("{} {:.3g} ms", curve.statistic, *probe.curve_value / 1e3)
                        : std::string("no latency");
  if (probe.outcome == ProbeOutcome::met) {
    return fmt::format("met: sent {:.0f}/s, {}", probe.achieved_rate, value);
  }
  return fmt::format("{}: {}", to_string(probe.outcome), probe.why);
}

struct StudyContext {
  const CapacityArguments& arguments;
  const std::vector<SloClause>& slo;
  const SearchSettings& settings;
  const std::optional<TcpSocketCounts>& baseline;
  double budget_s;
};

// Runs the search for one setting; its probes' results are appended to `runs`.
CapacityStudy study_setting(const RunSpec& spec, const StudyContext& context,
                            std::vector<RunResult>& runs, bool& unreachable) {
  const auto started = std::chrono::steady_clock::now();
  const double probe_s = spec.scenario.warmup_s + spec.scenario.duration_s + kProbeOverhead_s;
  CapacitySearch search(context.settings, context.slo);
  CapacityStudy study;
  study.setting = spec.name;
  study.params = spec.params;
  study.budget_s = context.budget_s;
  const SloClause curve = curve_clause(context.slo);
  while (const std::optional<double> rate = search.next_rate()) {
    if (stop_was_requested()) {
      search.stop(CapacityVerdict::interrupted);
      break;
    }
    if (seconds_since(started) + probe_s > context.budget_s) {
      search.stop(CapacityVerdict::budget_spent);
      break;
    }
    const SettleReading settled = settle_sockets(context.baseline, kSettleMax_s);
    RunSpec probe_spec = spec;
    probe_spec.scenario.rate = *rate;
    probe_spec.name = fmt::format("{} @{}/s", spec.name, rate_name(*rate));
    if (!context.arguments.quiet) {
      fmt::print(stderr, "[probe {}] {}: {} s...\n", search.probes() + 1, probe_spec.name,
                 spec.scenario.duration_s);
    }
    ProgressLine progress(!context.arguments.quiet &&
                          spec.scenario.duration_s + spec.scenario.warmup_s > 2.0);
    RunResult& result = runs.emplace_back(execute_run(probe_spec, progress.run_options()));
    if (result.unreachable) {
      fmt::print(stderr, "tcpharness: {}\n", cannot_connect_message(*result.unreachable));
      unreachable = true;
      break;
    }
    ProbeRun probe = read_probe(run_to_json(result), context.slo, load_threads(spec.scenario));
    if (search.probes() == 0) check_slo_measurable(context.slo, probe, spec);
    const ProbeRun& judged = search.record(std::move(probe));
    if (!context.arguments.quiet) fmt::print(stderr, "  {}\n", probe_line(judged, curve));
    study.probes.push_back({probe_spec.name, *rate, settled.waited_s});
    // A neighbour's burst lasts seconds: the next probe would most likely find it still there.
    if (judged.outcome == ProbeOutcome::disturbed && search.next_rate()) {
      if (!context.arguments.quiet) {
        fmt::print(stderr, "  waiting {:g} s for the machine to recover\n", kDisturbedPause_s);
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(kDisturbedPause_s));
    }
  }
  study.result = search.result();
  study.points = search.points();
  study.knee_per_s = curve_knee(study.points);
  study.elapsed_s = seconds_since(started);
  return study;
}

std::vector<RunSpec> capacity_specs(ScenarioDocument& document, double start_rate) {
  // Validates the rate with every setting of the sweep before any probe: a model that cannot
  // run open loop is refused here, in the scenario's own words.
  apply_override(document, fmt::format("rate={}", start_rate), "--start-rate");
  std::vector<RunSpec> specs = expand_runs(document);
  for (const RunSpec& spec : specs) {
    if (spec.scenario.requests) {
      throw ConfigError(fmt::format(
          "{}: requests: capacity probes each run for duration_s at a rate, and a request "
          "bound would end them early; remove requests from the scenario",
          document.source));
    }
    preflight_run(spec);
  }
  return specs;
}

}  // namespace

int run_capacity(const CapacityArguments& arguments, bool rank_settings) {
  CapacitySummary summary;
  summary.slo_text = arguments.slo;
  summary.slo = parse_slo(arguments.slo);
  ScenarioDocument document =
      command_line_scenario(arguments.scenario_path, arguments.shorthands, arguments.overrides);
  double start_rate = arguments.start_rate;
  if (start_rate <= 0) {
    const std::vector<RunSpec> plain = expand_runs(document);
    start_rate = plain.front().scenario.rate.value_or(1000);
  }
  const std::vector<RunSpec> specs = capacity_specs(document, start_rate);
  summary.settings.start_rate = start_rate;
  summary.settings.confirmations = arguments.confirmations;
  summary.settings.max_rate = arguments.max_rate;
  const double budget_s = arguments.budget_s / static_cast<double>(specs.size());
  const double probe_s =
      specs.front().scenario.warmup_s + specs.front().scenario.duration_s + kProbeOverhead_s;
  if (budget_s < probe_s * (arguments.confirmations + 2)) {
    throw ConfigError(fmt::format(
        "--budget-s {:g}: {:.1f} s for each of {} setting{} fits fewer than {} probes of about "
        "{:.1f} s (warmup_s + duration_s + ~{:g} s); raise --budget-s or shorten duration_s",
        arguments.budget_s, budget_s, specs.size(), specs.size() == 1 ? "" : "s",
        arguments.confirmations + 2, probe_s, kProbeOverhead_s));
  }

  PreparedReport prepared = prepare_report(document, arguments.scenario_path, arguments.labels,
                                           arguments.out_path, "-capacity");
  ReportInput& input = prepared.input;
  const std::string& out_path = prepared.out_path;

  install_interrupt_handlers();
  const std::optional<TcpSocketCounts> baseline = tcp_socket_counts();
  const StudyContext context{arguments, summary.slo, summary.settings, baseline, budget_s};
  bool unreachable = false;
  for (const RunSpec& spec : specs) {
    if (stop_was_requested() || unreachable) break;
    summary.studies.push_back(study_setting(spec, context, input.runs, unreachable));
  }
  input.interrupted = stop_was_requested();

  nlohmann::json report = report_to_json(input);
  report["capacity"] = capacity_to_json(summary);
  std::optional<CapacityRanking> ranking;
  if (rank_settings) {
    ranking = rank_by_capacity(summary.studies);
    add_ranking_to_json(*ranking, summary.studies, report["capacity"]);
  }
  write_output_file(out_path, json_output_text(report, arguments.pretty));
  fmt::print("{}", capacity_to_text(summary));
  if (ranking) fmt::print("{}", ranking_to_text(*ranking, summary.studies));
  fmt::print("report: {}\n", out_path);
  std::fflush(stdout);

  if (input.interrupted) return kExitInterrupted;
  if (unreachable) return kExitTargetUnreachable;
  if (ranking) return ranking->best ? kExitOk : kExitCapacityUnsettled;
  for (const CapacityStudy& study : summary.studies) {
    const CapacityVerdict verdict = study.result.verdict;
    if (verdict != CapacityVerdict::found && verdict != CapacityVerdict::above_max) {
      return kExitCapacityUnsettled;
    }
  }
  return kExitOk;
}

int capacity_command(const CapacityArguments& arguments) { return run_capacity(arguments, false); }

}  // namespace th
