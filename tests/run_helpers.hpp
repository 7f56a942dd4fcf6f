#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "load/run_executor.hpp"
#include "scenario/loader.hpp"
#include "stats/run_result.hpp"

namespace th::testing {

// Runs one scenario given as JSON text, exactly as `tcpharness run` would (same parser, same
// validation, same executor), and returns what was measured.
inline RunResult run_scenario(const nlohmann::json& scenario) {
  RunSpec spec;
  spec.scenario = scenario_from_json(scenario, "test");
  spec.name = spec.scenario.name;
  return execute_run(spec);
}

inline uint64_t errors_of(const RunResult& result, ErrorKind kind) {
  return result.recorder.errors[static_cast<size_t>(kind)];
}

}  // namespace th::testing
