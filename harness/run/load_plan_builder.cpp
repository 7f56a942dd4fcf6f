#include "run/load_plan_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "load/request_plan.hpp"
#include "net/tls_transport.hpp"

namespace th {
namespace {

uint64_t seconds_to_ns(double seconds) { return static_cast<uint64_t>(seconds * 1e9); }

}  // namespace

PlanTarget external_plan_target(const Target& target, const SocketAddress& resolved) {
  // RFC 9110 §7.2: an IPv6 literal in Host keeps its brackets.
  const bool ipv6_literal = target.host.find(':') != std::string::npos;
  return {resolved, target.host,
          fmt::format(fmt::runtime(ipv6_literal ? "[{}]:{}" : "{}:{}"), target.host, target.port)};
}

PlanTarget embedded_plan_target(const SocketAddress& bound) {
  PlanTarget target{bound, "", bound.to_string()};
  target.host = target.host_header.substr(0, target.host_header.rfind(':'));
  if (target.host.starts_with('[')) target.host = target.host.substr(1, target.host.size() - 2);
  return target;
}

uint32_t load_threads(const Scenario& scenario) {
  return std::max<uint32_t>(1, std::min(scenario.threads, scenario.connections));
}

std::unique_ptr<LoadPlan> make_load_plan(const Scenario& scenario, const PlanTarget& target,
                                         uint64_t start_ns) {
  auto plan = std::make_unique<LoadPlan>();
  plan->target = target.address;
  plan->target_host = target.host;
  plan->target_service = std::to_string(target.address.port());
  plan->target_name = target.host_header;
  plan->resolve_each_connection = scenario.resolve == ResolveMode::every_request;

  plan->protocol = scenario.protocol;
  plan->model =
      scenario.protocol == Protocol::stream ? ConnectionModel::keep_alive : scenario.connection;
  plan->one_request_per_connection =
      plan->model == ConnectionModel::per_request || plan->model == ConnectionModel::parallel;
  plan->server_closes_first =
      plan->one_request_per_connection && effective_closer(scenario) == Closer::server;
  plan->close = scenario.client.close;
  plan->write_pattern = scenario.write_pattern;
  plan->tcp_info = scenario.tcp_info;
  plan->busy_poll_spin_ns =
      scenario.poll == PollMode::busy ? uint64_t{scenario.poll_spin_us} * 1000 : 0;
  plan->timestamps = scenario.timestamps;
  if (scenario.tls) {
    plan->tls = true;
    // SNI and the verified name: the target's host as the scenario names it.
    plan->make_transport =
        tls_transport_factory(TlsContext::make_client(*scenario.tls), target.host);
  }
  plan->client_options = scenario.client;
  for (const std::string& local : scenario.local_addresses) {
    plan->local_addresses.push_back(resolve_address(local, 0));  // checked by preflight_run
  }
  build_requests(*plan, scenario, target.host_header);
  if (scenario.page) {
    plan->page = true;
    plan->page_objects = scenario.page->objects;
    plan->connections_per_user =
        plan->model == ConnectionModel::parallel ? scenario.parallel_connections : 1;
  }
  plan->timeout_ns = uint64_t{scenario.timeout_ms} * 1'000'000;
  plan->max_response_bytes = scenario.max_response_bytes;
  plan->pipeline_depth =
      scenario.connection == ConnectionModel::pipelined ? scenario.pipeline_depth : 1;
  plan->max_requests_per_connection = scenario.max_requests_per_connection;
  plan->think_time_ns = static_cast<uint64_t>(std::llround(scenario.think_time_ms * 1e6));
  plan->think_time_exponential = scenario.think_time_distribution == ThinkTime::exponential;
  plan->grace_ns = std::min<uint64_t>(plan->timeout_ns, 2'000'000'000);
  plan->request_limit = scenario.requests;
  plan->arrival = scenario.arrival;

  plan->threads = load_threads(scenario);
  if (scenario.rate) plan->rate_per_thread = *scenario.rate / plan->threads;
  plan->start_ns = start_ns;
  plan->warmup_end_ns = start_ns + seconds_to_ns(scenario.warmup_s);
  plan->deadline_ns = plan->warmup_end_ns + seconds_to_ns(scenario.duration_s);
  return plan;
}

}  // namespace th
