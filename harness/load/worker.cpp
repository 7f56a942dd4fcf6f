#include "load/worker.hpp"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "host/cpu.hpp"
#include "net/kernel_timestamps.hpp"

namespace th {
namespace {

// Timeouts, backoff and the deadline are checked on this period: fine enough for a 1 s timeout
// and far too rare to cost anything next to the requests themselves.
constexpr uint64_t kTickMs = 10;
// TCP_INFO of open connections: often enough for a per-second picture of a long transfer, rare
// enough (one getsockopt per connection per second) to cost nothing next to the load itself.
constexpr uint64_t kTcpInfoPeriodMs = 1000;

}  // namespace

Worker::Worker(LoadPlan& plan, uint32_t index, uint32_t first_connection, uint32_t connection_count,
               const std::vector<int>& cpus)
    : plan_(plan),
      index_(index),
      first_connection_(first_connection),
      connection_count_(connection_count),
      cpus_(cpus),
      think_time_gaps_(0x7417c0000ULL + index) {
  if (plan.rate_per_thread > 0) {
    pacer_.emplace(plan.rate_per_thread, plan.arrival, plan.start_ns, 0x5eed0000ULL + index,
                   static_cast<double>(index) / plan.threads);
  }
  recorder_.timeline.set_clock_offset(realtime_minus_monotonic_ns());
  if (plan.tcp_info) recorder_.tcp_info.emplace();
  if (plan.tls) recorder_.tls.emplace();
  if (plan.timestamps) {
    recorder_.timestamps.emplace();
    receive_timestamping_fd_ = turn_on_receive_timestamping();
  }
}

Worker::~Worker() { join(); }

void Worker::start() {
  if (const int status = loop_thread_.init(); status != 0) {
    fail("cannot make its loop", status);
    finished_ns_.store(uv_hrtime(), std::memory_order_release);
    return;
  }
  loop_thread_.set_busy_poll(plan_.busy_poll_spin_ns);
  const LoopThread::Started started = loop_thread_.start(
      cpus_, index_, [this] { return set_up(); }, [this] { shut_down(); });
  if (started.pin_status != 0 && failure_.empty()) {
    failure_ = fmt::format("cannot pin load thread {} to a CPU of client_cpus: {}", index_,
                           uv_strerror(started.pin_status));
  }
}

void Worker::join() {
  loop_thread_.join();
  if (receive_timestamping_fd_ >= 0) close(receive_timestamping_fd_);
  receive_timestamping_fd_ = -1;
  if (!loop_thread_.initialised()) return;
  cpu_end_s_ = loop_thread_.cpu_seconds();
  cpu_end_split_ = loop_thread_.cpu_split();
  if (!cpu_start_sampled_) {
    cpu_start_s_ = cpu_end_s_;
    cpu_start_split_ = cpu_end_split_;
  }
  // Every handle is closed once the loop has returned, so the connections can go.
  page_users_.clear();
  connections_.clear();
  if (pacing_fd_ >= 0) close(pacing_fd_);
  pacing_fd_ = -1;
}

void Worker::fail(const char* what, int status) {
  failure_ = fmt::format("load thread {} {}: {}; its {} connections sent nothing", index_, what,
                         uv_strerror(status), connection_count_);
}

// On the loop thread, before the loop runs. A failure here is said in failure() and shuts the
// worker down; the run goes on without its connections.
int Worker::set_up() {
  int status = tick_timer_.init_timer(loop(), this);
  if (status != 0) {
    fail("cannot make its timer", status);
    return status;
  }
  create_connections();
  stop_at_ns_ = plan_.deadline_ns;
  if (open_loop() && (status = set_up_pacing()) != 0) return status;
  if ((status = uv_timer_start(tick_timer_.get(), on_tick, kTickMs, kTickMs)) != 0) {
    fail("cannot start its timer", status);
    return status;
  }
  if (plan_.tcp_info) start_tcp_info_timer();
  const uint64_t now = uv_hrtime();
  sample_cpu_start(now);
  for (auto& connection : connections_) connection_free(*connection, now);
  return 0;
}

int Worker::set_up_pacing() {
  // The default 50 us timer slack would be most of a loopback request's latency; a refusal only
  // costs precision, so it is not a failure.
  prctl(PR_SET_TIMERSLACK, 1000UL);
  idle_.reserve(connection_count_);
  pacing_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (pacing_fd_ < 0) {
    const int status = -errno;
    fail("cannot make its pacing timer (timerfd_create)", status);
    return status;
  }
  int status = pacing_poll_.init_poll(loop(), pacing_fd_, this);
  if (status == 0) status = uv_poll_start(pacing_poll_.get(), UV_READABLE, on_pace);
  if (status != 0) fail("cannot poll its pacing timer", status);
  return status;
}

// The open-loop schedule ends at the deadline: requests meant to start before it still start
// (late) while the grace period lasts; none meant for later does.
bool Worker::schedule_over(uint64_t now_ns) const {
  if (plan_.stop_requested.load(std::memory_order_relaxed)) return true;
  return pacer_->next_ns() >= stop_at_ns_ || now_ns >= stop_at_ns_ + plan_.grace_ns;
}

void Worker::create_connections() {
  const uint32_t per_user = plan_.page ? plan_.connections_per_user : 1;
  const uint32_t total = connection_count_ * per_user;
  read_buffer_ = std::make_unique<char[]>(Transport::kReadBufferBytes);
  connections_.reserve(total);
  for (uint32_t slot = 0; slot < total; ++slot) {
    auto connection = std::make_unique<ClientConnection>(*this);
    connection->attach(plan_.make_transport(loop(), connection.get(), read_buffer_.get()));
    if (!plan_.local_addresses.empty()) {
      const uint64_t index = uint64_t{first_connection_} * per_user + slot;
      connection->local_address = plan_.local_addresses[index % plan_.local_addresses.size()].get();
    }
    connections_.push_back(std::move(connection));
  }
  active_connections_ = total;
  if (!plan_.page) return;
  page_users_.reserve(connection_count_);
  for (uint32_t user = 0; user < connection_count_; ++user) {
    std::vector<ClientConnection*> own;
    for (uint32_t index = 0; index < per_user; ++index) {
      own.push_back(connections_[user * per_user + index].get());
    }
    page_users_.push_back(std::make_unique<PageUser>(*this, std::move(own)));
  }
}

void Worker::connection_free(ClientConnection& connection, uint64_t now_ns) {
  if (connection.page_user != nullptr) return connection.page_user->connection_free(now_ns);
  if (!open_loop()) {
    // Closed loop: fill the connection's pipeline (one slot, unless pipelined) at once.
    while (connection.can_take_request()) {
      const bool measured = measuring(now_ns);
      if (stopping(now_ns) || (measured && !plan_.claim_ticket())) {
        if (connection.in_flight() == 0) connection.finish();
        return;
      }
      connection.begin(now_ns, now_ns, measured);
    }
    return;
  }
  if (schedule_over(now_ns)) {
    if (connection.in_flight() == 0) connection.finish();
    return;
  }
  if (!connection.parked && connection.can_take_request()) {
    connection.parked = true;
    idle_.push_back(&connection);
  }
  dispatch_due(now_ns);
}

// Hands every request whose time has come to a parked connection. A request that finds none
// waits (its wait is part of its latency) until a connection comes back to connection_free.
void Worker::dispatch_due(uint64_t now_ns) {
  while (!idle_.empty() && pacer_->next_ns() <= now_ns && !schedule_over(now_ns)) {
    ClientConnection* connection = idle_.back();
    if (!connection->can_take_request()) {  // finished past grace, or its pipeline filled
      connection->parked = false;
      idle_.pop_back();
      continue;
    }
    const uint64_t intended = pacer_->next_ns();
    const bool measured = intended >= plan_.warmup_end_ns;
    if (measured && !plan_.claim_ticket()) {
      stop_at_ns_ = std::min(stop_at_ns_, now_ns);  // every request of the bound is out
      break;
    }
    pacer_->advance();
    if (measured) {
      const auto lag_ns = static_cast<int64_t>(now_ns - intended);
      recorder_.schedule_lag.record(lag_ns);
      // Due while every connection was busy: it waited for one, which is the server's (or the
      // connection count's) doing; lateness with a connection free is the generator's own.
      if (intended >= all_busy_since_ns_) {
        ++recorder_.waited_for_connection;
      } else if (lag_ns > kLateSendNs) {
        ++recorder_.sent_late;
      }
    }
    connection->begin(intended, now_ns, measured);
    if (!connection->can_take_request()) {
      connection->parked = false;
      idle_.pop_back();
    }
  }
  if (schedule_over(now_ns)) {
    while (!idle_.empty()) {
      ClientConnection* connection = idle_.back();
      idle_.pop_back();
      connection->parked = false;
      if (connection->in_flight() == 0) connection->finish();
    }
    return;
  }
  // No connection is free: the requests due from now on (or already due and left) wait for
  // connection_free.
  all_busy_since_ns_ = idle_.empty() ? std::min(now_ns, pacer_->next_ns()) : kNever;
  if (!idle_.empty()) arm_pacing_timer();
}

void Worker::arm_pacing_timer() {
  itimerspec when{};
  const uint64_t next = pacer_->next_ns();
  when.it_value.tv_sec = static_cast<time_t>(next / 1'000'000'000);
  when.it_value.tv_nsec = static_cast<long>(next % 1'000'000'000);
  // Cannot fail for a valid timerfd and an absolute time; a request would then wait for the tick.
  timerfd_settime(pacing_fd_, TFD_TIMER_ABSTIME, &when, nullptr);
}

void Worker::on_pace(uv_poll_t* poll, int, int) {
  auto* self = static_cast<Worker*>(poll->data);
  uint64_t expirations = 0;
  [[maybe_unused]] const ssize_t got = read(self->pacing_fd_, &expirations, sizeof expirations);
  self->dispatch_due(uv_hrtime());
}

void Worker::on_tick(uv_timer_t* timer) { static_cast<Worker*>(timer->data)->tick(); }

// The first sample comes just after warm-up ends, so that connections opened during warm-up
// count only what they do in the measured window; then one every second.
void Worker::start_tcp_info_timer() {
  // Without it the report's tcp_info section is empty, which the report shows; the load runs on.
  if (tcp_info_timer_.init_timer(loop(), this) != 0) return;
  // libuv counts from its cached loop time, in whole ms: refresh it, and round up with 2 ms to
  // spare so the first sample is never before the window starts.
  uv_update_time(loop());
  const uint64_t now = uv_hrtime();
  const uint64_t first_ms =
      plan_.warmup_end_ns > now ? (plan_.warmup_end_ns - now) / 1'000'000 + 2 : kTcpInfoPeriodMs;
  uv_timer_start(tcp_info_timer_.get(), on_tcp_info_tick, first_ms, kTcpInfoPeriodMs);
}

void Worker::on_tcp_info_tick(uv_timer_t* timer) {
  auto* self = static_cast<Worker*>(timer->data);
  const uint64_t now = uv_hrtime();
  for (auto& connection : self->connections_) connection->sample_tcp_info(now);
}

void Worker::tick() {
  const uint64_t now = uv_hrtime();
  sample_cpu_start(now);
  progress_ok_.store(recorder_.requests_ok, std::memory_order_relaxed);
  progress_errors_.store(recorder_.error_total(), std::memory_order_relaxed);
  if (plan_.stop_requested.load(std::memory_order_relaxed))
    stop_at_ns_ = std::min(stop_at_ns_, now);
  if (now >= stop_at_ns_ && !stopping_) {
    stopping_ = true;
    // The measured window ends here for TCP_INFO too: what the connections do while they drain
    // and close is not part of the run's throughput, so it is not part of their counters.
    if (recorder_.tcp_info) {
      tcp_info_window_end_ns_ = now;
      for (auto& connection : connections_) connection->sample_tcp_info(now);
    }
  }
  if (open_loop()) dispatch_due(now);
  const bool past_grace = now >= stop_at_ns_ + plan_.grace_ns;
  for (auto& user : page_users_) user->tick(now);
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
  cpu_start_split_ = thread_cpu_split(gettid());
}

void Worker::note_applied_options(int fd) {
  if (applied_options_.empty())
    applied_options_ = read_socket_options(fd, plan_.client_options, SocketRole::client);
}

void Worker::note_timestamping(int64_t applied) {
  if (timestamping_noted_) return;
  timestamping_noted_ = true;
  OptionReading reading;
  reading.name = "so_timestamping";
  reading.requested = software_timestamp_flags() | kTimestampKeysFromWritten;
  reading.applied = std::max<int64_t>(applied, 0);
  if (applied < 0) {
    reading.note =
        fmt::format("refused ({}): no request is split", uv_strerror(static_cast<int>(applied)));
  } else if ((applied & kTimestampKeysFromWritten) == 0) {
    reading.note = "no OPT_ID_TCP before Linux 6.2: keys count from the first unacknowledged byte";
  }
  applied_options_.push_back(std::move(reading));
}

void Worker::connection_finished() {
  if (--active_connections_ == 0) shut_down();
}

// Requests the schedule meant to start inside the window that never got a connection: an open
// loop must not lose them silently, since they are exactly the ones a stalled server delays.
void Worker::count_unsent() {
  if (!open_loop() || plan_.stop_requested.load(std::memory_order_relaxed)) return;
  const uint64_t end = std::min(stop_at_ns_, plan_.deadline_ns);
  for (uint64_t counted = 0; pacer_->next_ns() < end && counted < 100'000'000; ++counted) {
    if (pacer_->next_ns() >= plan_.warmup_end_ns) ++unsent_at_end_;
    pacer_->advance();
  }
}

void Worker::shut_down() {
  if (shut_down_) return;
  shut_down_ = true;
  progress_ok_.store(recorder_.requests_ok, std::memory_order_relaxed);
  progress_errors_.store(recorder_.error_total(), std::memory_order_relaxed);
  count_unsent();
  tick_timer_.close();
  tcp_info_timer_.close();
  pacing_poll_.close();
  finished_ns_.store(uv_hrtime(), std::memory_order_release);
}

}  // namespace th
