#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "load/load_plan.hpp"
#include "load/worker.hpp"

namespace th {

// A live status line on a terminal during long runs: elapsed of total, the current rate and the
// errors so far. Off unless stderr is a terminal, so logs and CI output stay clean.
class ProgressLine {
 public:
  explicit ProgressLine(bool wanted);
  void update(uint64_t now_ns, const LoadPlan& plan,
              const std::vector<std::unique_ptr<Worker>>& workers);
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
  uint64_t last_ns_ = 0;
  uint64_t last_ok_ = 0;
};

}  // namespace th
