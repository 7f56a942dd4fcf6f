#include "tune/tune_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "report/output_file.hpp"

namespace th {
namespace {

std::vector<std::string> error_notes(const std::vector<std::vector<RunResult>>& by_setting) {
  std::vector<std::string> notes;
  for (const std::vector<RunResult>& runs : by_setting) {
    size_t with_errors = 0;
    for (const RunResult& run : runs) with_errors += run.recorder.error_total() > 0 ? 1 : 0;
    if (with_errors == 0) continue;
    notes.push_back(
        fmt::format("{}: {} of {} repetitions counted errors (see the report); the "
                    "objective counts only answered requests",
                    runs.front().name, with_errors, runs.size()));
  }
  return notes;
}

}  // namespace

TuneSummary tune_and_report(TuneJob job, const SettingRunner& run, const RoundHooks& hooks) {
  SequentialTuner tuner(job.settings.size(), job.objective->better, job.plan);
  std::vector<std::vector<RunResult>> by_setting(job.settings.size());
  const RepetitionRunner run_and_keep = [&](size_t setting, unsigned round) {
    RunResult result = run(setting, round);
    const nlohmann::json as_reported = run_to_json(result);
    RepetitionValue value;
    value.value = objective_value(*job.objective, as_reported);
    if (!value.value) value.why_none = why_no_value(*job.objective, as_reported);
    by_setting.at(setting).push_back(std::move(result));
    return value;
  };
  RoundsOutcome outcome =
      run_rounds(tuner, job.round_estimate_s, job.budget_s, run_and_keep, hooks);

  TuneSummary summary;
  summary.objective = job.objective;
  summary.plan = job.plan;
  summary.budget_s = job.budget_s;
  summary.max_rounds_asked = job.max_rounds_asked;
  summary.round_estimate_s = job.round_estimate_s;
  summary.elapsed_s = hooks.elapsed_s();
  summary.stopped_by = outcome.stopped_by;
  summary.settings = std::move(job.settings);
  summary.samples = tuner.samples();
  summary.looks = tuner.looks();
  summary.final_look = tuner.looks().empty() ? tuner.current() : tuner.looks().back();
  summary.recommendation = recommend(summary.final_look, summary.settings);
  summary.notes = error_notes(by_setting);
  summary.missing = std::move(outcome.missing);
  summary.stopping_failure = std::move(outcome.stopping_failure);

  // The same report whatever stopped the rounds: an interrupt and a failing run differ only in
  // what the summary says and in the exit code the caller picks.
  ReportInput& input = job.report;
  for (std::vector<RunResult>& runs : by_setting) {
    for (RunResult& result : runs) input.runs.push_back(std::move(result));
  }
  input.repetitions = std::max(1u, tuner.rounds());  // the schema's minimum, for a report cut short
  input.interrupted = summary.stopped_by == TuneStop::interrupted;
  nlohmann::json report = report_to_json(input);
  report["tune"] = tune_to_json(summary);
  write_output_file(job.out_path, json_output_text(report, job.pretty));
  return summary;
}

}  // namespace th
