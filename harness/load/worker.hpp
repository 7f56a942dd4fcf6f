#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "host/cpu.hpp"
#include "load/client_connection.hpp"
#include "load/load_plan.hpp"
#include "load/pacer.hpp"
#include "load/page_user.hpp"
#include "net/loop_thread.hpp"
#include "net/socket_options.hpp"
#include "net/uv_handle.hpp"
#include "stats/recorder.hpp"

namespace th {

// One load-generator thread: its own libuv loop, its share of the connections and its own
// Recorder. Nothing here is shared with other workers except the read-only LoadPlan. It decides
// when each connection starts its next request: at once (closed loop) or when the schedule says
// so (open loop, `rate`).
class Worker {
 public:
  // first_connection: the index of this worker's first connection among all workers', so
  // source addresses are spread over every connection of the run. With a page workload the
  // connections are virtual users, each with plan.connections_per_user connections.
  Worker(LoadPlan& plan, uint32_t index, uint32_t first_connection, uint32_t connection_count,
         const std::vector<int>& cpus);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread; a loop or handle that cannot be made ends the worker at once with its
  // failure() said, and the run goes on with the other workers.
  void start();
  void join();

  // Results, valid after join().
  const Recorder& recorder() const { return recorder_; }
  const std::vector<OptionReading>& applied_options() const { return applied_options_; }
  uint64_t in_flight_at_end() const { return in_flight_at_end_; }
  uint64_t unsent_at_end() const { return unsent_at_end_; }
  uint64_t last_completion_ns() const { return last_completion_ns_; }
  double cpu_seconds() const { return cpu_end_s_ - cpu_start_s_; }  // over the measured window
  CpuSplit cpu_split() const { return cpu_end_split_ - cpu_start_split_; }
  const std::string& failure() const { return failure_; }
  // Read by the controller while the loop runs.
  uint64_t finished_ns() const { return finished_ns_.load(std::memory_order_acquire); }
  uint64_t progress_ok() const { return progress_ok_.load(std::memory_order_relaxed); }
  uint64_t progress_errors() const { return progress_errors_.load(std::memory_order_relaxed); }
  // Connection attempts so far, warm-up included, for the controller's check for a target that
  // accepts nothing: those that connected, those that failed, and the last failure's libuv status.
  uint64_t connects_established() const {
    return connects_established_.load(std::memory_order_relaxed);
  }
  uint64_t connects_failed() const { return connects_failed_.load(std::memory_order_relaxed); }
  int last_connect_error() const { return last_connect_error_.load(std::memory_order_relaxed); }

  // For the worker's connections, on the loop thread.
  uv_loop_t* loop() { return loop_thread_.loop(); }
  const LoadPlan& plan() const { return plan_; }
  Recorder& recorder() { return recorder_; }
  // No new request starts once this is true. Checked against the clock, not only the periodic
  // tick, so nothing starts after the deadline or a stop request.
  bool stopping(uint64_t now_ns) const { return stopping_ || now_ns >= stop_at_ns_; }
  bool measuring(uint64_t now_ns) const { return now_ns >= plan_.warmup_end_ns; }
  // When this thread stopped measuring (after the stop, its connections only drain): TCP_INFO
  // samples later than this are left out.
  uint64_t tcp_info_window_end_ns() const { return tcp_info_window_end_ns_; }
  void note_applied_options(int fd);
  // The first connection's SO_TIMESTAMPING as applied (or a negative errno), reported with the
  // socket options.
  void note_timestamping(int64_t applied);
  void note_completion(uint64_t now_ns) { last_completion_ns_ = now_ns; }
  // The next pause of a connection between a response and its next request (think_time_ms).
  uint64_t draw_think_time_ns() {
    if (!plan_.think_time_exponential) return plan_.think_time_ns;
    return static_cast<uint64_t>(think_time_gaps_.exponential(double(plan_.think_time_ns)));
  }
  bool claim_tickets(uint64_t count) { return plan_.claim_tickets(count); }
  void return_tickets(uint64_t count) { plan_.return_tickets(count); }
  void count_in_flight_at_end() { ++in_flight_at_end_; }
  // The outcome of one connection attempt: 0, or the libuv status it failed with. This thread
  // is the counters' only writer, so a load and a store do without a locked add.
  void note_connect(int status) {
    if (status == 0) {
      connects_established_.store(connects_established_.load(std::memory_order_relaxed) + 1,
                                  std::memory_order_relaxed);
      return;
    }
    last_connect_error_.store(status, std::memory_order_relaxed);
    connects_failed_.store(connects_failed_.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
  }
  // A connection has no request: give it the next one, park it until the schedule has one, or
  // finish it when the run is over.
  void connection_free(ClientConnection& connection, uint64_t now_ns);
  void connection_finished();

 private:
  int set_up();
  int set_up_pacing();
  void fail(const char* what, int status);
  void create_connections();
  void tick();
  void shut_down();
  void sample_cpu_start(uint64_t now_ns);
  bool open_loop() const { return pacer_.has_value(); }
  bool schedule_over(uint64_t now_ns) const;
  void dispatch_due(uint64_t now_ns);
  void arm_pacing_timer();
  void count_unsent();
  static void on_tick(uv_timer_t* timer);
  static void on_tcp_info_tick(uv_timer_t* timer);
  void start_tcp_info_timer();
  static void on_pace(uv_poll_t* poll, int status, int events);

  LoadPlan& plan_;
  uint32_t index_;
  uint32_t first_connection_;
  uint32_t connection_count_;
  std::vector<int> cpus_;
  LoopThread loop_thread_;
  UvHandle<uv_timer_t> tick_timer_;
  UvHandle<uv_timer_t>
      tcp_info_timer_;  // only with plan.tcp_info: one timer walks every connection
  // Every connection parses what it reads before returning, so one buffer serves them all.
  std::unique_ptr<char[]> read_buffer_;
  std::vector<std::unique_ptr<ClientConnection>> connections_;
  std::vector<std::unique_ptr<PageUser>> page_users_;
  Recorder recorder_;
  std::vector<OptionReading> applied_options_;
  bool timestamping_noted_ = false;
  int receive_timestamping_fd_ = -1;  // turn_on_receive_timestamping(), for the run
  uint32_t active_connections_ = 0;

  // Open loop only: the schedule, the parked connections and a timerfd that wakes the loop at
  // the next intended start with microsecond precision (libuv's own timers round to ms).
  std::optional<Pacer> pacer_;
  RandomGap think_time_gaps_;
  std::vector<ClientConnection*> idle_;
  int pacing_fd_ = -1;
  // Since when every connection has been busy (no parked one), or kNever: a request due after
  // it waited for a connection, however late the wait made it.
  static constexpr uint64_t kNever = UINT64_MAX;
  uint64_t all_busy_since_ns_ = kNever;
  UvHandle<uv_poll_t> pacing_poll_;

  uint64_t stop_at_ns_ = 0;  // the deadline, or earlier when a stop is requested
  bool stopping_ = false;
  uint64_t tcp_info_window_end_ns_ = UINT64_MAX;
  bool shut_down_ = false;
  uint64_t in_flight_at_end_ = 0;
  uint64_t unsent_at_end_ = 0;
  uint64_t last_completion_ns_ = 0;
  std::atomic<uint64_t> finished_ns_{0};
  std::atomic<uint64_t> progress_ok_{0};
  std::atomic<uint64_t> progress_errors_{0};
  std::atomic<uint64_t> connects_established_{0};
  std::atomic<uint64_t> connects_failed_{0};
  std::atomic<int> last_connect_error_{0};
  bool cpu_start_sampled_ = false;
  double cpu_start_s_ = 0;
  double cpu_end_s_ = 0;
  CpuSplit cpu_start_split_;
  CpuSplit cpu_end_split_;
  std::string failure_;
};

}  // namespace th
