#include "server/server_loop.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
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

// The kernel clamps it to net.core.somaxconn; a per_request load needs a deep accept queue.
constexpr int kListenBacklog = 4096;
// Enough for the connection churn of per_request loads while keeping idle memory bounded: each
// pooled session holds the transport's 64 KiB read buffer.
constexpr size_t kMaxFreeSessions = 256;
// Connections accepted per wake-up before the loop serves the others; the listener stays readable
// (level-triggered), so the rest are taken on the next iteration.
constexpr int kAcceptBatch = 64;
// How long accepting stops when the kernel refuses accept() and nothing can be done at once.
constexpr uint64_t kAcceptPauseMs = 100;

int open_spare_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

// Closes with an RST (SO_LINGER 0): the client learns at once that it was refused, and no
// TIME_WAIT is left on the server's side.
void reset_and_close(int fd) {
  const linger abort{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd);
}

// Often enough that a timeout fires within a tenth of itself, rarely enough to cost nothing.
uint64_t sweep_period_ms(const ServerLimits& limits) {
  uint64_t shortest = Session::kLingerMs;
  for (const uint64_t timeout : {limits.header_timeout_ms, limits.idle_timeout_ms}) {
    if (timeout != 0) shortest = std::min(shortest, timeout);
  }
  return std::clamp<uint64_t>(shortest / 10, 5, 1000);
}

[[noreturn]] void fail_listen(int fd, const std::string& message) {
  if (fd >= 0) ::close(fd);
  throw ConfigError(message);
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

void AppliedOptions::record(int fd, const SocketOptions& requested, bool from_connection) {
  if (from_connection_.load(std::memory_order_acquire)) return;
  std::vector<OptionReading> readings = read_socket_options(fd, requested);
  std::lock_guard lock(mutex_);
  if (from_connection_.load(std::memory_order_relaxed)) return;
  readings_ = std::move(readings);
  if (from_connection) from_connection_.store(true, std::memory_order_release);
}

std::vector<OptionReading> AppliedOptions::get() const {
  std::lock_guard lock(mutex_);
  return readings_;
}

void sleep_for_us(uint64_t microseconds) {
  timespec remaining{static_cast<time_t>(microseconds / 1'000'000),
                     static_cast<long>(microseconds % 1'000'000) * 1000};
  while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
}

ServerShared::ServerShared(const ServerConfig& server_config) : config(server_config) {
  accepted_options.tcp_nodelay = config.options.tcp_nodelay;
  accepted_options.tcp_quickack = config.options.tcp_quickack;
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
  spare_fd_ = open_spare_descriptor();
  if (shared_.config.stall) {
    uv_timer_init(&loop_, &stall_timer_);
    stall_timer_.data = this;
    const auto period_ms = static_cast<uint64_t>(shared_.config.stall->every_s * 1000.0);
    uv_timer_start(&stall_timer_, on_stall, period_ms, period_ms);
  }
}

ServerLoop::~ServerLoop() { stop(); }

void ServerLoop::listen(SocketAddress* address) {
  const std::string where = address->to_string();
  const int fd = ::socket(address->family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail_listen(-1, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  // SO_REUSEPORT gives each loop its own accept queue on the one port (socket(7)); SO_REUSEADDR
  // lets a fixed port be reused while old connections sit in TIME_WAIT.
  const int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  }
  std::string failed_option;
  int status = apply_buffer_options(fd, shared_.config.options, &failed_option);
  if (status != 0) {
    fail_listen(fd, fmt::format("server.{}: the kernel refused the value: {}", failed_option,
                                uv_strerror(status)));
  }
  const socklen_t address_length =
      address->family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (::bind(fd, address->get(), address_length) != 0 || ::listen(fd, kListenBacklog) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  }
  socklen_t length = sizeof address->storage;
  getsockname(fd, address->get(), &length);  // port 0: later loops bind the port chosen here
  if ((status = uv_poll_init_socket(&loop_, &listener_, fd)) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(status)));
  }
  listener_initialised_ = true;
  listen_fd_ = fd;  // closed by close_everything from here on
  listener_.data = this;
  if ((status = uv_poll_start(&listener_, UV_READABLE, on_listener_readable)) != 0) {
    throw ConfigError(fmt::format("cannot listen on {}: {}", where, uv_strerror(status)));
  }
}

int ServerLoop::listener_fd() const { return listen_fd_; }

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
  shared_.applied.record(fd, shared_.config.options, true);
}

void ServerLoop::on_listener_readable(uv_poll_t* poll, int status, int) {
  auto* self = static_cast<ServerLoop*>(poll->data);
  if (status < 0) {
    add(self->counters_.accept_errors);
    return self->pause_accepting();
  }
  self->accept_pending();
}

void ServerLoop::accept_pending() {
  for (int accepted = 0; accepted < kAcceptBatch && listen_fd_ >= 0; ++accepted) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      start_session(fd);
      continue;
    }
    switch (errno) {
      case EAGAIN:
        return;  // the queue is empty
      case EINTR:
      case ECONNABORTED:  // the client gave up while queued
      // accept(2): Linux passes errors already pending on the new connection to accept();
      // they concern that connection only, so take the next one.
      case ENETDOWN:
      case EPROTO:
      case ENOPROTOOPT:
      case EHOSTDOWN:
      case ENONET:
      case EHOSTUNREACH:
      case EOPNOTSUPP:
      case ENETUNREACH:
        continue;
      case EMFILE:
      case ENFILE:
        return refuse_with_spare_descriptor();
      default:  // ENOBUFS, ENOMEM: the connection stays queued, so waiting beats retrying now
        add(counters_.accept_errors);
        return pause_accepting();
    }
  }
}

void ServerLoop::start_session(int fd) {
  Session* session = acquire();
  if (session == nullptr) {  // out of memory: refuse this one, the next may fare better
    reset_and_close(fd);
    add(counters_.accept_errors);
    return;
  }
  link(session);
  if (session->open(fd) != 0) {
    add(counters_.accept_errors);
    return session->close();
  }
  add(counters_.connections_accepted);
}

// The classic way out of EMFILE: the spare descriptor makes room for one accept at a time, so
// every waiting connection is taken off the queue and reset, rather than left to wait for a
// descriptor that may never come while the listener keeps the loop awake.
void ServerLoop::refuse_with_spare_descriptor() {
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  uint64_t refused = 0;
  int last_errno = 0;
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      last_errno = errno;
      if (last_errno == EINTR || last_errno == ECONNABORTED) continue;
      break;
    }
    reset_and_close(fd);
    ++refused;
  }
  spare_fd_ = open_spare_descriptor();
  add(counters_.refused_no_descriptors, refused);
  // Still EMFILE: another thread took the freed slot, or there was no spare. Pause, not spin.
  if (last_errno != EAGAIN || spare_fd_ < 0) pause_accepting();
}

void ServerLoop::pause_accepting() {
  if (listen_fd_ < 0 || uv_is_active(reinterpret_cast<uv_handle_t*>(&accept_pause_timer_))) return;
  add(counters_.accept_pauses);
  uv_poll_stop(&listener_);
  uv_timer_start(&accept_pause_timer_, on_accept_resume, kAcceptPauseMs, 0);
}

void ServerLoop::on_accept_resume(uv_timer_t* timer) {
  auto* self = static_cast<ServerLoop*>(timer->data);
  if (self->listen_fd_ < 0) return;
  if (self->spare_fd_ < 0) self->spare_fd_ = open_spare_descriptor();
  uv_poll_start(&self->listener_, UV_READABLE, on_listener_readable);
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
