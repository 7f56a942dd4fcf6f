#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "load/client_connection.hpp"
#include "load/load_plan.hpp"
#include "net/socket_options.hpp"
#include "stats/recorder.hpp"

namespace th {

// One load-generator thread: its own libuv loop, its share of the connections and its own
// Recorder. Nothing here is shared with other workers except the read-only LoadPlan.
class Worker {
 public:
  Worker(LoadPlan& plan, uint32_t index, uint32_t connection_count, const std::vector<int>& cpus);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  void join();
  pthread_t native_handle() { return thread_.native_handle(); }

  // Results, valid after join().
  const Recorder& recorder() const { return recorder_; }
  const std::vector<OptionReading>& applied_options() const { return applied_options_; }
  uint64_t in_flight_at_end() const { return in_flight_at_end_; }
  // Non-zero once every connection has finished; read by the controller while the loop runs.
  uint64_t finished_ns() const { return finished_ns_.load(std::memory_order_acquire); }
  double cpu_seconds() const { return cpu_end_s_ - cpu_start_s_; }  // over the measured window
  const std::string& failure() const { return failure_; }

  // For the worker's connections, on the loop thread.
  uv_loop_t* loop() { return &loop_; }
  LoadPlan& plan() { return plan_; }
  Recorder& recorder() { return recorder_; }
  // Checked against the clock, not only the periodic tick, so no request starts after the
  // deadline or a stop request.
  bool stopping(uint64_t now_ns) const { return stopping_ || now_ns >= stop_at_ns_; }
  void note_completion(uint64_t now_ns) { last_completion_ns_ = now_ns; }
  uint64_t last_completion_ns() const { return last_completion_ns_; }  // after join()
  bool measuring(uint64_t now_ns) const { return now_ns >= plan_.warmup_end_ns; }
  void note_applied_options(int fd);
  void count_in_flight_at_end() { ++in_flight_at_end_; }
  void connection_finished();

 private:
  void run();
  void tick();
  void shut_down();
  void sample_cpu_start(uint64_t now_ns);
  static void on_tick(uv_timer_t* timer);

  LoadPlan& plan_;
  uint32_t index_;
  uint32_t connection_count_;
  std::vector<int> cpus_;
  std::thread thread_;
  uv_loop_t loop_{};
  uv_timer_t tick_timer_{};
  std::vector<std::unique_ptr<ClientConnection>> connections_;
  Recorder recorder_;
  std::vector<OptionReading> applied_options_;
  uint32_t active_connections_ = 0;
  uint64_t stop_at_ns_ = 0;  // the deadline, or earlier when a stop is requested
  bool stopping_ = false;
  bool shut_down_ = false;
  uint64_t in_flight_at_end_ = 0;
  std::atomic<uint64_t> finished_ns_{0};
  uint64_t last_completion_ns_ = 0;
  bool cpu_start_sampled_ = false;
  double cpu_start_s_ = 0;
  double cpu_end_s_ = 0;
  std::string failure_;
};

}  // namespace th
