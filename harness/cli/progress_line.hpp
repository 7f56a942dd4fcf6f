#pragma once

#include <cstdint>

#include "run/run_options.hpp"

namespace th {

// A live status line on a terminal during long runs: elapsed of total, the current rate and the
// errors so far. Off unless stderr is a terminal, so logs and CI output stay clean.
class ProgressLine {
 public:
  explicit ProgressLine(bool wanted);
  void update(const RunProgress& progress);
  void clear();
  // The callbacks a run reports to, or none when the line is off (the run then gathers nothing).
  RunOptions run_options();

 private:
  bool enabled_;
  bool shown_ = false;
  bool has_baseline_ = false;
  double last_elapsed_s_ = 0;
  uint64_t last_ok_ = 0;
};

}  // namespace th
