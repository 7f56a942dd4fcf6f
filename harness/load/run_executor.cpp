#include "load/run_executor.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "load/load_plan.hpp"
#include "load/progress_line.hpp"
#include "load/request_plan.hpp"
#include "load/worker.hpp"
#include "net/address.hpp"
#include "net/delay_line.hpp"
#include "net/network_namespace.hpp"
#include "net/open_files.hpp"
#include "net/shaped_link.hpp"
#include "net/sockstat.hpp"
#include "scenario/config_error.hpp"
#include "server/server.hpp"

namespace th {
namespace {

std::atomic<bool> g_stop_requested{false};

ServerConfig server_config_for(const Scenario& scenario) {
  ServerConfig config;
  config.protocol = scenario.protocol;
  config.threads = scenario.server_threads;
  config.response_size = scenario.response_size;
  config.write_pattern = scenario.write_pattern;
  config.options = scenario.server;
  config.delay_us = scenario.server.delay_us;
  config.stall = scenario.server.stall;
  config.limits = ServerLimits::of(scenario.server);
  config.cpus = scenario.server_cpus;
  return config;
}

uint64_t seconds_to_ns(double seconds) { return static_cast<uint64_t>(seconds * 1e9); }

// Tells the user when an open-loop run did not measure what it was asked to: the generator (or
// too few connections) fell behind the schedule.
void add_open_loop_warnings(RunResult& result, double target_rate) {
  const Recorder& recorder = result.recorder;
  const double achieved =
      result.duration_s > 0 ? static_cast<double>(recorder.requests_sent) / result.duration_s : 0;
  if (achieved < 0.99 * target_rate) {
    result.warnings.push_back(fmt::format(
        "target rate not reached: {:.0f} requests/s sent of {:.0f} asked", achieved, target_rate));
  }
  if (recorder.waited_for_connection * 100 > recorder.requests_sent || result.unsent_at_end > 0) {
    result.warnings.push_back(fmt::format(
        "{} requests waited for a free connection (every one of {} busy) and {} were never sent; "
        "latency_us counts their wait, as a user would see it. If the server was not the "
        "bottleneck, raise connections",
        recorder.waited_for_connection, result.scenario.connections, result.unsent_at_end));
  }
  // Late with connections free, or late with its threads on the CPU all the time: either way
  // the generator could not keep the schedule, whatever the server did.
  const int64_t lag_p99 = recorder.schedule_lag.percentile(99);
  const double threads = std::min(result.scenario.threads, result.scenario.connections);
  const double busy =
      result.duration_s > 0 ? result.client_cpu_s / (result.duration_s * threads) : 0;
  if (lag_p99 > 1'000'000 && (recorder.waited_for_connection == 0 || busy > 0.9)) {
    result.warnings.push_back(fmt::format(
        "the load generator fell behind its schedule (p99 {:.1f} ms late; its threads were on "
        "the CPU {:.0f}% of the time): it, not the server, was the bottleneck; add threads, give "
        "it a core of its own (client_cpus) or lower the rate",
        static_cast<double>(lag_p99) / 1e6, busy * 100));
  }
}

}  // namespace

void request_stop() noexcept { g_stop_requested.store(true, std::memory_order_relaxed); }
bool stop_was_requested() noexcept { return g_stop_requested.load(std::memory_order_relaxed); }

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

  // Declared before the server so that it is destroyed after it: the server's sockets live in
  // the link's namespace.
  std::optional<ShapedLink> link;
  std::unique_ptr<Server> server;
  LoadPlan plan;
  std::string host_header;
  if (scenario.target) {
    // The resolve phase: timed here once per run unless every connection resolves afresh.
    const uint64_t resolve_start = uv_hrtime();
    plan.target = resolve_address(scenario.target->host, scenario.target->port);
    if (scenario.resolve == ResolveMode::once) {
      result.recorder.resolve.record(static_cast<int64_t>(uv_hrtime() - resolve_start));
    }
    plan.target_host = scenario.target->host;
    // RFC 9110 §7.2: an IPv6 literal in Host keeps its brackets.
    const bool ipv6_literal = scenario.target->host.find(':') != std::string::npos;
    host_header = fmt::format(fmt::runtime(ipv6_literal ? "[{}]:{}" : "{}:{}"),
                              scenario.target->host, scenario.target->port);
  } else {
    ServerConfig config = server_config_for(scenario);
    if (scenario.link) {
      try {
        link.emplace(*scenario.link);
      } catch (const ConfigError& error) {
        throw ConfigError(fmt::format("run {}: {}", spec.name, error.what()));
      }
      // The listeners are made inside the link's namespace (and the server's threads start
      // there); the load generator's threads, started later from here, stay in ours.
      config.listen_host = link->server_address();
      NetworkNamespaceGuard inside(link->netns_fd());
      server = std::make_unique<Server>(config);
    } else {
      server = std::make_unique<Server>(config);
    }
    plan.target = server->address();
    host_header = plan.target.to_string();
    plan.target_host = host_header.substr(0, host_header.rfind(':'));
    if (plan.target_host.starts_with('['))
      plan.target_host = plan.target_host.substr(1, plan.target_host.size() - 2);
    result.embedded_server = true;
  }
  result.target = plan.target.to_string();
  plan.resolve_each_connection = scenario.resolve == ResolveMode::every_request;
  plan.target_service = std::to_string(plan.target.port());

  plan.protocol = scenario.protocol;
  plan.model =
      scenario.protocol == Protocol::stream ? ConnectionModel::keep_alive : scenario.connection;
  plan.one_request_per_connection =
      plan.model == ConnectionModel::per_request || plan.model == ConnectionModel::parallel;
  plan.write_pattern = scenario.write_pattern;
  plan.tcp_info = scenario.tcp_info;
  plan.client_options = scenario.client;
  for (const std::string& local : scenario.local_addresses) {
    plan.local_addresses.push_back(resolve_address(local, 0));  // checked in preflight_run
  }
  build_requests(plan, scenario, host_header);
  if (scenario.page) {
    plan.page = true;
    plan.page_objects = scenario.page->objects;
    plan.connections_per_user =
        plan.model == ConnectionModel::parallel ? scenario.parallel_connections : 1;
  }
  plan.timeout_ns = uint64_t{scenario.timeout_ms} * 1'000'000;
  plan.max_response_bytes = scenario.max_response_bytes;
  plan.pipeline_depth =
      scenario.connection == ConnectionModel::pipelined ? scenario.pipeline_depth : 1;
  plan.max_requests_per_connection = scenario.max_requests_per_connection;
  plan.grace_ns = std::min<uint64_t>(plan.timeout_ns, 2'000'000'000);
  plan.request_limit = scenario.requests;
  plan.arrival = scenario.arrival;

  const uint32_t threads = std::min(scenario.threads, scenario.connections);
  if (threads < scenario.threads) {
    result.warnings.push_back(
        fmt::format("threads lowered from {} to {}: a thread needs at least one connection",
                    scenario.threads, threads));
  }
  if (scenario.rate) plan.rate_per_thread = *scenario.rate / threads;
  plan.threads = threads;
  plan.start_ns = uv_hrtime();
  plan.warmup_end_ns = plan.start_ns + seconds_to_ns(scenario.warmup_s);
  plan.deadline_ns = plan.warmup_end_ns + seconds_to_ns(scenario.duration_s);
  std::vector<std::unique_ptr<Worker>> workers;
  uint32_t first_connection = 0;
  for (uint32_t index = 0; index < threads; ++index) {
    const uint32_t share =
        scenario.connections / threads + (index < scenario.connections % threads ? 1 : 0);
    workers.push_back(
        std::make_unique<Worker>(plan, index, first_connection, share, scenario.client_cpus));
    first_connection += share;
  }
  result.time_wait_before = time_wait_sockets();
  // Fast Open's client counters grow in this namespace, a linked server's in the link's.
  const auto fastopen_counters = [&link]() -> std::optional<FastOpenCounters> {
    std::optional<FastOpenCounters> counters = read_fastopen_counters();
    if (!counters || !link) return counters;
    const std::optional<FastOpenCounters> server_side = read_fastopen_counters(link->netns_fd());
    if (!server_side) return std::nullopt;
    return *counters + *server_side;
  };
  const std::optional<FastOpenCounters> fastopen_before = fastopen_counters();
  for (auto& worker : workers) worker->start();

  // The controller's own wait: forwards an interrupt to the workers and samples the server's CPU
  // at the end of warm-up, the same instant the workers start counting.
  std::optional<double> server_cpu_start;
  auto all_done = [&] {
    return std::all_of(workers.begin(), workers.end(),
                       [](const auto& worker) { return worker->finished_ns() != 0; });
  };
  ProgressLine progress(options.progress && scenario.duration_s + scenario.warmup_s > 2.0);
  while (!all_done()) {
    const uint64_t now = uv_hrtime();
    if (server && !server_cpu_start && now >= plan.warmup_end_ns) {
      server_cpu_start = server->cpu_seconds();
    }
    if (stop_was_requested()) plan.stop_requested.store(true, std::memory_order_relaxed);
    progress.update(now, plan, workers);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  progress.clear();
  for (auto& worker : workers) worker->join();

  uint64_t window_end_ns = plan.warmup_end_ns;
  for (auto& worker : workers) {
    result.recorder.merge(worker->recorder());
    result.in_flight_at_end += worker->in_flight_at_end();
    result.unsent_at_end += worker->unsent_at_end();
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
    // The client's last chunks may still sit in socket buffers; let the server read them (until
    // its count stops growing, at most 1 s) so server_bytes_received is complete.
    for (uint64_t seen = UINT64_MAX, waited_ms = 0; waited_ms < 1000; waited_ms += 20) {
      const uint64_t now_received = server->stats().bytes_received;
      if (now_received == seen) break;
      seen = now_received;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.server_cpu_s = server->cpu_seconds() - server_cpu_start.value_or(0.0);
    if (link) {
      std::string problem;
      result.link = link->read(&problem);
      if (!problem.empty()) result.warnings.push_back(problem);
      if (result.link->delay_line) {
        std::string late =
            delay_line_warning(result.link->delay_line->counters, scenario.link->delay_ms);
        if (!late.empty()) result.warnings.push_back(std::move(late));
      }
    }
    result.server_options = server->applied_options();
    server->stop();
    result.server_bytes_received = server->stats().bytes_received;
  }

  if (plan.stop_requested.load()) {
    result.stopped_by = StopReason::interrupted;
    result.warnings.push_back("interrupted: the run stopped early; the figures cover what ran");
  } else if (plan.tickets_exhausted()) {
    result.stopped_by = StopReason::requests;
  } else if (plan.request_limit) {
    result.warnings.push_back(
        fmt::format("duration_s ({} s) ended the run before all {} requests were sent",
                    scenario.duration_s, *plan.request_limit));
  }
  result.time_wait_after = time_wait_sockets();
  const std::optional<FastOpenCounters> fastopen_after = fastopen_counters();
  if (fastopen_before && fastopen_after) result.tcp_fastopen = *fastopen_after - *fastopen_before;
  if (scenario.client.tcp_fastopen_connect.value_or(false) && result.tcp_fastopen &&
      result.tcp_fastopen->active == 0) {
    result.warnings.push_back(
        "client.tcp_fastopen: no SYN carried data (TCPFastOpenActive did not grow); the server "
        "needs a Fast Open queue (server.tcp_fastopen) and bit 2 of its net.ipv4.tcp_fastopen, and "
        "a client only sends data in the SYN once an earlier connection brought it a cookie");
  }
  for (const auto& [side, readings] :
       {std::pair{"client", &result.client_options}, std::pair{"server", &result.server_options}}) {
    for (const OptionReading& reading : *readings) {
      if (!reading.note.empty()) {
        result.warnings.push_back(fmt::format("{}.{}: {}", side, reading.name, reading.note));
      }
    }
  }
  if (scenario.rate) add_open_loop_warnings(result, *scenario.rate);
  if (const uint64_t exhausted =
          result.recorder.errors[static_cast<size_t>(ErrorKind::ephemeral_ports_exhausted)]) {
    result.warnings.push_back(fmt::format(
        "{} connects found no free local port (EADDRNOTAVAIL): closed connections wait in "
        "TIME_WAIT ({} now). Remedies: keep_alive, more local_addresses, client.so_linger "
        "{{\"on\": true, \"timeout_s\": 0}}, a wider net.ipv4.ip_local_port_range, "
        "net.ipv4.tcp_tw_reuse=1",
        exhausted, result.time_wait_after.value_or(0)));
  }
  // A stream chunk still being written at the end is the load itself, not a missing answer.
  if (result.in_flight_at_end > 0 && scenario.protocol != Protocol::stream) {
    result.warnings.push_back(
        fmt::format("{} requests were still unanswered when the run ended (not counted as errors)",
                    result.in_flight_at_end));
  }
  return result;
}

}  // namespace th
