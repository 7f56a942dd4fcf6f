#include "host/cpu.hpp"

#include <sched.h>

#include <ctime>

namespace th {

int pin_current_thread(const std::vector<int>& cpus, size_t index) {
  if (cpus.empty()) return 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus[index % cpus.size()], &set);
  return -pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double thread_cpu_seconds(pthread_t thread) {
  clockid_t clock;
  if (pthread_getcpuclockid(thread, &clock) != 0) return 0.0;
  timespec now{};
  if (clock_gettime(clock, &now) != 0) return 0.0;
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace th
