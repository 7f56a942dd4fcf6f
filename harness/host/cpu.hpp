#pragma once

#include <pthread.h>

#include <vector>

namespace th {

// Pins the calling thread to one CPU of `cpus`, chosen round-robin by `index`. Empty list: no
// pinning. Returns 0 or a negative errno (an offline or absent CPU).
int pin_current_thread(const std::vector<int>& cpus, size_t index);

// CPU time (user + system) a thread has used so far, in seconds. Works for any thread of the
// process, so the controller can sample loops at the edges of the measured window.
double thread_cpu_seconds(pthread_t thread);

}  // namespace th
