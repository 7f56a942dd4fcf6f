#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "host/cpu.hpp"
#include "net/uv_handle.hpp"

namespace th {

// One libuv loop and the thread that runs it: the part that every load-generator thread and
// every server loop shares. It owns the loop's life (checked init, pinning, the thread's CPU
// time, a stop request from another thread, and at the end closing every handle still open and
// the loop itself), so its owners only own their own handles.
//
// The loop runs until its owner has closed its handles (uv_run returns when none is active):
// a worker closes its own when its load is done, a server closes them from on_stop.
class LoopThread {
 public:
  LoopThread() = default;
  ~LoopThread();  // stop()s
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  // Initialises the loop on the calling thread, so handles can be made on it before start().
  // 0 or a negative libuv status; nothing else may be called after a failure but the destructor.
  int init();
  uv_loop_t* loop() { return &loop_; }
  const uv_loop_t* loop() const { return &loop_; }
  bool initialised() const { return initialised_; }

  // Starts the thread, pins it to cpus[index % cpus.size()] (an empty list: anywhere), runs
  // `on_start` on it (the owner's set-up: handles, first connections) and then the loop. Returns
  // once the loop is about to run. `on_stop` runs on the loop thread when stop() asks, or when
  // on_start failed, and must close the owner's handles.
  struct Started {
    int pin_status = 0;    // 0, or a negative errno: the loop runs unpinned
    int start_status = 0;  // on_start's: not 0, and the loop closes at once (on_stop runs)
  };
  Started start(const std::vector<int>& cpus, size_t index, std::function<int()> on_start,
                std::function<void()> on_stop);
  // Latency mode (scenario key poll: busy), before start(): the loop checks its sockets and
  // timers without blocking and runs what is ready, and only after `spin_ns` without anything
  // ready does it sleep in epoll. A reply then finds the thread running, instead of paying for
  // the wake-up from an idle CPU; the thread uses its core whole while it spins. 0: sleep.
  void set_busy_poll(uint64_t spin_ns) { busy_spin_ns_ = spin_ns; }
  // Asks the loop to stop (on_stop on the loop thread), waits for the thread and closes the
  // loop. Idempotent; from the owner's thread. A loop that never started is stopped here.
  void stop();
  // Waits for a loop that stops by itself (every handle of its owner closed).
  void join();

  // CPU time (user + system) of the loop's thread so far; final once the thread has ended.
  double cpu_seconds() const;
  CpuSplit cpu_split() const;  // user and system, as the kernel sampled them
  bool started() const { return started_; }
  // Whether the loop has returned: every handle closed, nothing more will run on it.
  bool finished() const { return finished_.load(std::memory_order_acquire); }

 private:
  static void on_stop_request(uv_async_t* async);
  void run(const std::vector<int>& cpus, size_t index, std::function<int()>& on_start,
           std::promise<Started>* ready);
  void close_loop();
  void run_busy();

  uv_loop_t loop_{};
  bool initialised_ = false;
  bool closed_ = false;
  bool started_ = false;
  UvHandle<uv_async_t> stop_request_;
  std::function<void()> on_stop_;
  std::thread thread_;
  uint64_t busy_spin_ns_ = 0;
  std::atomic<bool> finished_{false};
  std::atomic<double> final_cpu_seconds_{0.0};
  std::atomic<pid_t> tid_{0};
  CpuSplit final_cpu_split_;  // written before finished_ is set, read after
};

}  // namespace th
