#include "capacity/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace th {
namespace {

// Two standard deviations: a boundary this far off is still within what the repetitions showed.
constexpr double kNoiseSigmas = 2.0;

double sample_stddev(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double mean = 0;
  for (double value : values) mean += value;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double value : values) sum += value;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

// Whole requests per second where that is precise enough; a bisection step of a slow server's
// rate may need decimals.
double tidy_rate(double rate) {
  return rate >= 100 ? std::round(rate) : std::round(rate * 100) / 100;
}

bool clause_failed(const SloClause& clause, const std::optional<double>& value) {
  return !value || !clause.admits(*value);
}

}  // namespace

size_t RatePoint::count(ProbeOutcome outcome) const {
  return static_cast<size_t>(std::count_if(
      runs.begin(), runs.end(), [outcome](const ProbeRun& run) { return run.outcome == outcome; }));
}

bool RatePoint::generator_limited() const {
  const size_t held_up = count(ProbeOutcome::generator_bound);
  return !any_missed() && held_up >= kGeneratorBoundRepeats && held_up > count(ProbeOutcome::met);
}

bool RatePoint::all_met() const {
  return !any_missed() && !generator_limited() && count(ProbeOutcome::met) > 0;
}

bool RatePoint::needs_rerun() const {
  const size_t held_up = count(ProbeOutcome::generator_bound);
  const size_t met = count(ProbeOutcome::met);
  if (!any_missed() && held_up == 0 && met == 0) return true;  // disturbed, every run
  return !any_missed() && held_up > 0 && held_up < kGeneratorBoundRepeats && held_up >= met;
}

const char* to_string(CapacityVerdict verdict) {
  switch (verdict) {
    case CapacityVerdict::found:
      return "found";
    case CapacityVerdict::budget_spent:
      return "budget_spent";
    case CapacityVerdict::generator_bound:
      return "generator_bound";
    case CapacityVerdict::slo_unmet:
      return "slo_unmet";
    case CapacityVerdict::above_max:
      return "above_max";
    case CapacityVerdict::interrupted:
      return "interrupted";
  }
  return "slo_unmet";
}

CapacitySearch::CapacitySearch(SearchSettings settings, std::vector<SloClause> slo)
    : settings_(settings), slo_(std::move(slo)) {}

const ProbeRun& CapacitySearch::record(ProbeRun run) {
  run.sequence = probes_++;
  const ProbeBaseline before = baseline();
  judge_probe(run, slo_, before);
  const double rate = run.target_rate;
  auto at = std::lower_bound(points_.begin(), points_.end(), rate,
                             [](const RatePoint& point, double r) { return point.rate < r; });
  if (at == points_.end() || at->rate != rate) at = points_.insert(at, RatePoint{rate, {}});
  at->runs.push_back(std::move(run));
  const size_t index = static_cast<size_t>(at - points_.begin());
  // A met probe is met whatever the baseline, so judging again cannot move the baseline further.
  const ProbeBaseline after = baseline();
  if (after.service_p50_us != before.service_p50_us ||
      after.client_cpu_us_per_request != before.client_cpu_us_per_request ||
      after.server_cpu_us_per_request != before.server_cpu_us_per_request) {
    for (RatePoint& point : points_) {
      for (ProbeRun& earlier : point.runs) judge_probe(earlier, slo_, after);
    }
  }
  return points_[index].runs.back();
}

void CapacitySearch::stop(CapacityVerdict why) { stopped_ = why; }

CapacitySearch::Bracket CapacitySearch::bracket() const {
  Bracket found;
  for (const RatePoint& point : points_) {
    if (found.high == nullptr && point.any_missed()) found.high = &point;
    if (found.generator == nullptr && point.generator_limited()) found.generator = &point;
  }
  double ceiling = INFINITY;
  if (found.high) ceiling = found.high->rate;
  if (found.generator) ceiling = std::min(ceiling, found.generator->rate);
  for (const RatePoint& point : points_) {
    if (point.rate < ceiling && point.all_met()) found.low = &point;
  }
  return found;
}

ProbeBaseline CapacitySearch::baseline() const {
  ProbeBaseline lowest;
  const auto lower = [](std::optional<double>& kept, const std::optional<double>& seen) {
    if (seen && (!kept || *seen < *kept)) kept = seen;
  };
  for (const RatePoint& point : points_) {
    for (const ProbeRun& run : point.runs) {
      if (run.outcome != ProbeOutcome::met) continue;
      lower(lowest.service_p50_us, run.service_p50_us);
      lower(lowest.client_cpu_us_per_request, run.client_cpu_us_per_request);
      lower(lowest.server_cpu_us_per_request, run.server_cpu_us_per_request);
    }
  }
  return lowest;
}

double CapacitySearch::noise(const Bracket& bracket, std::string* source) const {
  double widest = 0;
  const auto consider = [&](double width, std::string why) {
    if (width <= widest) return;
    widest = width;
    if (source) *source = std::move(why);
  };
  if (bracket.low && bracket.high) {
    const double span = bracket.high->rate - bracket.low->rate;
    // The delta method: a value that wanders by sigma at the met end moves the rate where it
    // crosses its limit by sigma over the curve's slope across the bracket.
    for (size_t index = 0; index < slo_.size(); ++index) {
      const SloClause& clause = slo_[index];
      std::vector<double> at_low;
      std::vector<double> at_high;
      bool failed_high = false;
      for (const ProbeRun& run : bracket.low->runs) {
        if (run.outcome == ProbeOutcome::met && run.slo_values[index]) {
          at_low.push_back(*run.slo_values[index]);
        }
      }
      for (const ProbeRun& run : bracket.high->runs) {
        if (run.outcome != ProbeOutcome::missed) continue;
        failed_high = failed_high || clause_failed(clause, run.slo_values[index]);
        if (run.slo_values[index]) at_high.push_back(*run.slo_values[index]);
      }
      if (!failed_high || at_low.size() < 2 || at_high.empty()) continue;
      const double slope = (mean_of(at_high) - mean_of(at_low)) / span;
      const double sigma = sample_stddev(at_low);
      const double width = slope > 0 ? kNoiseSigmas * sigma / slope : span;
      consider(width, fmt::format("the spread of {} at {:g}/s over the curve's slope up to {:g}/s",
                                  clause.text, bracket.low->rate, bracket.high->rate));
    }
  }
  // A saturated server answers at its own pace whatever was asked: the spread of that pace over
  // repetitions of one rate is the capacity's own noise. Different rates are not pooled, since
  // the deeper the overload, the more of the window's answers are still queued at its end.
  for (const RatePoint& point : points_) {
    std::vector<double> saturated;
    for (const ProbeRun& run : point.runs) {
      if (run.outcome == ProbeOutcome::missed &&
          run.answered_rate < (1.0 - kScheduleTolerance) * run.target_rate) {
        saturated.push_back(run.answered_rate);
      }
    }
    if (saturated.size() < 2) continue;
    consider(kNoiseSigmas * sample_stddev(saturated),
             fmt::format("the spread of the answered rate over {} saturated probes at {:g}/s",
                         saturated.size(), point.rate));
  }
  return widest;
}

bool CapacitySearch::narrow_enough(const Bracket& bracket) const {
  const double width = bracket.high->rate - bracket.low->rate;
  return width <= std::max(noise(bracket, nullptr), settings_.resolution * bracket.low->rate);
}

std::optional<double> CapacitySearch::next_rate() const {
  if (stopped_ || probes_ >= settings_.max_probes) return std::nullopt;
  if (points_.empty()) return tidy_rate(settings_.start_rate);
  for (const RatePoint& point : points_) {
    if (point.needs_rerun()) return point.rate;
  }
  const Bracket found = bracket();
  if (found.low == nullptr) {
    const double lower = tidy_rate(points_.front().rate / 2);
    if (lower < settings_.min_rate || lower >= points_.front().rate) return std::nullopt;
    return lower;
  }
  if (found.high == nullptr && found.generator == nullptr) {
    if (found.low->rate >= settings_.max_rate) return std::nullopt;
    return tidy_rate(std::min(found.low->rate * 2, settings_.max_rate));
  }
  if (found.low->count(ProbeOutcome::met) < settings_.confirmations) return found.low->rate;
  if (found.high == nullptr || (found.generator && found.generator->rate < found.high->rate)) {
    return std::nullopt;  // the generator binds first: nothing more to learn about the server
  }
  if (narrow_enough(found)) return std::nullopt;
  const double middle = tidy_rate((found.low->rate + found.high->rate) / 2);
  if (middle <= found.low->rate || middle >= found.high->rate) return std::nullopt;
  return middle;
}

SearchResult CapacitySearch::result() const {
  SearchResult result;
  const Bracket found = bracket();
  if (found.low) result.rate_per_s = found.low->rate;
  if (found.high) result.missed_at_per_s = found.high->rate;
  if (found.generator) {
    result.generator_bound_at_per_s = found.generator->rate;
    for (const ProbeRun& run : found.generator->runs) {
      if (run.outcome == ProbeOutcome::generator_bound) result.remedy = run.remedy;
    }
  }
  result.noise_per_s = noise(found, &result.noise_source);
  const bool generator_first =
      found.generator && (found.high == nullptr || found.generator->rate < found.high->rate);
  if (stopped_ == CapacityVerdict::interrupted) {
    result.verdict = CapacityVerdict::interrupted;
  } else if (generator_first) {
    result.verdict = CapacityVerdict::generator_bound;
  } else if (found.low == nullptr) {
    result.verdict = stopped_ ? *stopped_ : CapacityVerdict::slo_unmet;
  } else if (found.high == nullptr) {
    result.verdict = found.low->rate >= settings_.max_rate ? CapacityVerdict::above_max
                                                           : CapacityVerdict::budget_spent;
  } else if (found.low->count(ProbeOutcome::met) >= settings_.confirmations &&
             narrow_enough(found)) {
    result.verdict = CapacityVerdict::found;
  } else {
    result.verdict = CapacityVerdict::budget_spent;
  }
  return result;
}

}  // namespace th
