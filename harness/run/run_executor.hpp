#pragma once

#include "run/drive_load.hpp"
#include "run/run_options.hpp"
#include "run/run_result.hpp"
#include "scenario/scenario.hpp"

namespace th {

// Runs one RunSpec start to finish: checks it (preflight_run), starts the embedded target when
// there is no external one, makes the load plan, drives the load and returns everything measured
// with the run's warnings. Configuration problems (an option the kernel refuses, a CPU that does
// not exist, an address that cannot be bound) throw ConfigError before any load starts; faults
// during the run are counted, never thrown.
RunResult execute_run(const RunSpec& spec, const RunOptions& options = {});

}  // namespace th
