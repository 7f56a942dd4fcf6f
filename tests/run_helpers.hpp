#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/run_executor.hpp"
#include "run/run_result.hpp"
#include "scenario/loader.hpp"

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

// The reading of the socket option `name` among a run's client_options or server_options; a
// test failure (and an empty reading) when it is not there.
inline OptionReading reading_of(const std::vector<OptionReading>& readings,
                                const std::string& name) {
  for (const OptionReading& reading : readings) {
    if (reading.name == name) return reading;
  }
  ADD_FAILURE() << name << " not reported";
  return OptionReading{};
}

}  // namespace th::testing
