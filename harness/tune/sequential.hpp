#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "report/median_interval.hpp"

namespace th {

enum class Better { lower, higher };

// How many rounds `tune` may run and how it spends its alpha over the looks and comparisons.
//
// A look is the ranking after a round, from round min_rounds on; the run stops at the first look
// that is settled. Looking repeatedly and stopping when something looks significant inflates the
// false-positive rate (every look is another chance), so alpha is split evenly over the planned
// looks: Bonferroni over the looks, the flat alpha-spending function. It is conservative but valid
// for any dependence between looks, which suits rank tests on a handful of repetitions, where the
// normal theory behind Pocock or O'Brien-Fleming boundaries does not hold. The looks are planned
// before the first round (from the budget), so the split is fixed.
//
// Within a look every other setting is tested against the best, and each look's share is split
// again over these comparisons (Bonferroni). This is multiple comparisons with the best (Hsu,
// 1996): the truly best setting is wrongly found worse than the sample best only if it is found
// worse than some particular setting, one of `comparisons` tests, so the settings kept (the best
// and those near it) contain the truly best with probability >= 1 - alpha over the whole run.
struct TunePlan {
  double alpha = 0.05;
  unsigned min_rounds = 3;
  unsigned max_rounds = 20;  // already lowered to what the budget allows
  unsigned comparisons = 1;  // settings - 1

  unsigned planned_looks() const;
  double per_look_alpha() const;  // alpha / planned_looks()
  double test_alpha() const;      // per_look_alpha() / comparisons: what each p must be below
};

// Rounds that fit in budget_s when each takes round_s; 0 when none does.
unsigned rounds_within_budget(double budget_s, double round_s);

// One setting at a look.
struct Standing {
  size_t samples = 0;
  double median = 0;
  MedianInterval interval;
  std::optional<double> p_vs_best;  // Mann-Whitney U, two-sided; none for the best itself
  bool is_best = false;
  // Not significantly different from the best at the plan's test_alpha (the best itself too).
  bool near_best = false;
  // Near the best now, but the remaining rounds could still make it significantly worse.
  bool could_still_differ = false;
};

enum class Settled {
  no,
  winner,         // the best is significantly better than every other setting
  cannot_change,  // no setting near the best can become significantly worse within the plan
};

struct Look {
  unsigned round = 0;
  std::optional<size_t> best;       // none when no setting has a value yet
  std::vector<Standing> standings;  // in sweep order
  Settled settled = Settled::no;
};

// Ranks the settings by the median of their values and tests each against the best.
//
// A setting near the best "could still differ" when the most extreme data the remaining rounds
// could bring (every new value of the best better than anything seen, every new value of the
// other worse) would reach significance; when even that cannot, more rounds cannot change the
// answer and the look is settled. A setting found significantly worse stays a valid claim at
// the level the plan guarantees, whichever look found it.
Look evaluate_look(std::span<const std::vector<double>> samples, Better better,
                   const TunePlan& plan, unsigned rounds_done);

// run_failed: a setting's run failed in a way every further round would repeat (see run_rounds).
enum class TuneStop { settled, max_rounds, budget, interrupted, run_failed };
const char* to_string(TuneStop reason);
const char* to_string(Settled settled);

// The round loop's state: values per setting, the looks so far, and when to stop.
class SequentialTuner {
 public:
  SequentialTuner(size_t setting_count, Better better, TunePlan plan);

  // One value per setting (none for a repetition without the objective, e.g. no answered request);
  // takes a look when rounds() >= min_rounds.
  void add_round(std::span<const std::optional<double>> values);

  // Why no further round should start, or nothing. A round starts only if it is expected to end
  // within the budget: elapsed_s + round_estimate_s <= budget_s.
  std::optional<TuneStop> stop_before_next_round(double elapsed_s, double round_estimate_s,
                                                 double budget_s) const;

  // The ranking now, looked at or not (for a report cut short before min_rounds).
  Look current() const;

  unsigned rounds() const { return rounds_; }
  const TunePlan& plan() const { return plan_; }
  Better better() const { return better_; }
  const std::vector<std::vector<double>>& samples() const { return samples_; }
  const std::vector<Look>& looks() const { return looks_; }

 private:
  Better better_;
  TunePlan plan_;
  unsigned rounds_ = 0;
  std::vector<std::vector<double>> samples_;
  std::vector<Look> looks_;
};

}  // namespace th
