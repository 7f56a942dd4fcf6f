#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "report/reporter.hpp"
#include "tune/objective.hpp"
#include "tune/recommendation.hpp"
#include "tune/round_loop.hpp"
#include "tune/tune_report.hpp"

namespace th {

// Everything one `tune` invocation fixes before its first run.
struct TuneJob {
  const Objective* objective = nullptr;
  TunePlan plan;
  std::vector<TuneSetting> settings;  // in sweep order, one per RunSpec
  double budget_s = 0;
  unsigned max_rounds_asked = 0;
  double round_estimate_s = 0;
  ReportInput report;  // the header (scenario, host, labels, started_at); the runs are added
  std::string out_path;
  bool pretty = false;  // indented JSON
};

// Runs setting `setting` once, in round `round` (1-based). Throws when the run cannot be done.
using SettingRunner = std::function<RunResult(size_t setting, unsigned round)>;

// Runs the rounds (run_rounds), then writes the report atomically to job.out_path, however the
// rounds ended: settled, out of rounds or budget, interrupted, or stopped by a failing run. The
// report holds every run that finished, partial round included, and the tune summary, which is
// returned for the console. Only writing the report can throw (ConfigError naming the path).
TuneSummary tune_and_report(TuneJob job, const SettingRunner& run, const RoundHooks& hooks);

}  // namespace th
