#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <optional>
#include <vector>

namespace th {

// Pins the calling thread to one CPU of `cpus`, chosen round-robin by `index`. Empty list: no
// pinning. Returns 0 or a negative errno (an offline or absent CPU).
int pin_current_thread(const std::vector<int>& cpus, size_t index);

// CPU time (user + system) a thread has used so far, in seconds. Works for any thread of the
// process, so the controller can sample loops at the edges of the measured window.
double thread_cpu_seconds(pthread_t thread);

// A thread's CPU time as the kernel splits it: in user space (the harness, OpenSSL) and in the
// kernel on its behalf (the TCP stack, syscalls).
struct CpuSplit {
  double user_s = 0;
  double system_s = 0;

  CpuSplit& operator+=(const CpuSplit& other) {
    user_s += other.user_s;
    system_s += other.system_s;
    return *this;
  }
  CpuSplit operator-(const CpuSplit& earlier) const {
    return {user_s - earlier.user_s, system_s - earlier.system_s};
  }
  // The same split of `total_s`: the kernel samples the split at its clock tick (10 ms), while
  // thread_cpu_seconds is exact to the nanosecond, so the exact total is shared in the sampled
  // proportion (as getrusage does). nullopt when no tick was sampled but CPU was used: the
  // split is unknown, not zero.
  std::optional<CpuSplit> scaled_to(double total_s) const;
};

// From /proc/self/task/TID/stat (utime, stime), for any thread of the process; {} when it
// cannot be read. Reads a file: for the edges of a window, never a hot path.
CpuSplit thread_cpu_split(pid_t tid);

}  // namespace th
