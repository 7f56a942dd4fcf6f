#include "run/embedded_target.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "base/config_error.hpp"
#include "host/network_namespace.hpp"
#include "net/tls_transport.hpp"

namespace th {
namespace {

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
  config.own_time_from_ns = UINT64_MAX;  // window_opened sets when
  config.max_requests = scenario.server.max_requests;
  config.sample_cwnd_per_response = samples_cwnd_per_response(scenario);
  config.busy_poll_spin_ns =
      scenario.poll == PollMode::busy ? uint64_t{scenario.poll_spin_us} * 1000 : 0;
  if (scenario.tls) {
    config.make_transport = tls_transport_factory(TlsContext::make_server(*scenario.tls), "");
  }
  return config;
}

}  // namespace

EmbeddedTarget::EmbeddedTarget(const Scenario& scenario, const std::string& run_name)
    : scenario_(scenario) {
  ServerConfig config = server_config_for(scenario);
  if (!scenario.link) {
    server_ = std::make_unique<Server>(config);
    return;
  }
  try {
    link_.emplace(*scenario.link);
  } catch (const ConfigError& error) {
    throw ConfigError(fmt::format("run {}: {}", run_name, error.what()));
  }
  // The listeners are made inside the link's namespace (and the server's threads start there);
  // the load generator's threads, started later from the caller's thread, stay in ours.
  config.listen_host = link_->server_address();
  NetworkNamespaceGuard inside(link_->netns_fd());
  server_ = std::make_unique<Server>(config);
}

// The server first: its sockets belong to the link's namespace.
EmbeddedTarget::~EmbeddedTarget() { server_.reset(); }

std::optional<FastOpenCounters> EmbeddedTarget::fastopen_counters() const {
  std::optional<FastOpenCounters> counters = read_fastopen_counters();
  if (!counters || !link_) return counters;
  const std::optional<FastOpenCounters> server_side = read_fastopen_counters(link_->netns_fd());
  if (!server_side) return std::nullopt;
  return *counters + *server_side;
}

void EmbeddedTarget::window_opened() {
  if (cpu_at_window_start_s_) return;
  server_->record_own_time_from(uv_hrtime());
  cpu_at_window_start_s_ = server_->cpu_seconds();
  cpu_split_at_window_start_ = server_->cpu_split();
}

void EmbeddedTarget::finish(RunResult& result) {
  // The client's last chunks may still sit in socket buffers; let the server read them (until its
  // count stops growing, at most 1 s) so server_bytes_received is complete.
  for (uint64_t seen = UINT64_MAX, waited_ms = 0; waited_ms < 1000; waited_ms += 20) {
    const uint64_t now_received = server_->stats().bytes_received;
    if (now_received == seen) break;
    seen = now_received;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.server_cpu_s = server_->cpu_seconds() - cpu_at_window_start_s_.value_or(0.0);
  result.server_cpu_split = server_->cpu_split() - cpu_split_at_window_start_;
  if (link_) {
    std::string problem;
    result.link = link_->read(&problem);
    if (!problem.empty()) result.warnings.push_back(problem);
  }
  result.server_options = server_->applied_options();
  server_->stop();
  result.server_bytes_received = server_->stats().bytes_received;
  result.server_time = server_->own_time();
  if (result.recorder.tcp_info) {
    result.recorder.tcp_info->server_snd_cwnd_at_response_segments = server_->cwnd_at_response();
  }
}

}  // namespace th
