#pragma once

#include "load/load_plan.hpp"
#include "run/run_options.hpp"
#include "run/run_result.hpp"

namespace th {

class EmbeddedTarget;

// Starts one load-generator thread per plan.threads, each with its share of the connections,
// and waits for them: forwards a stop request, opens the embedded target's measured window at
// the end of warm-up and reports progress. Then merges what the threads measured into `result`
// (recorder, CPU, window length, options as applied, end-of-run counts, the threads' failures).
void drive_load(LoadPlan& plan, const Scenario& scenario, EmbeddedTarget* target,
                const RunOptions& options, RunResult& result);

// Asks the run in progress (if any) to stop early: load stops, in-flight requests get a short
// grace, and the result says it was interrupted. Async-signal-safe.
void request_stop() noexcept;
bool stop_was_requested() noexcept;

}  // namespace th
