#pragma once

#include <cstdint>
#include <functional>

namespace th {

// What the run has done so far, as a status line shows it. Sent about once a second.
struct RunProgress {
  double elapsed_s = 0;  // since the load started, warm-up included
  double total_s = 0;    // warm-up plus duration
  bool warming_up = false;
  uint64_t requests_ok = 0;  // over the whole run so far, warm-up included
  uint64_t errors = 0;
};

struct RunOptions {
  // Called from the controlling thread while the load runs; empty: no progress is gathered.
  std::function<void(const RunProgress&)> on_progress;
  // Called once the load has stopped, before the result is put together (a status line clears
  // itself here).
  std::function<void()> on_load_done;
};

}  // namespace th
