#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/run_parameters.hpp"
#include "load/load_plan.hpp"
#include "net/address.hpp"

namespace th {

// Where the load goes, settled before the plan is made: a resolved external target or the
// embedded server's bound address.
struct PlanTarget {
  SocketAddress address;
  std::string host;         // the name (or literal) that resolve: every_request resolves again
  std::string host_header;  // the Host header's value
};

// An external target as the scenario names it, at the address it resolved to.
PlanTarget external_plan_target(const Target& target, const SocketAddress& resolved);
// The embedded server, known only by the address it bound.
PlanTarget embedded_plan_target(const SocketAddress& bound);

// Everything the load generator's threads read during a run, built from the scenario alone:
// connection model, request bytes, limits, and the run's clock (warm-up and deadline counted from
// start_ns). Pure: no socket, no thread, no clock read, so it is tested as a value. The plan
// holds atomics that the threads share, hence the pointer.
std::unique_ptr<LoadPlan> make_load_plan(const Scenario& scenario, const PlanTarget& target,
                                         uint64_t start_ns);

// The load threads a scenario gets: a thread needs at least one connection.
uint32_t load_threads(const Scenario& scenario);

}  // namespace th
