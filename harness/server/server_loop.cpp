#include "server/server_loop.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <new>

#include "net/cpu.hpp"
#include "scenario/config_error.hpp"
#include "server/http_session.hpp"
#include "server/session.hpp"

namespace th {
namespace {

// Enough for the connection churn of per_request loads while keeping idle memory bounded: each
// pooled session holds the transport's 64 KiB read buffer.
constexpr size_t kMaxFreeSessions = 256;

// Often enough that a timeout fires within a tenth of itself, rarely enough to cost nothing.
uint64_t sweep_period_ms(const ServerLimits& limits) {
  uint64_t shortest = Session::kLingerMs;
  for (const uint64_t timeout : {limits.header_timeout_ms, limits.idle_timeout_ms}) {
    if (timeout != 0) shortest = std::min(shortest, timeout);
  }
  return std::clamp<uint64_t>(shortest / 10, 5, 1000);
}

Session* make_session(ServerLoop& loop, Protocol protocol) {
  try {
    switch (protocol) {
      case Protocol::echo:
        return new EchoSession(loop);
      case Protocol::stream:
        return new StreamSession(loop);
      case Protocol::http:
        return new HttpSession(loop);
    }
  } catch (const std::bad_alloc&) {
  }
  return nullptr;
}

}  // namespace

void AppliedOptions::record_listener(int fd, const SocketOptions& requested) {
  std::vector<OptionReading> readings = read_socket_options(fd, requested, SocketRole::server);
  std::lock_guard lock(mutex_);
  listener_ = std::move(readings);
}

void AppliedOptions::record_connection(int fd, const SocketOptions& requested) {
  if (from_connection_.load(std::memory_order_acquire)) return;
  std::vector<OptionReading> readings = read_socket_options(fd, requested, SocketRole::accepted);
  std::lock_guard lock(mutex_);
  if (from_connection_.load(std::memory_order_relaxed)) return;
  connection_ = std::move(readings);
  from_connection_.store(true, std::memory_order_release);
}

// The listener's list, each entry replaced by the connection's reading of the same option when
// there is one (names are unique on one side).
std::vector<OptionReading> AppliedOptions::get() const {
  std::lock_guard lock(mutex_);
  if (listener_.empty()) return connection_;
  std::vector<OptionReading> merged = listener_;
  for (OptionReading& reading : merged) {
    for (const OptionReading& from_connection : connection_) {
      if (from_connection.name == reading.name) reading = from_connection;
    }
  }
  return merged;
}

void sleep_for_us(uint64_t microseconds) {
  timespec remaining{static_cast<time_t>(microseconds / 1'000'000),
                     static_cast<long>(microseconds % 1'000'000) * 1000};
  while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
}

ServerShared::ServerShared(const ServerConfig& server_config) : config(server_config) {
  if (config.protocol == Protocol::http) response = build_http_response(config.response_size);
}

ServerLoop::ServerLoop(ServerShared& shared, size_t index) : shared_(shared), index_(index) {
  int status = uv_loop_init(&loop_);
  if (status != 0) {
    throw ConfigError(fmt::format("cannot start a server loop: {}", uv_strerror(status)));
  }
  // Cannot fail on Linux once the loop exists (it shares the loop's eventfd).
  uv_async_init(&loop_, &stop_async_, on_stop);
  stop_async_.data = this;
  listener_.data = this;
  uv_timer_init(&loop_, &accept_pause_timer_);
  accept_pause_timer_.data = this;
  uv_timer_init(&loop_, &sweep_timer_);
  sweep_timer_.data = this;
  const uint64_t period_ms = sweep_period_ms(shared_.config.limits);
  uv_timer_start(&sweep_timer_, on_sweep, period_ms, period_ms);
  if (shared_.config.stall) {
    uv_timer_init(&loop_, &stall_timer_);
    stall_timer_.data = this;
    const auto period_ms = static_cast<uint64_t>(shared_.config.stall->every_s * 1000.0);
    uv_timer_start(&stall_timer_, on_stall, period_ms, period_ms);
  }
}

ServerLoop::~ServerLoop() { stop(); }

int ServerLoop::start() {
  std::promise<int> ready;
  std::future<int> pin_status = ready.get_future();
  thread_ = std::thread([this, &ready] { run(&ready); });
  return pin_status.get();
}

void ServerLoop::run(std::promise<int>* ready) {
  ready->set_value(pin_current_thread(shared_.config.cpus, index_));
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once on_stop has closed every handle
  final_cpu_seconds_.store(thread_cpu_seconds(pthread_self()), std::memory_order_relaxed);
  finished_.store(true, std::memory_order_release);
}

void ServerLoop::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    uv_async_send(&stop_async_);
    thread_.join();
  } else {
    close_everything();  // the thread never started: drain here
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  if (uv_loop_close(&loop_) != 0) {
    // A handle outlived stop(): close it anyway, so the loop's memory is not left referenced.
    uv_walk(
        &loop_,
        [](uv_handle_t* handle, void*) {
          if (!uv_is_closing(handle)) uv_close(handle, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  while (free_ != nullptr) {
    Session* session = free_;
    free_ = session->next;
    delete session;
  }
  free_count_ = 0;
}

// Freezes the whole loop, as a stop-the-world pause would: nothing is read, answered or accepted
// until it ends, so every request that arrives meanwhile waits.
void ServerLoop::on_stall(uv_timer_t* timer) {
  const auto* self = static_cast<ServerLoop*>(timer->data);
  sleep_for_us(uint64_t{self->shared_.config.stall->for_ms} * 1000);
}

void ServerLoop::on_stop(uv_async_t* async) {
  static_cast<ServerLoop*>(async->data)->close_everything();
}

void ServerLoop::close_everything() {
  stopping_ = true;
  if (listener_initialised_) {
    // uv_close stops the poll at once, so the descriptor may go right after it.
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  uv_close(reinterpret_cast<uv_handle_t*>(&accept_pause_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
  if (shared_.config.stall) uv_close(reinterpret_cast<uv_handle_t*>(&stall_timer_), nullptr);
  for (Session* session = live_; session != nullptr;) {
    Session* next = session->next;  // close() may release the session at once
    session->close();
    session = next;
  }
}

double ServerLoop::cpu_seconds() const {
  if (finished_.load(std::memory_order_acquire)) {
    return final_cpu_seconds_.load(std::memory_order_relaxed);
  }
  if (!thread_.joinable()) return 0.0;
  return thread_cpu_seconds(const_cast<std::thread&>(thread_).native_handle());
}

void ServerLoop::add_to(ServerStats* stats) const {
  constexpr auto relaxed = std::memory_order_relaxed;
  stats->connections_accepted += counters_.connections_accepted.load(relaxed);
  stats->requests_served += counters_.requests_served.load(relaxed);
  stats->bytes_received += counters_.bytes_received.load(relaxed);
  stats->bytes_sent += counters_.bytes_sent.load(relaxed);
  stats->accept_errors += counters_.accept_errors.load(relaxed);
  stats->accept_pauses += counters_.accept_pauses.load(relaxed);
  stats->refused_no_descriptors += counters_.refused_no_descriptors.load(relaxed);
  stats->bad_requests += counters_.bad_requests.load(relaxed);
  stats->methods_not_allowed += counters_.methods_not_allowed.load(relaxed);
  stats->header_timeouts += counters_.header_timeouts.load(relaxed);
  stats->bodies_too_large += counters_.bodies_too_large.load(relaxed);
  stats->headers_too_large += counters_.headers_too_large.load(relaxed);
  stats->methods_not_implemented += counters_.methods_not_implemented.load(relaxed);
  stats->idle_timeouts += counters_.idle_timeouts.load(relaxed);
}

void ServerLoop::record_applied_options(int fd) {
  shared_.applied.record_connection(fd, shared_.config.options);
}

void ServerLoop::on_sweep(uv_timer_t* timer) {
  auto* self = static_cast<ServerLoop*>(timer->data);
  const uint64_t now_ms = self->now_ms();
  for (Session* session = self->live_; session != nullptr;) {
    Session* next = session->next;  // a timeout may close and release the session
    session->check_timeouts(now_ms);
    session = next;
  }
}

Session* ServerLoop::acquire() {
  if (free_ == nullptr) return make_session(*this, shared_.config.protocol);
  Session* session = free_;
  free_ = session->next;
  --free_count_;
  return session;
}

void ServerLoop::release(Session* session) {
  unlink(session);
  if (stopping_ || free_count_ >= kMaxFreeSessions) {
    delete session;
    return;
  }
  session->next = free_;
  free_ = session;
  ++free_count_;
}

void ServerLoop::link(Session* session) {
  session->previous = nullptr;
  session->next = live_;
  if (live_ != nullptr) live_->previous = session;
  live_ = session;
}

void ServerLoop::unlink(Session* session) {
  if (session->previous != nullptr) session->previous->next = session->next;
  if (session->next != nullptr) session->next->previous = session->previous;
  if (live_ == session) live_ = session->next;
  session->previous = session->next = nullptr;
}

}  // namespace th
