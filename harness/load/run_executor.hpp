#pragma once

#include <atomic>

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

// The checks execute_run makes before it starts, without starting anything: run over every
// run of a sweep first, so a bad value in the last run stops the command before the first.
void preflight_run(const RunSpec& spec);

// Asks the run in progress (if any) to stop early: load stops, in-flight requests get a short
// grace, and the result says it was interrupted. Async-signal-safe.
void request_stop() noexcept;
bool stop_was_requested() noexcept;

}  // namespace th
