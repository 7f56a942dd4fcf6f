#include "server/server_loop.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <new>

#include "base/config_error.hpp"
#include "net/tcp_info.hpp"
#include "server/http_session.hpp"
#include "server/session.hpp"

namespace th {
namespace {

// Enough for the connection churn of per_request loads while keeping idle memory bounded: each
// pooled session holds the transport's 64 KiB read buffer.
constexpr size_t kMaxFreeSessions = 256;
// The kernel's largest window, as TCP_INFO's snd_cwnd can hold it.
constexpr int64_t kHighestCwndSegments = 0x7fffffff;

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

void spend_us(uint64_t microseconds) {
  const uint64_t deadline_ns = uv_hrtime() + microseconds * 1000;
  if (microseconds > kSpinTailUs) sleep_for_us(microseconds - kSpinTailUs);
  while (uv_hrtime() < deadline_ns) {
  }
}

ServerShared::ServerShared(const ServerConfig& server_config)
    : config(server_config), own_time_from_ns(server_config.own_time_from_ns) {
  if (config.protocol == Protocol::http) response = build_http_response(config.response_size);
}

ServerLoop::ServerLoop(ServerShared& shared, size_t index)
    : shared_(shared), index_(index), cwnd_at_response_(kHighestCwndSegments) {
  // On a throw the members' destructors close whatever was made, the loop last.
  const auto check = [](int status) {
    if (status != 0) {
      throw ConfigError(fmt::format("cannot start a server loop: {}", uv_strerror(status)));
    }
  };
  check(loop_thread_.init());
  check(accept_pause_timer_.init_timer(uv_loop(), this));
  check(sweep_timer_.init_timer(uv_loop(), this));
  const uint64_t period_ms = sweep_period_ms(shared_.config.limits);
  check(uv_timer_start(sweep_timer_.get(), on_sweep, period_ms, period_ms));
  if (shared_.config.stall) {
    check(stall_timer_.init_timer(uv_loop(), this));
    const auto stall_period_ms = static_cast<uint64_t>(shared_.config.stall->every_s * 1000.0);
    check(uv_timer_start(stall_timer_.get(), on_stall, stall_period_ms, stall_period_ms));
  }
}

ServerLoop::~ServerLoop() { stop(); }

int ServerLoop::start() {
  loop_thread_.set_busy_poll(shared_.config.busy_poll_spin_ns);
  return loop_thread_.start(shared_.config.cpus, index_, {}, [this] { close_everything(); })
      .pin_status;
}

void ServerLoop::stop() {
  if (stopped_) return;
  stopped_ = true;
  // A loop whose thread never started is closed here: its handles first, then the loop.
  if (!loop_thread_.started()) close_everything();
  loop_thread_.stop();
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

void ServerLoop::close_everything() {
  stopping_ = true;
  // Closing the poll stops it at once, so the descriptor may go right after it.
  listener_.close();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  accept_pause_timer_.close();
  sweep_timer_.close();
  stall_timer_.close();
  for (Session* session = live_; session != nullptr;) {
    Session* next = session->next;  // close() may release the session at once
    session->close();
    session = next;
  }
}

double ServerLoop::cpu_seconds() const { return loop_thread_.cpu_seconds(); }
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
  stats->tls_full += counters_.tls_full.load(relaxed);
  stats->tls_resumed += counters_.tls_resumed.load(relaxed);
  stats->tls_failed += counters_.tls_failed.load(relaxed);
  stats->tls_handshake_timeouts += counters_.tls_handshake_timeouts.load(relaxed);
  stats->tls_early_data_accepted += counters_.tls_early_data_accepted.load(relaxed);
  stats->tls_early_data_rejected += counters_.tls_early_data_rejected.load(relaxed);
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

void ServerLoop::record_cwnd_at_response(const Transport& transport, uint64_t read_ns,
                                         uint64_t answers) {
  if (!shared_.config.sample_cwnd_per_response || answers == 0 ||
      read_ns < shared_.own_time_from_ns.load(std::memory_order_relaxed)) {
    return;
  }
  TcpInfoSample info{};
  if (read_tcp_info(transport.fd(), info) == 0) {
    cwnd_at_response_.record_n(static_cast<int64_t>(info.snd_cwnd_segments), answers);
  }
}

}  // namespace th
