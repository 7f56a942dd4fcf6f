#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "base/config_error.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "cli/run_support.hpp"
#include "report/reporter.hpp"
#include "report/statistics.hpp"
#include "run/preflight.hpp"
#include "run/run_executor.hpp"
#include "scenario/loader.hpp"
#include "tune/tune_session.hpp"

namespace th {
namespace {

// Starting and stopping the embedded server, connecting, and the in-flight requests' end: what a
// run takes beyond warmup_s + duration_s (about 0.1 s measured on loopback; doubled for a busy
// machine). Only the estimate of the first round uses it; later rounds use the slowest so far.
constexpr double kRunOverhead_s = 0.2;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double estimate_round_s(const std::vector<RunSpec>& specs) {
  double total = 0;
  for (const RunSpec& spec : specs) {
    total += spec.scenario.warmup_s + spec.scenario.duration_s + kRunOverhead_s;
  }
  return total;
}

// The rounds the budget and --max-rounds allow, checked before any load: a plan that cannot run
// min_rounds, or whose per-look alpha no data could reach, is refused with what to change.
TunePlan make_plan(const TuneArguments& arguments, double round_s, size_t settings) {
  TunePlan plan;
  plan.alpha = arguments.alpha;
  plan.min_rounds = arguments.min_rounds;
  const unsigned affordable = rounds_within_budget(arguments.budget_s, round_s);
  plan.max_rounds = std::min(arguments.max_rounds, affordable);
  plan.comparisons = static_cast<unsigned>(settings - 1);
  if (arguments.max_rounds < arguments.min_rounds) {
    throw ConfigError(fmt::format("--max-rounds {} is below --min-rounds {}", arguments.max_rounds,
                                  arguments.min_rounds));
  }
  if (affordable < plan.min_rounds) {
    throw ConfigError(fmt::format(
        "--budget-s {:g} fits {} round{} of about {:.1f} s ({} settings x (warmup_s + duration_s "
        "+ ~{:g} s)); tune needs at least {}: raise --budget-s to {:.0f} or shorten duration_s "
        "(--set duration_s=1)",
        arguments.budget_s, affordable, affordable == 1 ? "" : "s", round_s, settings,
        kRunOverhead_s, plan.min_rounds, std::ceil(round_s * plan.min_rounds)));
  }
  const int rounds = static_cast<int>(plan.max_rounds);
  const double smallest_p = smallest_two_sided_p(rounds, rounds);
  if (smallest_p >= plan.test_alpha()) {
    throw ConfigError(fmt::format(
        "with at most {} rounds the Mann-Whitney test cannot reach p < {:.2g} (alpha {} over {} "
        "looks and {} comparisons; the smallest p of {} against {} values is {:.2g}): raise "
        "--budget-s or --max-rounds, or shorten duration_s",
        rounds, plan.test_alpha(), plan.alpha, plan.planned_looks(), plan.comparisons, rounds,
        rounds, smallest_p));
  }
  return plan;
}

void check_has_sweep(const ScenarioDocument& document, const std::vector<RunSpec>& specs,
                     const std::string& path) {
  const char* add =
      "add a \"sweep\" of the values to choose from, e.g. \"sweep\": {\"client.tcp_nodelay\": "
      "[true, false]}, or --set 'sweep.client.tcp_nodelay=[true,false]'";
  if (document.sweep.empty()) {
    throw ConfigError(
        fmt::format("{}: tune chooses among the runs of a sweep, and this scenario "
                    "has none: {}",
                    path, add));
  }
  if (specs.size() < 2) {
    throw ConfigError(
        fmt::format("{}: the sweep gives only one setting, nothing to choose "
                    "from: {}",
                    path, add));
  }
}

// Said on stderr even with --quiet: a failed run is a warning, not progress.
void print_missing(const MissingRepetition& missing, const std::string& name, bool quiet) {
  if (missing.run_failed) {
    fmt::print(stderr, "tune: round {}, {}: the run failed: {}; counted as a missing repetition\n",
               missing.round, name, missing.reason);
  } else if (!quiet) {
    fmt::print(stderr, "tune: round {}, {}: {}; no value this round\n", missing.round, name,
               missing.reason);
  }
}

// The exit code of a tune stopped by a failing run, and the line that says why: what the user
// can fix is 2, as any configuration error; anything else is a bug, 70, as main reports it.
int report_stopping_failure(const TuneSummary& summary, const std::string& out_path) {
  const MissingRepetition& failure = *summary.stopping_failure;
  const unsigned rounds = summary.final_look.round;
  fmt::print(stderr,
             "tcpharness: {}tune stopped: the run of {} failed in round {}: {}\n"
             "  the report keeps {} and every run that finished: {}\n",
             failure.config_error ? "" : "internal error: ",
             summary.settings.at(failure.setting).name, failure.round, failure.reason,
             rounds == 0 ? std::string("no finished round")
                         : fmt::format("the {} finished round{}", rounds, rounds == 1 ? "" : "s"),
             out_path);
  return failure.config_error ? kExitConfigError : kExitInternalError;
}

// Each setting's capacity by capacity's search, the budget shared among them, then ranked.
int tune_by_capacity(const TuneArguments& arguments) {
  if (arguments.slo.empty()) {
    throw ConfigError(
        "--objective capacity needs --slo: the objective each setting's capacity meets, e.g. "
        "--slo 'p99<=10ms,errors<=0.1%'");
  }
  CapacityArguments capacity;
  capacity.scenario_path = arguments.scenario_path;
  capacity.overrides = arguments.overrides;
  capacity.slo = arguments.slo;
  capacity.budget_s = arguments.budget_s;
  capacity.out_path = arguments.out_path;
  capacity.quiet = arguments.quiet;
  capacity.pretty = arguments.pretty;
  capacity.labels = arguments.labels;
  return run_capacity(capacity, true);
}

}  // namespace

int tune_command(const TuneArguments& arguments) {
  const Objective* objective = find_objective(arguments.objective);
  if (objective == nullptr) {
    throw ConfigError(fmt::format("--objective: unknown '{}'; known: {}", arguments.objective,
                                  known_objectives()));
  }
  ScenarioDocument document = load_scenario_file(arguments.scenario_path);
  for (const std::string& assignment : arguments.overrides) apply_override(document, assignment);
  const std::vector<RunSpec> specs = expand_runs(document);
  check_has_sweep(document, specs, arguments.scenario_path);
  if (objective->name == "capacity") return tune_by_capacity(arguments);
  if (!arguments.slo.empty()) {
    throw ConfigError(
        fmt::format("--slo: only --objective capacity takes an SLO; --objective {} "
                    "ranks every setting's {} as measured",
                    objective->name, objective->name));
  }
  for (const RunSpec& spec : specs) preflight_run(spec);
  const double round_estimate_s = estimate_round_s(specs);
  const TunePlan plan = make_plan(arguments, round_estimate_s, specs.size());

  PreparedReport prepared = prepare_report(document, arguments.scenario_path, arguments.labels,
                                           arguments.out_path, "-tune");
  ReportInput& input = prepared.input;
  const std::string& out_path = prepared.out_path;

  if (!arguments.quiet) {
    fmt::print(stderr,
               "tune: {} settings, a round about {:.1f} s; up to {} rounds (budget {:g} s, "
               "--max-rounds {}); looks from round {}, each p tested at {:.2g} (alpha {} over {} "
               "looks and {} comparisons)\n",
               specs.size(), round_estimate_s, plan.max_rounds, arguments.budget_s,
               arguments.max_rounds, plan.min_rounds, plan.test_alpha(), plan.alpha,
               plan.planned_looks(), plan.comparisons);
  }
  TuneJob job{.objective = objective,
              .plan = plan,
              .settings = {},
              .budget_s = arguments.budget_s,
              .max_rounds_asked = arguments.max_rounds,
              .round_estimate_s = round_estimate_s,
              .report = std::move(input),
              .out_path = out_path,
              .pretty = arguments.pretty};
  for (const RunSpec& spec : specs) {
    job.settings.push_back({spec.name, spec.params, spec.scenario.link.has_value()});
  }
  const auto started = std::chrono::steady_clock::now();
  RoundHooks hooks{
      .stop_requested = [] { return stop_was_requested(); },
      .elapsed_s = [started] { return seconds_since(started); },
      .on_missing =
          [&](const MissingRepetition& missing) {
            print_missing(missing, specs[missing.setting].name, arguments.quiet);
          },
      .on_look =
          [&](const Look& look) {
            if (arguments.quiet || !look.best) return;
            size_t near = 0;
            for (const Standing& standing : look.standings) near += standing.near_best ? 1 : 0;
            fmt::print(stderr, "round {}: best {}, {} setting{} not significantly different\n",
                       look.round, specs[*look.best].name, near - 1, near == 2 ? "" : "s");
          }};
  const auto run_setting = [&](size_t index, unsigned round) {
    const RunSpec& spec = specs.at(index);
    if (!arguments.quiet) {
      fmt::print(stderr, "[round {}, {}/{}] {}: {} s...\n", round, index + 1, specs.size(),
                 spec.name, spec.scenario.duration_s);
    }
    ProgressLine progress(!arguments.quiet &&
                          spec.scenario.duration_s + spec.scenario.warmup_s > 2.0);
    RunResult result = execute_run(spec, progress.run_options());
    // As a configuration error: every round would find the same dead target, so tune stops
    // with the report of the rounds so far and exit 2.
    if (result.unreachable) throw ConfigError(cannot_connect_message(*result.unreachable));
    return result;
  };

  install_interrupt_handlers();
  const TuneSummary summary = tune_and_report(std::move(job), run_setting, hooks);
  fmt::print("{}", tune_to_text(summary));
  fmt::print("report: {}\n", out_path);
  std::fflush(stdout);
  switch (summary.stopped_by) {
    case TuneStop::interrupted:
      return kExitInterrupted;
    case TuneStop::run_failed:
      return report_stopping_failure(summary, out_path);
    default:
      return kExitOk;
  }
}

}  // namespace th
