#pragma once

#include <cstdint>

#include "load/load_plan.hpp"
#include "run/run_options.hpp"
#include "run/run_result.hpp"

namespace th {

class EmbeddedTarget;

// A run whose every connection attempt has failed for this long, none having connected, stops:
// counting refusals for the whole duration measures nothing. A refusal is one RST, so half a
// second is many round trips on any network a request could be measured over, and each
// connection retries every 10 ms (ClientConnection::kBackoffNs), dozens of attempts; a server
// started just before the run (in the background, by a CI job) is listening well within it,
// and one that has accepted a single connection is measured to the end as before.
inline constexpr uint64_t kUnreachableAfterNs = 500'000'000;

// Starts one load-generator thread per plan.threads, each with its share of the connections,
// and waits for them: forwards a stop request, opens the embedded target's measured window at
// the end of warm-up and reports progress. Then merges what the threads measured into `result`
// (recorder, CPU, window length, options as applied, end-of-run counts, the threads' failures).
// A target that has accepted no connection kUnreachableAfterNs into the load stops the run
// (stopped_by target_unreachable); a run that ends with none connected says so in `unreachable`.
void drive_load(LoadPlan& plan, const Scenario& scenario, EmbeddedTarget* target,
                const RunOptions& options, RunResult& result);

// Asks the run in progress (if any) to stop early: load stops, in-flight requests get a short
// grace, and the result says it was interrupted. Async-signal-safe.
void request_stop() noexcept;
bool stop_was_requested() noexcept;

}  // namespace th
