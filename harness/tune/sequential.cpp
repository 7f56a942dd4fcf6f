#include "tune/sequential.hpp"

#include <algorithm>
#include <cmath>

#include "report/statistics.hpp"

namespace th {
namespace {

bool better_than(double a, double b, Better better) {
  return better == Better::lower ? a < b : a > b;
}

// The p-value if every one of `more` further values of the best beat everything seen so far and
// every further value of the other lost to everything: the strongest evidence the remaining
// rounds could bring. New values are distinct, so they add no ties.
double most_extreme_p(const std::vector<double>& best, const std::vector<double>& other,
                      unsigned more, Better better) {
  std::vector<double> best_then = best;
  std::vector<double> other_then = other;
  double low = best.front();
  double high = best.front();
  for (const std::vector<double>* side : {&best, &other}) {
    for (double value : *side) {
      low = std::min(low, value);
      high = std::max(high, value);
    }
  }
  const double step = std::max(1.0, high - low);
  for (unsigned i = 1; i <= more; ++i) {
    const double beyond = static_cast<double>(i) * step;
    best_then.push_back(better == Better::lower ? low - beyond : high + beyond);
    other_then.push_back(better == Better::lower ? high + beyond : low - beyond);
  }
  return mann_whitney_u(best_then, other_then).p_value;
}

}  // namespace

unsigned TunePlan::planned_looks() const {
  return max_rounds >= min_rounds ? max_rounds - min_rounds + 1 : 0;
}

double TunePlan::per_look_alpha() const {
  const unsigned looks = planned_looks();
  return looks == 0 ? alpha : alpha / looks;
}

double TunePlan::test_alpha() const { return per_look_alpha() / std::max(1u, comparisons); }

unsigned rounds_within_budget(double budget_s, double round_s) {
  if (!(round_s > 0) || !(budget_s > 0)) return 0;
  return static_cast<unsigned>(std::min(std::floor(budget_s / round_s), 1e6));
}

const char* to_string(TuneStop reason) {
  switch (reason) {
    case TuneStop::settled:
      return "settled";
    case TuneStop::max_rounds:
      return "max_rounds";
    case TuneStop::budget:
      return "budget";
    case TuneStop::interrupted:
      return "interrupted";
    case TuneStop::run_failed:
      return "run_failed";
  }
  return "?";
}

const char* to_string(Settled settled) {
  switch (settled) {
    case Settled::no:
      return "no";
    case Settled::winner:
      return "winner";
    case Settled::cannot_change:
      return "cannot_change";
  }
  return "?";
}

Look evaluate_look(std::span<const std::vector<double>> samples, Better better,
                   const TunePlan& plan, unsigned rounds_done) {
  Look look;
  look.round = rounds_done;
  look.standings.resize(samples.size());
  for (size_t index = 0; index < samples.size(); ++index) {
    Standing& standing = look.standings[index];
    standing.samples = samples[index].size();
    if (samples[index].empty()) continue;
    standing.median = median_of(samples[index]);
    standing.interval = median_interval(samples[index]);
    // Ties keep the first in sweep order, so the answer does not depend on sort stability.
    if (!look.best || better_than(standing.median, look.standings[*look.best].median, better)) {
      look.best = index;
    }
  }
  if (!look.best) return look;

  const double alpha = plan.test_alpha();
  const unsigned remaining = plan.max_rounds > rounds_done ? plan.max_rounds - rounds_done : 0;
  const std::vector<double>& best_values = samples[*look.best];
  bool any_compared = false;
  bool any_near = false;
  bool any_could_differ = false;
  for (size_t index = 0; index < samples.size(); ++index) {
    Standing& standing = look.standings[index];
    if (index == *look.best) {
      standing.is_best = true;
      standing.near_best = true;
      continue;
    }
    if (samples[index].empty()) continue;  // no data: neither near nor worse
    any_compared = true;
    standing.p_vs_best = mann_whitney_u(best_values, samples[index]).p_value;
    standing.near_best = *standing.p_vs_best >= alpha;
    if (!standing.near_best) continue;
    any_near = true;
    standing.could_still_differ =
        most_extreme_p(best_values, samples[index], remaining, better) < alpha;
    any_could_differ = any_could_differ || standing.could_still_differ;
  }
  if (rounds_done >= plan.min_rounds) {
    // A best with no other value to be compared with has beaten nothing: wait for more rounds.
    if (!any_compared) {
      look.settled = Settled::no;
    } else if (!any_near) {
      look.settled = Settled::winner;
    } else if (!any_could_differ && remaining > 0) {
      // With no round left this is simply the end (max_rounds), not an early stop.
      look.settled = Settled::cannot_change;
    }
  }
  return look;
}

SequentialTuner::SequentialTuner(size_t setting_count, Better better, TunePlan plan)
    : better_(better), plan_(plan), samples_(setting_count) {}

void SequentialTuner::add_round(std::span<const std::optional<double>> values) {
  for (size_t index = 0; index < values.size() && index < samples_.size(); ++index) {
    if (values[index]) samples_[index].push_back(*values[index]);
  }
  ++rounds_;
  if (rounds_ >= plan_.min_rounds) looks_.push_back(current());
}

std::optional<TuneStop> SequentialTuner::stop_before_next_round(double elapsed_s,
                                                                double round_estimate_s,
                                                                double budget_s) const {
  if (!looks_.empty() && looks_.back().settled != Settled::no) return TuneStop::settled;
  if (rounds_ >= plan_.max_rounds) return TuneStop::max_rounds;
  if (elapsed_s + round_estimate_s > budget_s) return TuneStop::budget;
  return std::nullopt;
}

Look SequentialTuner::current() const { return evaluate_look(samples_, better_, plan_, rounds_); }

}  // namespace th
