#include "run/run_executor.hpp"

#include <uv.h>

#include <csignal>
#include <memory>
#include <optional>

#include "host/connection_ends.hpp"
#include "host/netstat.hpp"
#include "host/sockstat.hpp"
#include "run/embedded_target.hpp"
#include "run/load_plan_builder.hpp"
#include "run/preflight.hpp"
#include "run/run_warnings.hpp"

namespace th {
namespace {

// The target's TIME_WAITs in every namespace of the run.
std::optional<TimeWaitCount> time_wait_of(const SocketAddress& server, int server_netns) {
  std::optional<TimeWaitCount> count = count_time_wait(server.storage);
  if (!count || server_netns < 0) return count;
  const std::optional<TimeWaitCount> inside = count_time_wait(server.storage, server_netns);
  if (!inside) return std::nullopt;
  return TimeWaitCount{count->client_side + inside->client_side,
                       count->server_side + inside->server_side};
}

// Before the load: the counters, and the TIME_WAITs an earlier run against the same target left
// (they last 60 s).
struct ClosingBaseline {
  std::optional<CloseCounters> client;
  std::optional<CloseCounters> server;
  std::optional<TimeWaitCount> time_wait;
};

ClosingBaseline closing_baseline(const SocketAddress& server, int server_netns) {
  return {read_close_counters(),
          server_netns >= 0 ? read_close_counters(server_netns) : std::nullopt,
          time_wait_of(server, server_netns)};
}

// After the load: how each namespace's counters grew, and the TIME_WAITs the run added.
void read_closing(const SocketAddress& server, int server_netns, const ClosingBaseline& before,
                  ClosingReading& closing) {
  const std::optional<CloseCounters> client_after = read_close_counters();
  if (before.client && client_after) closing.client_namespace = *client_after - *before.client;
  if (server_netns >= 0) {
    const std::optional<CloseCounters> server_after = read_close_counters(server_netns);
    if (before.server && server_after) closing.server_namespace = *server_after - *before.server;
  }
  const std::optional<TimeWaitCount> after = time_wait_of(server, server_netns);
  if (!after || !before.time_wait) return;
  // Some of the earlier ones may have expired meanwhile: never below zero.
  auto added = [](uint64_t now, uint64_t earlier) { return now > earlier ? now - earlier : 0; };
  closing.time_wait = TimeWaitCount{added(after->client_side, before.time_wait->client_side),
                                    added(after->server_side, before.time_wait->server_side)};
}

}  // namespace

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
  const int server_netns = embedded ? embedded->server_netns_fd() : -1;
  const ClosingBaseline closing_before = closing_baseline(target.address, server_netns);
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
  read_closing(target.address, server_netns, closing_before, result.closing);
  const std::optional<FastOpenCounters> fastopen_after = fastopen_counters();
  if (fastopen_before && fastopen_after) result.tcp_fastopen = *fastopen_after - *fastopen_before;
  add_run_warnings(result);
  return result;
}

}  // namespace th
