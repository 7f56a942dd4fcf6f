// The round loop of `tune` with an injected run: what a run that throws, or gives no value, does
// to the rounds, and when a failure ends tune.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "base/config_error.hpp"
#include "tune/round_loop.hpp"

namespace th {
namespace {

// Setting 1 is far better (lower) than setting 0 in every round, so the ranking is never in doubt
// and each test is about the failures alone.
constexpr double kSlow = 40'000;
constexpr double kFast = 900;

struct Call {
  size_t setting;
  unsigned round;
};

// Runs as the CLI would, on a clock that advances one second a run, recording every call.
class FakeRuns {
 public:
  // Which (setting, round) runs throw, and what.
  std::set<std::pair<size_t, unsigned>> config_errors;
  std::set<std::pair<size_t, unsigned>> other_errors;
  std::set<size_t> without_value;  // settings whose runs finish with no value
  std::vector<Call> calls;
  double clock_s = 0;
  unsigned stop_after_calls = 0;  // 0: never

  RepetitionRunner runner() {
    return [this](size_t setting, unsigned round) {
      calls.push_back({setting, round});
      clock_s += 1;
      if (config_errors.contains({setting, round})) {
        throw ConfigError("link: tc refused the qdisc");
      }
      if (other_errors.contains({setting, round})) throw std::runtime_error("thread start failed");
      if (without_value.contains(setting)) {
        return RepetitionValue{.value = std::nullopt, .why_none = "no answered request"};
      }
      return RepetitionValue{.value = (setting == 1 ? kFast : kSlow) + round, .why_none = ""};
    };
  }

  RoundHooks hooks() {
    return RoundHooks{
        .stop_requested =
            [this] { return stop_after_calls != 0 && calls.size() >= stop_after_calls; },
        .elapsed_s = [this] { return clock_s; },
        .on_missing = nullptr,
        .on_look = nullptr};
  }
};

const TunePlan kPlan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 6, .comparisons = 1};

TEST(TuneRounds, ARunThatFailsMidTuneIsAMissingRepetitionAndTheRoundsGoOn) {
  FakeRuns runs;
  runs.config_errors = {{0, 3}};  // setting 0 ran in rounds 1 and 2: its setup works
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), runs.hooks());

  EXPECT_NE(outcome.stopped_by, TuneStop::run_failed);
  EXPECT_FALSE(outcome.stopping_failure);
  ASSERT_EQ(outcome.missing.size(), 1u);
  const MissingRepetition& missing = outcome.missing[0];
  EXPECT_EQ(missing.setting, 0u);
  EXPECT_EQ(missing.round, 3u);
  EXPECT_TRUE(missing.run_failed);
  EXPECT_TRUE(missing.config_error);
  EXPECT_EQ(missing.reason, "link: tc refused the qdisc");
  // Round 3 was ranked with one value fewer for setting 0, and later rounds ran in full.
  EXPECT_GT(tuner.rounds(), 3u);
  EXPECT_EQ(tuner.samples()[0].size(), tuner.rounds() - 1);
  EXPECT_EQ(tuner.samples()[1].size(), tuner.rounds());
  EXPECT_EQ(runs.calls.size(), 2u * tuner.rounds());
}

// The first round of every setting fails: nothing will ever run, so tune stops at the first
// failure instead of spending the budget on more of the same.
TEST(TuneRounds, AConfigurationErrorBeforeASettingEverRanStopsAtOnce) {
  FakeRuns runs;
  runs.config_errors = {{0, 1}, {1, 1}};
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), runs.hooks());

  EXPECT_EQ(outcome.stopped_by, TuneStop::run_failed);
  ASSERT_TRUE(outcome.stopping_failure);
  EXPECT_EQ(outcome.stopping_failure->setting, 0u);
  EXPECT_EQ(outcome.stopping_failure->round, 1u);
  EXPECT_TRUE(outcome.stopping_failure->config_error);
  EXPECT_EQ(runs.calls.size(), 1u);
  EXPECT_EQ(tuner.rounds(), 0u);  // the cut round is not ranked
}

// Setting 1's setup fails in round 3 after two finished rounds: the finished rounds stay ranked.
TEST(TuneRounds, ASettingThatFailsTwoRoundsInARowStopsAndKeepsTheFinishedRounds) {
  FakeRuns runs;
  runs.other_errors = {{1, 3}, {1, 4}};
  std::vector<unsigned> told_rounds;
  RoundHooks hooks = runs.hooks();
  hooks.on_missing = [&](const MissingRepetition& missing) {
    told_rounds.push_back(missing.round);
  };
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), hooks);

  EXPECT_EQ(outcome.stopped_by, TuneStop::run_failed);
  ASSERT_TRUE(outcome.stopping_failure);
  EXPECT_EQ(outcome.stopping_failure->setting, 1u);
  EXPECT_EQ(outcome.stopping_failure->round, 4u);
  EXPECT_FALSE(outcome.stopping_failure->config_error);
  EXPECT_EQ(outcome.stopping_failure->reason, "thread start failed");
  ASSERT_EQ(outcome.missing.size(), 2u);
  EXPECT_EQ(outcome.missing[0].round, 3u);
  // Told of the failure tune went on without; the one that stopped it is the outcome's.
  EXPECT_EQ(told_rounds, std::vector<unsigned>{3});
  EXPECT_EQ(tuner.rounds(), 3u);  // rounds 1-3 ranked; round 4 was cut short
  EXPECT_EQ(tuner.samples()[1].size(), 2u);
}

// Only a configuration error is taken as permanent at once; anything else gets a second round.
TEST(TuneRounds, AnErrorInTheFirstRoundThatIsNotAConfigurationErrorGetsAnotherRound) {
  FakeRuns runs;
  runs.other_errors = {{0, 1}};
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), runs.hooks());

  EXPECT_NE(outcome.stopped_by, TuneStop::run_failed);
  ASSERT_EQ(outcome.missing.size(), 1u);
  EXPECT_FALSE(outcome.missing[0].config_error);
  EXPECT_EQ(tuner.samples()[0].size(), tuner.rounds() - 1);
}

TEST(TuneRounds, FailuresInRoundsApartDoNotStopTune) {
  FakeRuns runs;
  runs.other_errors = {{0, 2}, {0, 4}};
  // The first look after round 5, so rounds 1 to 5 run whatever the data.
  SequentialTuner tuner(2, Better::lower,
                        TunePlan{.alpha = 0.05, .min_rounds = 5, .max_rounds = 6});
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), runs.hooks());
  EXPECT_NE(outcome.stopped_by, TuneStop::run_failed);
  EXPECT_GE(tuner.rounds(), 5u);
  EXPECT_EQ(outcome.missing.size(), 2u);
  EXPECT_EQ(tuner.samples()[0].size(), tuner.rounds() - 2);
}

TEST(TuneRounds, ARunWithoutAValueIsRecordedWithWhyAndNeverStopsTune) {
  FakeRuns runs;
  runs.without_value = {0};
  std::vector<MissingRepetition> told;
  RoundHooks hooks = runs.hooks();
  hooks.on_missing = [&](const MissingRepetition& missing) { told.push_back(missing); };
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), hooks);

  EXPECT_EQ(outcome.stopped_by, TuneStop::max_rounds);
  ASSERT_EQ(outcome.missing.size(), kPlan.max_rounds);
  EXPECT_EQ(told.size(), outcome.missing.size());
  for (const MissingRepetition& missing : outcome.missing) {
    EXPECT_EQ(missing.setting, 0u);
    EXPECT_FALSE(missing.run_failed);
    EXPECT_EQ(missing.reason, "no answered request");
  }
  EXPECT_TRUE(tuner.samples()[0].empty());
}

// Ctrl-C during round 2: the cut round is not ranked, the first one is kept.
TEST(TuneRounds, AStopRequestedMidRoundLeavesThatRoundUnranked) {
  FakeRuns runs;
  runs.stop_after_calls = 3;
  SequentialTuner tuner(2, Better::lower, kPlan);
  const RoundsOutcome outcome = run_rounds(tuner, 2, 1e9, runs.runner(), runs.hooks());
  EXPECT_EQ(outcome.stopped_by, TuneStop::interrupted);
  EXPECT_EQ(runs.calls.size(), 3u);
  EXPECT_EQ(tuner.rounds(), 1u);
}

// The first estimate said 1 s a round; rounds take 2 s (one per run), so after one round the
// loop plans with 2 s and does not start a round that would end past the budget.
TEST(TuneRounds, TheNextRoundIsPlannedWithTheSlowestRoundSoFar) {
  FakeRuns runs;
  SequentialTuner tuner(2, Better::lower,
                        TunePlan{.alpha = 0.05, .min_rounds = 3, .max_rounds = 20});
  const RepetitionRunner same = [&](size_t setting, unsigned round) {
    RepetitionValue value = runs.runner()(setting, round);
    value.value = 1000.0 + round;
    return value;
  };
  const RoundsOutcome outcome = run_rounds(tuner, 1, 7, same, runs.hooks());
  EXPECT_EQ(outcome.stopped_by, TuneStop::budget);
  EXPECT_EQ(tuner.rounds(), 3u);  // a fourth would end at 8 s
}

}  // namespace
}  // namespace th
