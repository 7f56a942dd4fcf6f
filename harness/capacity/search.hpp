#pragma once

#include <optional>
#include <string>
#include <vector>

#include "capacity/probe.hpp"

namespace th {

struct SearchSettings {
  double start_rate = 1000;
  // Repetitions a rate needs, every one met, before it counts as sustained: one lucky probe is
  // not a capacity.
  unsigned confirmations = 3;
  double min_rate = 1;
  double max_rate = 10'000'000;
  unsigned max_probes = 60;
  // Rates closer than this fraction of the lower one are not told apart even when the
  // repetitions show no noise: half the tolerance by which an achieved rate may miss its target.
  double resolution = kScheduleTolerance / 2;
};

// A rate is taken for the generator's limit once it held the generator up this many times, and
// more often than it was met: a neighbour's burst on a shared machine (seen here: seconds of
// every thread running several times slower) holds it up for a while, not for ever.
inline constexpr size_t kGeneratorBoundRepeats = 3;

// Every probe at one target rate. Generator-bound runs count neither for nor against the server.
struct RatePoint {
  double rate = 0;
  std::vector<ProbeRun> runs;

  size_t count(ProbeOutcome outcome) const;
  bool any_missed() const { return count(ProbeOutcome::missed) > 0; }  // by the server
  // The generator could not keep this rate's schedule, again and more often than not; the
  // server never missed.
  bool generator_limited() const;
  // Met whenever the generator kept its schedule, at least once.
  bool all_met() const;
  // Held up at least as often as met, but fewer than kGeneratorBoundRepeats times, or nothing
  // but disturbed: run it again before drawing any conclusion.
  bool needs_rerun() const;
};

enum class CapacityVerdict {
  found,            // bracketed: met at rate_per_s, missed just above, interval within the noise
  budget_spent,     // the budget ended first; the interval is wider than the noise
  generator_bound,  // the generator could not go on before the server missed: a lower bound only
  slo_unmet,        // no rate down to min_rate met the SLO
  above_max,        // met at max_rate: the server was never pushed past the SLO
  interrupted,
};

const char* to_string(CapacityVerdict verdict);

struct SearchResult {
  CapacityVerdict verdict = CapacityVerdict::slo_unmet;
  std::optional<double> rate_per_s;       // highest rate met in all its repetitions
  std::optional<double> missed_at_per_s;  // lowest rate above it that the server missed
  std::optional<double> generator_bound_at_per_s;
  double noise_per_s = 0;    // how far the boundary moves with the repetitions' noise (2 sigma)
  std::string noise_source;  // which measurement set noise_per_s
  std::string remedy;        // generator_bound: what to change in the load generator
};

// Bracket the rate exponentially from start_rate, then bisect, repeating the met rates
// `confirmations` times; stop when the bracket is within the noise the repetitions measure
// (the spread of the SLO's value at the met end over the slope of the curve across the bracket,
// or the spread of the throughput of saturated probes of one rate), within `resolution`, or when a
// probe shows the generator, not the server, as the limit. No clock: the caller runs the probes and
// decides about time (stop_for_budget).
class CapacitySearch {
 public:
  CapacitySearch(SearchSettings settings, std::vector<SloClause> slo);

  // The target rate of the next probe; nothing when the search is over.
  std::optional<double> next_rate() const;
  // Judges the probe against the SLO and the baseline so far, and every earlier probe again if
  // the baseline moved; returns the probe as judged.
  const ProbeRun& record(ProbeRun run);
  void stop(CapacityVerdict why);  // budget_spent or interrupted

  const std::vector<RatePoint>& points() const { return points_; }  // in increasing rate
  SearchResult result() const;
  size_t probes() const { return probes_; }
  // The lowest service time p50 and CPU per request seen at met rates: the machine unhurried.
  ProbeBaseline baseline() const;

 private:
  struct Bracket {
    const RatePoint* low = nullptr;        // highest rate met so far below `high`
    const RatePoint* high = nullptr;       // lowest rate the server missed
    const RatePoint* generator = nullptr;  // lowest rate the generator could not keep
  };
  Bracket bracket() const;
  double noise(const Bracket& bracket, std::string* source) const;
  bool narrow_enough(const Bracket& bracket) const;

  SearchSettings settings_;
  std::vector<SloClause> slo_;
  std::vector<RatePoint> points_;
  size_t probes_ = 0;
  std::optional<CapacityVerdict> stopped_;
};

}  // namespace th
