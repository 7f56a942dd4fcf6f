#include "server/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "base/config_error.hpp"
#include "server/server_loop.hpp"

namespace th {

struct Server::Impl {
  explicit Impl(const ServerConfig& config) : shared(config) {}
  ~Impl() { stop(); }

  void stop() {
    std::lock_guard lock(stop_mutex);
    shared.stopping.store(true, std::memory_order_relaxed);
    for (auto& loop : loops) loop->stop();
  }

  ServerShared shared;
  SocketAddress address;
  std::vector<std::unique_ptr<ServerLoop>> loops;
  std::mutex stop_mutex;  // stop() may come from a controller thread and the owner at once
};

Server::Server(const ServerConfig& config) : impl_(std::make_unique<Impl>(config)) {
  // On a throw, impl_'s destructor stops whatever loops exist.
  impl_->address = resolve_address(config.listen_host, config.port);
  if (config.port != 0 && !config.share_port) refuse_held_port(impl_->address);
  const uint32_t threads = std::max<uint32_t>(config.threads, 1);
  for (uint32_t index = 0; index < threads; ++index) {
    impl_->loops.push_back(std::make_unique<ServerLoop>(impl_->shared, index));
    // The first loop's bind fixes the port (the kernel's choice for port 0); the rest share it.
    impl_->loops.back()->listen(&impl_->address);
  }
  impl_->shared.applied.record_listener(impl_->loops.front()->listener_fd(), config.options);
  for (size_t index = 0; index < impl_->loops.size(); ++index) {
    const int status = impl_->loops[index]->start();
    if (status != 0) {
      throw ConfigError(fmt::format("server_cpus: cannot pin a server thread to CPU {}: {}",
                                    config.cpus[index % config.cpus.size()], uv_strerror(status)));
    }
  }
}

Server::~Server() = default;

const SocketAddress& Server::address() const { return impl_->address; }

void Server::stop() { impl_->stop(); }

ServerStats Server::stats() const {
  ServerStats stats;
  for (const auto& loop : impl_->loops) loop->add_to(&stats);
  return stats;
}

std::vector<uint64_t> Server::connections_accepted_per_loop() const {
  std::vector<uint64_t> accepted;
  for (const auto& loop : impl_->loops) {
    ServerStats stats;
    loop->add_to(&stats);
    accepted.push_back(stats.connections_accepted);
  }
  return accepted;
}

Histogram Server::own_time() const {
  Histogram merged;
  for (const auto& loop : impl_->loops) merged.merge(loop->own_time());
  return merged;
}

Histogram Server::cwnd_at_response() const {
  Histogram merged = impl_->loops.empty() ? Histogram() : impl_->loops.front()->cwnd_at_response();
  for (size_t index = 1; index < impl_->loops.size(); ++index) {
    merged.merge(impl_->loops[index]->cwnd_at_response());
  }
  return merged;
}

void Server::record_own_time_from(uint64_t from_ns) {
  impl_->shared.own_time_from_ns.store(from_ns, std::memory_order_relaxed);
}

CpuSplit Server::cpu_split() const {
  CpuSplit split;
  for (const auto& loop : impl_->loops) split += loop->cpu_split();
  return split;
}

double Server::cpu_seconds() const {
  double seconds = 0.0;
  for (const auto& loop : impl_->loops) seconds += loop->cpu_seconds();
  return seconds;
}

std::vector<OptionReading> Server::applied_options() const { return impl_->shared.applied.get(); }

}  // namespace th
