#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "tune/sequential.hpp"

namespace th {
namespace {

// Deterministic noise in [0, 1): mt19937's raw output is the same on every standard library.
class Noise {
 public:
  explicit Noise(unsigned seed) : engine_(seed) {}
  double next() { return static_cast<double>(engine_()) / 4294967296.0; }

 private:
  std::mt19937 engine_;
};

struct Outcome {
  TuneStop reason = TuneStop::max_rounds;
  Look last;
  unsigned rounds = 0;
};

// The CLI's loop without the network: `centres[i] + spread * noise` is setting i's value in every
// round; rounds take one second each against budget_s.
Outcome run_tuner(const std::vector<double>& centres, double spread, Better better, TunePlan plan,
                  double budget_s = 1e9, unsigned seed = 7) {
  Noise noise(seed);
  plan.comparisons = static_cast<unsigned>(centres.size() - 1);  // as the CLI plans it
  SequentialTuner tuner(centres.size(), better, plan);
  double elapsed_s = 0;
  Outcome outcome;
  while (true) {
    if (auto reason = tuner.stop_before_next_round(elapsed_s, 1.0, budget_s)) {
      outcome.reason = *reason;
      break;
    }
    std::vector<std::optional<double>> round;
    for (double centre : centres) round.push_back(centre + spread * noise.next());
    tuner.add_round(round);
    elapsed_s += 1.0;
  }
  outcome.last = tuner.current();
  outcome.rounds = tuner.rounds();
  return outcome;
}

TEST(TunePlan, EachTestGetsAlphaOverLooksAndComparisons) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 12, .comparisons = 5};
  EXPECT_EQ(plan.planned_looks(), 10u);
  EXPECT_DOUBLE_EQ(plan.per_look_alpha(), 0.005);
  EXPECT_DOUBLE_EQ(plan.test_alpha(), 0.001);
}

TEST(TunePlan, BudgetAllowsOnlyWholeRounds) {
  EXPECT_EQ(rounds_within_budget(120, 13), 9u);
  EXPECT_EQ(rounds_within_budget(10, 13), 0u);
  EXPECT_EQ(rounds_within_budget(120, 0), 0u);
}

// 40 ms against 1 ms, as Nagle's stall against no stall: the first look that can reach the
// test's alpha settles it (0.05 / 18 looks / 3 comparisons = 0.00093 needs 7 against 7 values,
// whose smallest p is 0.00058).
TEST(SequentialTuner, ClearlySeparatedSettingsSettleEarlyOnTheBest) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 20};
  const Outcome outcome = run_tuner({40'000, 900, 41'000, 39'000}, 500, Better::lower, plan);
  EXPECT_EQ(outcome.reason, TuneStop::settled);
  EXPECT_EQ(outcome.rounds, 7u);
  EXPECT_EQ(outcome.last.settled, Settled::winner);
  ASSERT_TRUE(outcome.last.best);
  EXPECT_EQ(*outcome.last.best, 1u);
  for (size_t index : {0u, 2u, 3u}) {
    const Standing& standing = outcome.last.standings[index];
    EXPECT_FALSE(standing.near_best) << index;
    ASSERT_TRUE(standing.p_vs_best);
    EXPECT_LT(*standing.p_vs_best, plan.test_alpha());
  }
}

TEST(SequentialTuner, HigherIsBetterPicksTheLargest) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  const Outcome outcome = run_tuner({20'000, 50'000, 21'000}, 1000, Better::higher, plan);
  EXPECT_EQ(outcome.reason, TuneStop::settled);
  ASSERT_TRUE(outcome.last.best);
  EXPECT_EQ(*outcome.last.best, 1u);
}

// Every setting drawn from one distribution: nothing is better, and the loop ends at max_rounds or
// earlier when no setting near the best could become significantly worse in the rounds left.
TEST(SequentialTuner, IdenticalSettingsGiveNoWinnerAndEndWithoutOne) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  for (unsigned seed : {2u, 3u, 4u}) {
    const Outcome outcome =
        run_tuner({1000, 1000, 1000, 1000}, 200, Better::lower, plan, 1e9, seed);
    EXPECT_NE(outcome.last.settled, Settled::winner) << seed;
    if (outcome.reason == TuneStop::settled) {
      EXPECT_EQ(outcome.last.settled, Settled::cannot_change) << seed;
    } else {
      EXPECT_EQ(outcome.reason, TuneStop::max_rounds) << seed;
    }
    for (const Standing& standing : outcome.last.standings) EXPECT_TRUE(standing.near_best) << seed;
  }
}

// The guarantee the plan makes: over the whole sequential run, a setting is wrongly found worse
// with probability <= alpha. Without the split over looks and comparisons this rate is ~20% here.
TEST(SequentialTuner, FalseFindingsAmongIdenticalSettingsStayBelowAlpha) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  const unsigned trials = 400;
  unsigned with_false_finding = 0;
  for (unsigned seed = 1; seed <= trials; ++seed) {
    const Outcome outcome =
        run_tuner({1000, 1000, 1000, 1000}, 200, Better::lower, plan, 1e9, seed);
    bool any_worse = false;
    for (const Standing& standing : outcome.last.standings) any_worse |= !standing.near_best;
    with_false_finding += any_worse ? 1 : 0;
  }
  EXPECT_LE(static_cast<double>(with_false_finding) / trials, plan.alpha);
}

TEST(SequentialTuner, StopsAtMaxRoundsWhenNothingSettles) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 3};
  SequentialTuner tuner(2, Better::lower, plan);
  const std::vector<std::optional<double>> round = {1.0, 1.0};
  for (int i = 0; i < 3; ++i) tuner.add_round(round);
  EXPECT_EQ(tuner.looks().back().settled, Settled::no);
  EXPECT_EQ(tuner.stop_before_next_round(0, 1, 100), TuneStop::max_rounds);
}

TEST(SequentialTuner, IdenticalSettingsStopWhenTheNextRoundWouldOverrunTheBudget) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 20};
  const Outcome outcome = run_tuner({1000, 1000}, 200, Better::lower, plan, 7.5);
  EXPECT_EQ(outcome.reason, TuneStop::budget);
  EXPECT_EQ(outcome.rounds, 7u);  // an eighth would end at 8 s, past 7.5 s
  EXPECT_NE(outcome.last.settled, Settled::winner);
}

// Two settings whose values interleave exactly: with one round left, even the most extreme
// next round cannot make the difference significant at 0.05 / 8, so the look is settled.
TEST(SequentialTuner, NearBestThatCannotBecomeSignificantInTheRoundsLeftSettles) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  std::vector<std::vector<double>> samples = {{1, 3, 5, 7, 9, 11, 13, 15, 17},
                                              {2, 4, 6, 8, 10, 12, 14, 16, 18}};
  const Look look = evaluate_look(samples, Better::lower, plan, 9);
  EXPECT_EQ(look.settled, Settled::cannot_change);
  EXPECT_TRUE(look.standings[1].near_best);
  EXPECT_FALSE(look.standings[1].could_still_differ);
  // With many rounds left the same data is not settled: more data could still separate them.
  const Look early = evaluate_look(samples, Better::lower,
                                   TunePlan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 40}, 9);
  EXPECT_EQ(early.settled, Settled::no);
  EXPECT_TRUE(early.standings[1].could_still_differ);
}

TEST(SequentialTuner, NoLookBeforeMinRounds) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  SequentialTuner tuner(2, Better::lower, plan);
  const std::vector<std::optional<double>> round = {1.0, 100.0};
  tuner.add_round(round);
  tuner.add_round(round);
  EXPECT_TRUE(tuner.looks().empty());
  EXPECT_FALSE(tuner.stop_before_next_round(0, 1, 100));
  tuner.add_round(round);
  EXPECT_EQ(tuner.looks().size(), 1u);
}

TEST(SequentialTuner, ARepetitionWithoutAValueAddsNoSample) {
  SequentialTuner tuner(2, Better::lower, TunePlan{});
  const std::vector<std::optional<double>> round = {std::nullopt, 5.0};
  tuner.add_round(round);
  EXPECT_TRUE(tuner.samples()[0].empty());
  ASSERT_TRUE(tuner.current().best);
  EXPECT_EQ(*tuner.current().best, 1u);
}

// A setting without values has a median of 0 in its Standing; lower being better, it would come
// first if it were ranked at all.
TEST(SequentialTuner, SettingWithoutAValueIsNeitherTheBestNorNearIt) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10, .comparisons = 2};
  const std::vector<std::vector<double>> samples = {
      {},
      {900, 910, 920, 930, 940, 950, 960},
      {40'000, 40'100, 40'200, 40'300, 40'400, 40'500, 40'600}};
  const Look look = evaluate_look(samples, Better::lower, plan, 7);
  ASSERT_TRUE(look.best);
  EXPECT_EQ(*look.best, 1u);
  EXPECT_FALSE(look.standings[0].is_best);
  EXPECT_FALSE(look.standings[0].near_best);
  EXPECT_FALSE(look.standings[0].p_vs_best);
  EXPECT_EQ(look.settled, Settled::winner);
}

// Beating nothing is no win: with every other setting still without a value, tune keeps going.
TEST(SequentialTuner, BestWithNoOtherValueToCompareIsNotSettled) {
  const TunePlan plan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 10};
  const std::vector<std::vector<double>> samples = {{}, {900, 910, 920, 930}};
  const Look look = evaluate_look(samples, Better::lower, plan, 4);
  ASSERT_TRUE(look.best);
  EXPECT_EQ(*look.best, 1u);
  EXPECT_EQ(look.settled, Settled::no);
}

}  // namespace
}  // namespace th
