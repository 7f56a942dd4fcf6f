#include "load/worker.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "net/cpu.hpp"
#include "net/tcp_transport.hpp"

namespace th {
namespace {

// Timeouts, backoff and the deadline are checked on this period: fine enough for a 1 s timeout
// and far too rare to cost anything next to the requests themselves.
constexpr uint64_t kTickMs = 10;

}  // namespace

Worker::Worker(LoadPlan& plan, uint32_t index, uint32_t connection_count,
               const std::vector<int>& cpus)
    : plan_(plan), index_(index), connection_count_(connection_count), cpus_(cpus) {}

Worker::~Worker() { join(); }

void Worker::start() { thread_ = std::thread([this] { run(); }); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  if (const int status = pin_current_thread(cpus_, index_); status != 0) {
    failure_ = fmt::format("cannot pin load thread {} to a CPU of client_cpus: {}", index_,
                           uv_strerror(status));
  }
  uv_loop_init(&loop_);
  uv_timer_init(&loop_, &tick_timer_);
  tick_timer_.data = this;
  connections_.reserve(connection_count_);
  for (uint32_t slot = 0; slot < connection_count_; ++slot) {
    auto connection = std::make_unique<ClientConnection>(*this);
    connection->attach(std::make_unique<TcpTransport>(&loop_, connection.get()));
    connections_.push_back(std::move(connection));
  }
  active_connections_ = connection_count_;
  stop_at_ns_ = plan_.deadline_ns;
  uv_timer_start(&tick_timer_, on_tick, kTickMs, kTickMs);
  sample_cpu_start(uv_hrtime());
  for (auto& connection : connections_) connection->start();
  uv_run(&loop_, UV_RUN_DEFAULT);
  cpu_end_s_ = thread_cpu_seconds(pthread_self());
  if (!cpu_start_sampled_) cpu_start_s_ = cpu_end_s_;
  // Every handle is closed once uv_run returns, so the connections can go.
  connections_.clear();
  uv_loop_close(&loop_);
}

void Worker::on_tick(uv_timer_t* timer) { static_cast<Worker*>(timer->data)->tick(); }

void Worker::tick() {
  const uint64_t now = uv_hrtime();
  sample_cpu_start(now);
  if (plan_.stop_requested.load(std::memory_order_relaxed)) stop_at_ns_ = std::min(stop_at_ns_, now);
  if (now >= stop_at_ns_) stopping_ = true;
  const bool past_grace = now >= stop_at_ns_ + plan_.grace_ns;
  for (auto& connection : connections_) {
    if (connection->phase() == ClientConnection::Phase::done) continue;
    if (past_grace) {
      connection->finish();
    } else {
      connection->tick(now);
    }
  }
}

// CPU is counted from the end of warm-up, like the requests, so CPU per request is honest.
void Worker::sample_cpu_start(uint64_t now_ns) {
  if (cpu_start_sampled_ || !measuring(now_ns)) return;
  cpu_start_sampled_ = true;
  cpu_start_s_ = thread_cpu_seconds(pthread_self());
}

void Worker::note_applied_options(int fd) {
  if (applied_options_.empty()) applied_options_ = read_socket_options(fd, plan_.client_options);
}

void Worker::connection_finished() {
  if (--active_connections_ == 0) shut_down();
}

void Worker::shut_down() {
  if (shut_down_) return;
  shut_down_ = true;
  finished_ns_.store(uv_hrtime(), std::memory_order_release);
  uv_timer_stop(&tick_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick_timer_), nullptr);
}

}  // namespace th
