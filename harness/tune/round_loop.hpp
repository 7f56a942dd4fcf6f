#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tune/sequential.hpp"

namespace th {

// What one run of a setting gave `tune`: the objective's value, or why there is none.
struct RepetitionValue {
  std::optional<double> value;
  std::string why_none;  // e.g. "no answered request, so no p99"; empty with a value
};

// A repetition of a setting that added no value to the ranking: its run threw (run_failed), or
// it finished without a value of the objective.
struct MissingRepetition {
  size_t setting = 0;  // in sweep order
  unsigned round = 0;  // 1-based, as the progress lines count rounds
  bool run_failed = false;
  // The run threw a ConfigError (something the user can fix, exit 2 if it stops tune) rather
  // than some other std::exception (a bug, exit 70).
  bool config_error = false;
  std::string reason;  // the exception's message, or RepetitionValue::why_none
};

// Runs setting `setting` once, in round `round` (1-based), and gives its value. Throws when the
// run cannot be done (a ConfigError from its setup, or any std::exception).
using RepetitionRunner = std::function<RepetitionValue(size_t setting, unsigned round)>;

// What the round loop needs from outside besides the runs: Ctrl-C, the clock, and where to say
// what happens. Injected so that the loop's decisions can be tested without a network.
struct RoundHooks {
  std::function<bool()> stop_requested = [] { return false; };
  std::function<double()> elapsed_s;  // since tune started
  // Optional: told of each repetition without a value that tune goes on without, as soon as it
  // happens (the one that stops tune is RoundsOutcome::stopping_failure), and of each look.
  std::function<void(const MissingRepetition&)> on_missing;
  std::function<void(const Look&)> on_look;
};

struct RoundsOutcome {
  TuneStop stopped_by = TuneStop::max_rounds;
  std::vector<MissingRepetition> missing;  // in the order they happened, partial round included
  // With TuneStop::run_failed: the failure taken to repeat in every round (also in `missing`).
  std::optional<MissingRepetition> stopping_failure;
};

// Runs round after round (every setting once, in sweep order) into `tuner` until it settles, the
// plan's rounds or the budget end, a stop is requested, or a run's failure looks permanent.
//
// A run that throws is a missing repetition of its setting: the round goes on and is ranked with
// one value fewer for that setting. A failure is taken to be permanent, and ends tune with
// TuneStop::run_failed, when
//  - a setting's run throws a ConfigError before the setting has finished a single run: its
//    configuration cannot be set up (a link the host refuses, say), and every round would repeat
//    it, so waiting for the next would only spend the budget; or
//  - a setting's run throws in two rounds in a row, whatever the error.
// A round cut short (by a stop or such a failure) is not ranked: its settings would have one
// value more than the others. Its runs are the caller's to keep.
RoundsOutcome run_rounds(SequentialTuner& tuner, double first_round_estimate_s, double budget_s,
                         const RepetitionRunner& run, const RoundHooks& hooks);

}  // namespace th
