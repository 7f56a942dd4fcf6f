#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tune/missing_values.hpp"
#include "tune/tune_report.hpp"

namespace th {

// What `tune` says in words, the same on the console and in the report's tune section.

// Why the rounds ended: "settled: ...", "stopped in round 4: the run of X failed in two rounds in
// a row".
std::string stop_sentence(const TuneSummary& summary);

// The recommendation, or why there is none, with what it needs from the host. Its claims are
// about the settings with a value; those in `without_value` are named as not compared.
std::string verdict_sentence(const TuneSummary& summary,
                             const std::vector<SettingWithoutValue>& without_value);

// How many runs threw (the missing repetitions that are failures, not runs without a value).
size_t failed_runs(const TuneSummary& summary);

}  // namespace th
