// The capacity search against a server model with a known capacity: no sockets, so the search's
// arithmetic (bracket, bisection, confirmations, noise, generator-bound) is checked exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "capacity/capacity_report.hpp"
#include "capacity/knee.hpp"
#include "capacity/search.hpp"

namespace th {
namespace {

// A server of capacity `capacity` req/s whose p99 grows as 1 / (1 - load) below it and is far
// over any limit beyond it (an open loop's queue grows for the whole probe), with a relative
// noise on the p99 of each probe. It gives figures, as a run would; the search judges them.
struct ModelServer {
  double capacity = 9000;
  double idle_p99_us = 500;
  double noise = 0.0;
  std::optional<double> generator_limit;  // the generator cannot send faster than this
  int hiccups = 0;       // the next this many probes find the generator held up, whatever the rate
  int calm_probes = 0;   // probes before the disturbances begin
  int disturbances = 0;  // then this many find the whole machine slowed down
  std::mt19937 random{42};

  ProbeRun probe(double rate, const std::vector<SloClause>& slo) {
    ProbeRun run;
    run.target_rate = rate;
    const double load = rate / capacity;
    std::normal_distribution<double> wobble(1.0, noise);
    double p99 = load < 1 ? idle_p99_us / (1 - load) * std::max(0.1, wobble(random))
                          : 1e6 * (load - 1) + 50'000;
    run.achieved_rate = load < 1 ? rate : capacity * 0.98;
    run.answered_rate = std::min(rate, capacity * 0.98);
    run.service_p50_us = idle_p99_us / 2;
    run.client_cpu_us_per_request = 50;
    run.server_cpu_us_per_request = 30;
    if (generator_limit && rate > *generator_limit) {
      run.achieved_rate = run.answered_rate = *generator_limit;
      run.late_share = 0.2;
    }
    if (hiccups-- > 0) {
      run.late_share = 0.05;
      p99 = 100'000;
    }
    if (calm_probes-- <= 0 && disturbances-- > 0) {
      *run.client_cpu_us_per_request *= 3;
      *run.server_cpu_us_per_request *= 3;
      p99 = 100'000;
    }
    run.slo_values.assign(slo.size(), p99);
    run.p99_us = run.curve_value = p99;
    return run;
  }
};

// Probes the model as the search asks until it is over.
void search_to_the_end(CapacitySearch& search, ModelServer& server,
                       const std::vector<SloClause>& slo) {
  while (const std::optional<double> rate = search.next_rate()) {
    search.record(server.probe(*rate, slo));
  }
}

SearchResult search_model(ModelServer& server, const std::vector<SloClause>& slo,
                          SearchSettings settings = {}) {
  CapacitySearch search(settings, slo);
  search_to_the_end(search, server, slo);
  return search.result();
}

// The highest rate whose p99 is at most the limit: idle / (1 - r/C) = limit.
double true_capacity(const ModelServer& server, double limit_us) {
  return server.capacity * (1 - server.idle_p99_us / limit_us);
}

TEST(CapacitySearch, BracketsThenBisectsToTheRateWhereTheSloStopsHolding) {
  ModelServer server;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  const SearchResult result = search_model(server, slo);
  ASSERT_EQ(result.verdict, CapacityVerdict::found);
  const double truth = true_capacity(server, 10'000);  // 8,550/s
  ASSERT_TRUE(result.rate_per_s && result.missed_at_per_s);
  EXPECT_LE(*result.rate_per_s, truth);
  EXPECT_GT(*result.missed_at_per_s, truth);
  // Without noise the bracket closes to the resolution: half the 1 % schedule tolerance.
  EXPECT_LE(*result.missed_at_per_s - *result.rate_per_s, 0.005 * *result.rate_per_s + 1);
}

TEST(CapacitySearch, StartsBelowOrAboveAndFindsTheSameBracket) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  for (const double start : {10.0, 1000.0, 100'000.0}) {
    ModelServer server;
    SearchSettings settings;
    settings.start_rate = start;
    const SearchResult result = search_model(server, slo, settings);
    ASSERT_EQ(result.verdict, CapacityVerdict::found) << "start " << start;
    EXPECT_NEAR(*result.rate_per_s, true_capacity(server, 10'000), 0.01 * 8550) << start;
  }
}

TEST(CapacitySearch, AMetRateCountsOnlyAfterEveryConfirmationMet) {
  ModelServer server;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  search_to_the_end(search, server, slo);
  const SearchResult result = search.result();
  for (const RatePoint& point : search.points()) {
    if (point.rate == *result.rate_per_s) {
      EXPECT_GE(point.runs.size(), 3u);
    }
  }
}

TEST(CapacitySearch, NoisierRepetitionsStopTheSearchWithAWiderInterval) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  ModelServer quiet;
  ModelServer noisy;
  noisy.noise = 0.3;
  const SearchResult calm = search_model(quiet, slo);
  const SearchResult rough = search_model(noisy, slo);
  EXPECT_EQ(calm.noise_per_s, 0);
  EXPECT_GT(rough.noise_per_s, 0);
  ASSERT_TRUE(rough.rate_per_s && rough.missed_at_per_s);
  EXPECT_GT(*rough.missed_at_per_s - *rough.rate_per_s, *calm.missed_at_per_s - *calm.rate_per_s);
  EXPECT_FALSE(rough.noise_source.empty());
}

TEST(CapacitySearch, AGeneratorThatCannotKeepUpIsNamedInsteadOfAServerCapacity) {
  ModelServer server;
  server.generator_limit = 3000;
  const SearchResult result = search_model(server, parse_slo("p99<=10ms"));
  EXPECT_EQ(result.verdict, CapacityVerdict::generator_bound);
  ASSERT_TRUE(result.generator_bound_at_per_s);
  EXPECT_GT(*result.generator_bound_at_per_s, 3000);
  EXPECT_FALSE(result.missed_at_per_s);  // the server was never seen to miss
  EXPECT_NE(result.remedy.find("client_cpus"), std::string::npos) << result.remedy;
}

TEST(CapacitySearch, AGeneratorHeldUpOnceIsProbedAgainNotTakenForTheLimit) {
  ModelServer server;
  server.hiccups = 1;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  search.record(server.probe(*search.next_rate(), slo));
  EXPECT_EQ(search.next_rate(), 1000);  // the same rate again
  search_to_the_end(search, server, slo);
  EXPECT_EQ(search.result().verdict, CapacityVerdict::found);
  EXPECT_NEAR(*search.result().rate_per_s, true_capacity(server, 10'000), 0.01 * 8550);
}

TEST(CapacitySearch, ProbesOfASlowedMachineAreRunAgainAndCountForNothing) {
  ModelServer server;
  server.calm_probes = 4;
  server.disturbances = 4;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  search_to_the_end(search, server, slo);
  EXPECT_EQ(search.result().verdict, CapacityVerdict::found);
  EXPECT_NEAR(*search.result().rate_per_s, true_capacity(server, 10'000), 0.01 * 8550);
  size_t disturbed = 0;
  for (const RatePoint& point : search.points()) disturbed += point.count(ProbeOutcome::disturbed);
  EXPECT_EQ(disturbed, 4u);
}

TEST(CapacitySearch, TheFirstProbesAreJudgedAgainOnceABaselineExists) {
  // The first probe misses while the machine is slow, before any probe met: nothing to compare
  // with, so it counts against the server until the calm probes show it was the machine.
  ModelServer server;
  server.disturbances = 1;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  EXPECT_EQ(search.record(server.probe(1000, slo)).outcome, ProbeOutcome::missed);
  search.record(server.probe(500, slo));
  EXPECT_EQ(search.points().back().runs.front().outcome, ProbeOutcome::disturbed);
  EXPECT_EQ(search.next_rate(), 1000);  // probed again
}

TEST(CapacitySearch, AnSloNoRateMeetsEndsAtTheLowestRate) {
  ModelServer server;
  SearchSettings settings;
  settings.min_rate = 10;
  const SearchResult result = search_model(server, parse_slo("p99<=100us"), settings);
  EXPECT_EQ(result.verdict, CapacityVerdict::slo_unmet);
  EXPECT_FALSE(result.rate_per_s);
}

TEST(CapacitySearch, MetAtTheHighestRateTriedIsAtLeastThatRate) {
  ModelServer server;
  SearchSettings settings;
  settings.max_rate = 4000;
  const SearchResult result = search_model(server, parse_slo("p99<=10ms"), settings);
  EXPECT_EQ(result.verdict, CapacityVerdict::above_max);
  EXPECT_EQ(result.rate_per_s, 4000);
}

TEST(CapacitySearch, ABudgetStopLeavesTheIntervalItReached) {
  ModelServer server;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  for (int probe = 0; probe < 6; ++probe) search.record(server.probe(*search.next_rate(), slo));
  search.stop(CapacityVerdict::budget_spent);
  EXPECT_FALSE(search.next_rate());
  const SearchResult result = search.result();
  EXPECT_EQ(result.verdict, CapacityVerdict::budget_spent);
  ASSERT_TRUE(result.rate_per_s && result.missed_at_per_s);
  EXPECT_LT(*result.rate_per_s, *result.missed_at_per_s);
}

TEST(CapacityKnee, KneedleFindsWhereAFlatCurveTurnsSteep) {
  // Flat to 6,000/s, then a hockey stick.
  const std::vector<CurvePoint> curve = {{1000, 1.0}, {2000, 1.0}, {4000, 1.1},
                                         {6000, 1.3}, {7000, 3.0}, {8000, 10.0}};
  EXPECT_EQ(kneedle_knee(curve), 6000);
  // A straight line has no knee; two points are not a curve.
  EXPECT_FALSE(kneedle_knee(std::vector<CurvePoint>{{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_FALSE(kneedle_knee(std::vector<CurvePoint>{{1, 1}, {2, 5}}));
}

TEST(CapacityKnee, TheKneeOfAFoundCapacityLiesBelowIt) {
  ModelServer server;
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  CapacitySearch search({}, slo);
  search_to_the_end(search, server, slo);
  const std::optional<double> knee = curve_knee(search.points());
  ASSERT_TRUE(knee);
  EXPECT_LT(*knee, *search.result().rate_per_s);
}

}  // namespace
}  // namespace th
