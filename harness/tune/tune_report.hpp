#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tune/objective.hpp"
#include "tune/recommendation.hpp"
#include "tune/round_loop.hpp"
#include "tune/sequential.hpp"

namespace th {

// Everything `tune` found, for the report's "tune" key and the console.
struct TuneSummary {
  const Objective* objective = nullptr;
  TunePlan plan;
  double budget_s = 0;
  unsigned max_rounds_asked = 0;  // --max-rounds, before the budget lowered it
  double round_estimate_s = 0;    // before the first round, from duration_s + warmup_s
  double elapsed_s = 0;
  TuneStop stopped_by = TuneStop::max_rounds;
  std::vector<TuneSetting> settings;         // in sweep order
  std::vector<std::vector<double>> samples;  // the objective of each repetition, per setting
  std::vector<Look> looks;                   // one per round from min_rounds on
  Look final_look;                           // the ranking the verdict is drawn from
  Recommendation recommendation;
  std::vector<std::string> notes;  // e.g. settings whose runs counted errors
  // Every repetition that added no value (its run failed, or it had none), partial round included.
  std::vector<MissingRepetition> missing;
  std::optional<MissingRepetition> stopping_failure;  // with TuneStop::run_failed
};

nlohmann::json tune_to_json(const TuneSummary& summary);

// The console table and the recommendation line (tune_text.cpp).
std::string tune_to_text(const TuneSummary& summary);

}  // namespace th
