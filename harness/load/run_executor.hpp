#pragma once

#include <atomic>

#include "load/preflight.hpp"
#include "scenario/scenario.hpp"
#include "stats/run_result.hpp"

namespace th {

// Runs one RunSpec start to finish: probes the socket options, starts the embedded server when
// there is no target, drives the load, and returns everything measured. Configuration problems
// (an option the kernel refuses, a CPU that does not exist, an address that cannot be bound)
// throw ConfigError before any load starts; faults during the run are counted, never thrown.
struct RunOptions {
  bool progress = false;  // a live status line on stderr (only when it is a terminal)
};
RunResult execute_run(const RunSpec& spec, const RunOptions& options = {});

// Asks the run in progress (if any) to stop early: load stops, in-flight requests get a short
// grace, and the result says it was interrupted. Async-signal-safe.
void request_stop() noexcept;
bool stop_was_requested() noexcept;

}  // namespace th
