#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "net/loop_thread.hpp"
#include "net/socket_options.hpp"
#include "net/uv_handle.hpp"
#include "proto/http_response.hpp"
#include "server/server.hpp"
#include "stats/histogram.hpp"

namespace th {

class Session;

// Throws ConfigError when another socket listens on `address`'s port (server_acceptor.cpp says
// how it tells).
void refuse_held_port(const SocketAddress& address);

// Blocks the calling (loop) thread: the server's simulated work and stalls are meant to hold
// the loop, as synchronous work in a real server would.
void sleep_for_us(uint64_t microseconds);
// Blocks for exactly this long, as a handler's synchronous work would: slept, then the last
// kSpinTailUs spun, since a sleep overshoots by the timer slack and the wake-up (about 80 us on
// a VM), which would make a 100 us delay last 180.
inline constexpr uint64_t kSpinTailUs = 150;
void spend_us(uint64_t microseconds);

// Counters of one loop. Only the loop thread writes them; stats() reads them from any thread.
struct LoopCounters {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> requests_served{0};
  std::atomic<uint64_t> bytes_received{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> accept_errors{0};
  std::atomic<uint64_t> accept_pauses{0};
  std::atomic<uint64_t> refused_no_descriptors{0};
  std::atomic<uint64_t> bad_requests{0};
  std::atomic<uint64_t> methods_not_allowed{0};
  std::atomic<uint64_t> header_timeouts{0};
  std::atomic<uint64_t> bodies_too_large{0};
  std::atomic<uint64_t> headers_too_large{0};
  std::atomic<uint64_t> methods_not_implemented{0};
  std::atomic<uint64_t> idle_timeouts{0};
  std::atomic<uint64_t> tls_full{0};
  std::atomic<uint64_t> tls_resumed{0};
  std::atomic<uint64_t> tls_failed{0};
  std::atomic<uint64_t> tls_handshake_timeouts{0};
  std::atomic<uint64_t> tls_early_data_accepted{0};
  std::atomic<uint64_t> tls_early_data_rejected{0};
};

// With one writer, a relaxed load and store is enough and avoids a locked read-modify-write on
// every read callback.
inline void add(std::atomic<uint64_t>& counter, uint64_t amount = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

// The socket options as the kernel applied them: the listener's until the first connection is
// accepted, that connection's from then on, except for the options that exist on the listener
// only (Fast Open queue, defer-accept), which are always the listener's. Written twice per
// server, so a mutex is fine.
class AppliedOptions {
 public:
  void record_listener(int fd, const SocketOptions& requested);
  void record_connection(int fd, const SocketOptions& requested);
  std::vector<OptionReading> get() const;

 private:
  std::atomic<bool> from_connection_{false};  // checked per accept without taking the lock
  mutable std::mutex mutex_;
  std::vector<OptionReading> listener_;    // every server-side option, in table order
  std::vector<OptionReading> connection_;  // the options of an accepted socket
};

// What every loop of one server reads. Built before the loops start and not changed after.
struct ServerShared {
  explicit ServerShared(const ServerConfig& server_config);

  ServerConfig config;
  HttpResponseBytes response;  // http only
  AppliedOptions applied;
  // Set by Server::stop before the loops are told: a loop working through queued requests with
  // delay_us skips the sleeps still ahead, or stopping would wait for every one of them.
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> own_time_from_ns;  // ServerConfig::own_time_from_ns, then as the run says
};

// One libuv loop on its own thread, with its own listening socket and its own sessions.
//
// It accepts by itself (accept4 on a polled socket) rather than through uv_listen, to own what
// happens when the process runs out of file descriptors: a spare descriptor is kept open, and on
// EMFILE/ENFILE it is closed, the waiting connections are accepted and reset, and it is opened
// again; if even that fails, accepting pauses for kAcceptPauseMs instead of spinning on a socket
// that stays readable. Every case is counted.
//
// Timeouts cost no timer per connection: one sweep timer per loop walks the live sessions a few
// times per shortest timeout and lets each compare its timestamps with the loop's clock.
class ServerLoop {
 public:
  ServerLoop(ServerShared& shared, size_t index);  // throws ConfigError
  ~ServerLoop();                                   // stop()s
  ServerLoop(const ServerLoop&) = delete;
  ServerLoop& operator=(const ServerLoop&) = delete;

  // Binds a listening socket to `address` and fills in its port. Throws ConfigError.
  void listen(SocketAddress* address);
  int listener_fd() const;
  // Starts the thread and returns once its loop is about to run: the pinning status.
  int start();
  // Closes the listener and every session, lets the loop drain and joins. Idempotent; call from
  // the thread that owns the server.
  void stop();

  double cpu_seconds() const;
  CpuSplit cpu_split() const { return loop_thread_.cpu_split(); }
  void add_to(ServerStats* stats) const;

  // For sessions, on the loop thread.
  uv_loop_t* uv_loop() { return loop_thread_.loop(); }
  uint64_t now_ms() const { return uv_now(loop_thread_.loop()); }  // cached clock: no syscall
  const ServerShared& shared() const { return shared_; }
  LoopCounters& counters() { return counters_; }
  // The server's own time for one answer: from the read that completed its request (read_ns,
  // uv_hrtime) to now, when the answer has been handed to the kernel. No lock, no allocation.
  void record_own_time(uint64_t read_ns, uint64_t answers = 1) {
    if (answers == 0 || read_ns < shared_.own_time_from_ns.load(std::memory_order_relaxed)) return;
    own_time_.record_n(static_cast<int64_t>(uv_hrtime() - read_ns), answers);
  }
  const Histogram& own_time() const { return own_time_; }  // complete once stopped
  // The congestion window `answers` answers began with, read from fd just after the write that
  // handed their first bytes over: the kernel restarts an idle connection's window
  // (tcp_slow_start_after_idle) when new data is queued, so a read before the write would miss
  // it. One getsockopt, no allocation; only with config.sample_cwnd_per_response.
  void record_cwnd_at_response(const Transport& transport, uint64_t read_ns, uint64_t answers);
  const Histogram& cwnd_at_response() const { return cwnd_at_response_; }
  void record_applied_options(int fd);
  void release(Session* session);

 private:
  static void on_listener_readable(uv_poll_t* poll, int status, int events);
  static void on_accept_resume(uv_timer_t* timer);
  static void on_sweep(uv_timer_t* timer);
  static void on_stall(uv_timer_t* timer);
  void close_everything();
  void accept_pending();
  void start_session(int fd);
  void refuse_with_spare_descriptor();
  void pause_accepting();
  Session* acquire();
  void link(Session* session);
  void unlink(Session* session);

  ServerShared& shared_;
  const size_t index_;
  LoopCounters counters_;
  Histogram own_time_;
  Histogram cwnd_at_response_;
  LoopThread loop_thread_;
  int listen_fd_ = -1;
  int spare_fd_ = -1;  // kept open to be given up when the process runs out of descriptors
  UvHandle<uv_poll_t> listener_;
  UvHandle<uv_timer_t> accept_pause_timer_;
  UvHandle<uv_timer_t> sweep_timer_;
  UvHandle<uv_timer_t> stall_timer_;  // only with config.stall
  bool stopping_ = false;             // loop thread: closed sessions are freed, not pooled
  bool stopped_ = false;              // owner thread
  Session* live_ = nullptr;
  Session* free_ = nullptr;
  size_t free_count_ = 0;
};

}  // namespace th
