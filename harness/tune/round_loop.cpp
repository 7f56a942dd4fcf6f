#include "tune/round_loop.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "base/config_error.hpp"

namespace th {
namespace {

// One run of one setting: its value, or the repetition it leaves missing. Exceptions stop here:
// one run that cannot be done must not lose the rounds already finished.
struct Attempt {
  std::optional<double> value;
  std::optional<MissingRepetition> missing;
};

Attempt attempt_run(const RepetitionRunner& run, size_t setting, unsigned round) {
  MissingRepetition missing;
  missing.setting = setting;
  missing.round = round;
  try {
    RepetitionValue got = run(setting, round);
    if (got.value) return {got.value, std::nullopt};
    missing.reason = got.why_none.empty() ? "no value of the objective" : std::move(got.why_none);
  } catch (const ConfigError& error) {
    missing.run_failed = true;
    missing.config_error = true;
    missing.reason = error.what();
  } catch (const std::exception& error) {
    missing.run_failed = true;
    missing.reason = error.what();
  }
  return {std::nullopt, std::move(missing)};
}

}  // namespace

RoundsOutcome run_rounds(SequentialTuner& tuner, double first_round_estimate_s, double budget_s,
                         const RepetitionRunner& run, const RoundHooks& hooks) {
  const size_t settings = tuner.samples().size();
  // Per setting: whether any run got through its setup, and whether its latest run threw.
  std::vector<bool> ever_finished(settings, false);
  std::vector<bool> latest_failed(settings, false);
  RoundsOutcome outcome;
  double next_round_s = first_round_estimate_s;
  while (true) {
    if (hooks.stop_requested()) {
      outcome.stopped_by = TuneStop::interrupted;
      return outcome;
    }
    if (auto reason = tuner.stop_before_next_round(hooks.elapsed_s(), next_round_s, budget_s)) {
      outcome.stopped_by = *reason;
      return outcome;
    }
    const unsigned round = tuner.rounds() + 1;
    const double round_started_s = hooks.elapsed_s();
    std::vector<std::optional<double>> values(settings);
    for (size_t setting = 0; setting < settings && !hooks.stop_requested(); ++setting) {
      Attempt attempt = attempt_run(run, setting, round);
      values[setting] = attempt.value;
      if (!attempt.missing) {
        ever_finished[setting] = true;
        latest_failed[setting] = false;
        continue;
      }
      const MissingRepetition& missing = outcome.missing.emplace_back(std::move(*attempt.missing));
      // Every round runs every setting in order, so the latest run before this one was in the
      // previous round.
      const bool permanent =
          missing.run_failed &&
          ((missing.config_error && !ever_finished[setting]) || latest_failed[setting]);
      ever_finished[setting] = ever_finished[setting] || !missing.run_failed;
      latest_failed[setting] = missing.run_failed;
      if (permanent) {
        outcome.stopped_by = TuneStop::run_failed;
        outcome.stopping_failure = missing;
        return outcome;
      }
      if (hooks.on_missing) hooks.on_missing(missing);
    }
    // A round cut short is reported but not ranked: its settings would have one value more.
    if (hooks.stop_requested()) continue;
    const size_t looks_before = tuner.looks().size();
    tuner.add_round(values);
    // The first round's estimate may be optimistic on a busy machine; never plan with less than
    // the slowest round seen.
    next_round_s = std::max(next_round_s, hooks.elapsed_s() - round_started_s);
    if (hooks.on_look && tuner.looks().size() > looks_before) hooks.on_look(tuner.looks().back());
  }
}

}  // namespace th
