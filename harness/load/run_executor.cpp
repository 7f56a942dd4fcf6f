#include "load/run_executor.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "load/load_plan.hpp"
#include "load/worker.hpp"
#include "net/address.hpp"
#include "proto/http_request.hpp"
#include "scenario/config_error.hpp"
#include "server/server.hpp"

namespace th {
namespace {

std::atomic<bool> g_stop_requested{false};

void check_cpus(const std::vector<int>& cpus, const char* key) {
  const long available = sysconf(_SC_NPROCESSORS_CONF);
  for (int cpu : cpus) {
    if (cpu >= available) {
      throw ConfigError(fmt::format("{}: CPU {} does not exist; this machine has CPUs 0 to {}", key,
                                    cpu, available - 1));
    }
  }
}

uv_buf_t buffer_of(const std::string& bytes, size_t offset, size_t length) {
  return uv_buf_init(const_cast<char*>(bytes.data()) + offset, static_cast<unsigned>(length));
}

// Splits the request into the writes the pattern asks for; the buffers point into the plan's own
// strings, which live as long as the run.
void plan_writes(LoadPlan& plan, const Scenario& scenario) {
  const bool split = scenario.write_pattern == WritePattern::split;
  if (scenario.protocol == Protocol::http) {
    plan.request_bytes = plan.request_head.size() + plan.request_body.size();
    const uv_buf_t head = buffer_of(plan.request_head, 0, plan.request_head.size());
    const uv_buf_t body = buffer_of(plan.request_body, 0, plan.request_body.size());
    if (plan.request_body.empty()) {
      plan.writes[0] = {{head}, 1};
      plan.write_count = 1;
    } else if (split) {
      plan.writes[0] = {{head}, 1};
      plan.writes[1] = {{body}, 1};
      plan.write_count = 2;
    } else {
      plan.writes[0] = {{head, body}, 2};
      plan.write_count = 1;
    }
    return;
  }
  plan.request_bytes = plan.payload.size();
  const size_t half = plan.payload.size() / 2;
  if (split && scenario.protocol == Protocol::echo && half > 0) {
    plan.writes[0] = {{buffer_of(plan.payload, 0, half)}, 1};
    plan.writes[1] = {{buffer_of(plan.payload, half, plan.payload.size() - half)}, 1};
    plan.write_count = 2;
  } else {
    plan.writes[0] = {{buffer_of(plan.payload, 0, plan.payload.size())}, 1};
    plan.write_count = 1;
  }
}

ServerConfig server_config_for(const Scenario& scenario) {
  ServerConfig config;
  config.protocol = scenario.protocol;
  config.threads = scenario.server_threads;
  config.response_size = scenario.response_size;
  config.write_pattern = scenario.write_pattern;
  config.options = scenario.server;
  config.delay_us = scenario.server.delay_us;
  config.stall = scenario.server.stall;
  config.cpus = scenario.server_cpus;
  return config;
}

uint64_t seconds_to_ns(double seconds) { return static_cast<uint64_t>(seconds * 1e9); }

}  // namespace

void request_stop() noexcept { g_stop_requested.store(true, std::memory_order_relaxed); }
bool stop_was_requested() noexcept { return g_stop_requested.load(std::memory_order_relaxed); }

RunResult execute_run(const RunSpec& spec) {
  const Scenario& scenario = spec.scenario;
  check_cpus(scenario.client_cpus, "client_cpus");
  check_cpus(scenario.server_cpus, "server_cpus");
  probe_socket_options(scenario.client, "client");
  probe_socket_options(scenario.server, "server");

  RunResult result;
  result.name = spec.name;
  result.params = spec.params;
  result.scenario = scenario;

  std::unique_ptr<Server> server;
  LoadPlan plan;
  std::string host_header;
  if (scenario.target) {
    plan.target = resolve_address(scenario.target->host, scenario.target->port);
    host_header = fmt::format("{}:{}", scenario.target->host, scenario.target->port);
  } else {
    server = std::make_unique<Server>(server_config_for(scenario));
    plan.target = server->address();
    host_header = plan.target.to_string();
    result.embedded_server = true;
  }
  result.target = plan.target.to_string();

  plan.protocol = scenario.protocol;
  plan.model = scenario.protocol == Protocol::stream ? ConnectionModel::keep_alive
                                                     : scenario.connection;
  plan.write_pattern = scenario.write_pattern;
  plan.client_options = scenario.client;
  if (scenario.protocol == Protocol::http) {
    const HttpRequestBytes request =
        build_http_request(host_header, scenario.path, scenario.request_size,
                           scenario.connection == ConnectionModel::keep_alive);
    plan.request_head = request.header;
    plan.request_body = request.body;
  } else {
    plan.payload = build_payload(scenario.request_size);
  }
  plan_writes(plan, scenario);
  plan.timeout_ns = uint64_t{scenario.timeout_ms} * 1'000'000;
  plan.grace_ns = std::min<uint64_t>(plan.timeout_ns, 2'000'000'000);
  plan.request_limit = scenario.requests;

  const uint32_t threads = std::min(scenario.threads, scenario.connections);
  if (threads < scenario.threads) {
    result.warnings.push_back(fmt::format(
        "threads lowered from {} to {}: a thread needs at least one connection", scenario.threads,
        threads));
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t index = 0; index < threads; ++index) {
    const uint32_t share =
        scenario.connections / threads + (index < scenario.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(plan, index, share, scenario.client_cpus));
  }

  plan.start_ns = uv_hrtime();
  plan.warmup_end_ns = plan.start_ns + seconds_to_ns(scenario.warmup_s);
  plan.deadline_ns = plan.warmup_end_ns + seconds_to_ns(scenario.duration_s);
  for (auto& worker : workers) worker->start();

  // The controller's own wait: forwards an interrupt to the workers and samples the server's CPU
  // at the end of warm-up, the same instant the workers start counting.
  std::optional<double> server_cpu_start;
  auto all_done = [&] {
    return std::all_of(workers.begin(), workers.end(),
                       [](const auto& worker) { return worker->finished_ns() != 0; });
  };
  while (!all_done()) {
    if (server && !server_cpu_start && uv_hrtime() >= plan.warmup_end_ns) {
      server_cpu_start = server->cpu_seconds();
    }
    if (stop_was_requested()) plan.stop_requested.store(true, std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& worker : workers) worker->join();

  uint64_t window_end_ns = plan.warmup_end_ns;
  for (auto& worker : workers) {
    result.recorder.merge(worker->recorder());
    result.in_flight_at_end += worker->in_flight_at_end();
    result.client_cpu_s += worker->cpu_seconds();
    // The window ends at the last counted answer: a stuck request waiting out the grace period
    // must not stretch the time that the rates are divided by.
    window_end_ns = std::max(window_end_ns, worker->last_completion_ns());
    if (result.client_options.empty()) result.client_options = worker->applied_options();
    if (!worker->failure().empty()) result.warnings.push_back(worker->failure());
  }
  if (result.recorder.requests_ok == 0) {
    // Nothing was answered: the window is the time the load was applied.
    uint64_t stopped_ns = plan.deadline_ns;
    for (auto& worker : workers) stopped_ns = std::min(stopped_ns, worker->finished_ns());
    window_end_ns = std::max(stopped_ns, plan.warmup_end_ns);
  }
  result.duration_s = static_cast<double>(window_end_ns - plan.warmup_end_ns) / 1e9;

  if (server) {
    result.server_cpu_s = server->cpu_seconds() - server_cpu_start.value_or(0.0);
    result.server_options = server->applied_options();
    server->stop();
    result.server_bytes_received = server->stats().bytes_received;
  }

  if (plan.stop_requested.load()) {
    result.stopped_by = StopReason::interrupted;
    result.warnings.push_back("interrupted: the run stopped early; the figures cover what ran");
  } else if (plan.request_limit && plan.tickets_taken.load() >= *plan.request_limit) {
    result.stopped_by = StopReason::requests;
  } else if (plan.request_limit) {
    result.warnings.push_back(fmt::format(
        "duration_s ({} s) ended the run before all {} requests were sent", scenario.duration_s,
        *plan.request_limit));
  }
  if (result.in_flight_at_end > 0) {
    result.warnings.push_back(fmt::format(
        "{} requests were still unanswered when the run ended (not counted as errors)",
        result.in_flight_at_end));
  }
  return result;
}

}  // namespace th
