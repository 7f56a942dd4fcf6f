#include "host/cpu.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
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

std::optional<CpuSplit> CpuSplit::scaled_to(double total_s) const {
  const double sampled = user_s + system_s;
  if (sampled <= 0) return total_s > 0 ? std::nullopt : std::optional(CpuSplit{});
  return CpuSplit{total_s * user_s / sampled, total_s * system_s / sampled};
}

CpuSplit thread_cpu_split(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", static_cast<int>(tid));
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char text[1024];
  const ssize_t got = read(fd, text, sizeof text - 1);
  close(fd);
  if (got <= 0) return {};
  text[got] = '\0';
  // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
  const char* after_name = std::strrchr(text, ')');
  unsigned long long user_ticks = 0;
  unsigned long long system_ticks = 0;
  // Fields 3 to 13 are skipped; 14 and 15 are utime and stime.
  if (after_name == nullptr ||
      std::sscanf(after_name + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                  &user_ticks, &system_ticks) != 2) {
    return {};
  }
  const double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(user_ticks) * tick_s, static_cast<double>(system_ticks) * tick_s};
}

}  // namespace th
