#include "run/run_executor.hpp"

#include <uv.h>

#include <csignal>
#include <memory>
#include <optional>

#include "host/netstat.hpp"
#include "host/sockstat.hpp"
#include "run/embedded_target.hpp"
#include "run/load_plan_builder.hpp"
#include "run/preflight.hpp"
#include "run/run_warnings.hpp"

namespace th {

RunResult execute_run(const RunSpec& spec, const RunOptions& options) {
  // A write to a connection the peer has reset must come back as EPIPE, counted as an error,
  // never as a signal that ends the process.
  signal(SIGPIPE, SIG_IGN);
  const Scenario& scenario = spec.scenario;
  preflight_run(spec);

  RunResult result;
  result.name = spec.name;
  result.params = spec.params;
  result.scenario = scenario;
  result.target_rate_per_s = scenario.rate;

  std::unique_ptr<EmbeddedTarget> embedded;
  PlanTarget target;
  if (scenario.target) {
    // The resolve phase: timed here once per run unless every connection resolves afresh.
    const uint64_t resolve_start = uv_hrtime();
    target = external_plan_target(*scenario.target,
                                  resolve_address(scenario.target->host, scenario.target->port));
    if (scenario.resolve == ResolveMode::once) {
      result.recorder.resolve.record(static_cast<int64_t>(uv_hrtime() - resolve_start));
    }
  } else {
    embedded = std::make_unique<EmbeddedTarget>(scenario, spec.name);
    target = embedded_plan_target(embedded->address());
    result.embedded_server = true;
  }
  result.target = target.address.to_string();
  const std::unique_ptr<LoadPlan> plan = make_load_plan(scenario, target, uv_hrtime());

  const auto fastopen_counters = [&embedded] {
    return embedded ? embedded->fastopen_counters() : read_fastopen_counters();
  };
  result.time_wait_before = time_wait_sockets();
  const std::optional<FastOpenCounters> fastopen_before = fastopen_counters();
  drive_load(*plan, scenario, embedded.get(), options, result);
  if (embedded) embedded->finish(result);

  // drive_load says when it stopped a run whose target accepts nothing: that stop request was
  // its own, not the user's.
  if (result.stopped_by != StopReason::target_unreachable) {
    if (plan->stop_requested.load()) {
      result.stopped_by = StopReason::interrupted;
    } else if (plan->tickets_exhausted()) {
      result.stopped_by = StopReason::requests;
    }
  }
  result.time_wait_after = time_wait_sockets();
  const std::optional<FastOpenCounters> fastopen_after = fastopen_counters();
  if (fastopen_before && fastopen_after) result.tcp_fastopen = *fastopen_after - *fastopen_before;
  add_run_warnings(result);
  return result;
}

}  // namespace th
