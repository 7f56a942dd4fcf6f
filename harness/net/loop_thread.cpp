#include "net/loop_thread.hpp"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "host/cpu.hpp"

namespace th {

LoopThread::~LoopThread() { stop(); }

int LoopThread::init() {
  const int status = uv_loop_init(&loop_);
  if (status != 0) return status;
  initialised_ = true;
  // Unreferenced: a pending stop request alone must not keep the loop running once the owner
  // has closed its handles.
  const int async_status = stop_request_.init_async(&loop_, on_stop_request, this);
  if (async_status != 0) {
    close_loop();
    return async_status;
  }
  uv_unref(as_handle(stop_request_.get()));
  return 0;
}

LoopThread::Started LoopThread::start(const std::vector<int>& cpus, size_t index,
                                      std::function<int()> on_start,
                                      std::function<void()> on_stop) {
  on_stop_ = std::move(on_stop);
  started_ = true;
  std::promise<Started> ready;
  std::future<Started> started = ready.get_future();
  thread_ = std::thread([this, cpus, index, on_start = std::move(on_start), &ready]() mutable {
    run(cpus, index, on_start, &ready);
  });
  return started.get();
}

void LoopThread::run(const std::vector<int>& cpus, size_t index, std::function<int()>& on_start,
                     std::promise<Started>* ready) {
  tid_.store(gettid(), std::memory_order_relaxed);
  Started started;
  started.pin_status = pin_current_thread(cpus, index);
  started.start_status = on_start ? on_start() : 0;
  // Closes what the owner made before its set-up failed, before the owner hears of it.
  if (started.start_status != 0 && on_stop_) on_stop_();
  ready->set_value(started);  // `ready` dies as soon as start() returns
  if (busy_spin_ns_ == 0) {
    uv_run(&loop_, UV_RUN_DEFAULT);
  } else {
    run_busy();
  }
  final_cpu_seconds_.store(thread_cpu_seconds(pthread_self()), std::memory_order_relaxed);
  final_cpu_split_ = thread_cpu_split(gettid());
  finished_.store(true, std::memory_order_release);
}

// Something is ready when a timer is due (or libuv has pending work: a backend timeout of 0) or
// the loop's epoll descriptor is readable. Every turn of the spin runs the loop without
// blocking, ready or not: libuv adds a socket a callback started watching to epoll only when it
// next polls, so a turn that skipped uv_run would leave a new connection's socket unwatched, its
// events invisible, until the spin ended. uv_run returning 0 means no active handle is left, as
// in UV_RUN_DEFAULT.
void LoopThread::run_busy() {
  pollfd backend{uv_backend_fd(&loop_), POLLIN, 0};
  uint64_t last_ready_ns = uv_hrtime();
  for (;;) {
    uv_update_time(&loop_);
    const bool ready = uv_backend_timeout(&loop_) == 0 || poll(&backend, 1, 0) > 0;
    const uint64_t now_ns = uv_hrtime();
    if (ready) last_ready_ns = now_ns;
    const bool spin = now_ns - last_ready_ns < busy_spin_ns_;
    if (uv_run(&loop_, spin ? UV_RUN_NOWAIT : UV_RUN_ONCE) == 0) return;
    if (!spin) last_ready_ns = uv_hrtime();  // woken by an event: spin again from here
  }
}

void LoopThread::on_stop_request(uv_async_t* async) {
  auto* self = static_cast<LoopThread*>(async->data);
  if (self->on_stop_) self->on_stop_();
}

void LoopThread::stop() {
  if (!initialised_ || closed_) return;
  if (thread_.joinable()) {
    uv_async_send(stop_request_.get());
    thread_.join();
  } else if (on_stop_) {
    on_stop_();  // the thread never started: close the owner's handles here
  }
  close_loop();
}

void LoopThread::join() {
  if (thread_.joinable()) thread_.join();
  close_loop();
}

// Closes whatever is still open (the stop request, and anything an owner left behind on an
// error path), lets the close callbacks run, then closes the loop.
void LoopThread::close_loop() {
  if (!initialised_ || closed_) return;
  closed_ = true;
  stop_request_.close();
  for (int attempt = 0; attempt < 2; ++attempt) {
    uv_walk(
        &loop_, [](uv_handle_t* handle, void*) { close_handle(handle); }, nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop_) == 0) return;
  }
}

CpuSplit LoopThread::cpu_split() const {
  if (finished()) return final_cpu_split_;
  const pid_t tid = tid_.load(std::memory_order_relaxed);
  return tid != 0 ? thread_cpu_split(tid) : CpuSplit{};
}

double LoopThread::cpu_seconds() const {
  if (finished()) return final_cpu_seconds_.load(std::memory_order_relaxed);
  if (!thread_.joinable()) return 0.0;
  return thread_cpu_seconds(const_cast<std::thread&>(thread_).native_handle());
}

}  // namespace th
