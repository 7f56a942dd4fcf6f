#pragma once

#include <span>
#include <string>
#include <vector>

#include "run/run_result.hpp"

namespace th {

// One thing a user should know to read a run right, derived from the run's result alone: each
// rule looks at a finished RunResult and adds its sentence (or several) when its case applies.
struct WarningRule {
  const char* name;  // what the rule is about, for tests and for the reader of the table
  void (*check)(const RunResult& result, std::vector<std::string>& warnings);
};

// harness_share_high: the harness's share of the round trip (timestamps: true) above which a run
// is flagged.
inline constexpr double kHarnessShareWarning = 0.6;

// Every rule, in the order their sentences are shown.
std::span<const WarningRule> warning_rules();

// Appends the sentences of every rule that applies to result.warnings.
void add_run_warnings(RunResult& result);

}  // namespace th
