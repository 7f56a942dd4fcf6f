#include "load/progress_line.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace th {

ProgressLine::ProgressLine(bool wanted) : enabled_(wanted && isatty(STDERR_FILENO) == 1) {}

void ProgressLine::update(uint64_t now_ns, const LoadPlan& plan,
                          const std::vector<std::unique_ptr<Worker>>& workers) {
  if (!enabled_ || now_ns < last_ns_ + 1'000'000'000) return;
  uint64_t ok = 0;
  uint64_t errors = 0;
  for (const auto& worker : workers) {
    ok += worker->progress_ok();
    errors += worker->progress_errors();
  }
  if (last_ns_ == 0) {  // the first call only sets the baseline the first rate is taken from
    last_ns_ = now_ns;
    last_ok_ = ok;
    return;
  }
  const double since_last_s = static_cast<double>(now_ns - last_ns_) / 1e9;
  const double rate =
      since_last_s > 0 ? static_cast<double>(ok - std::min(ok, last_ok_)) / since_last_s : 0;
  const double elapsed_s = static_cast<double>(now_ns - plan.start_ns) / 1e9;
  const double total_s = static_cast<double>(plan.deadline_ns - plan.start_ns) / 1e9;
  const char* phase = now_ns < plan.warmup_end_ns ? " (warm-up)" : "";
  fmt::print(stderr, "\r  {:6.1f} / {:.1f} s{}   {:>10.0f} req/s   {} errors   \x1b[K", elapsed_s,
             total_s, phase, rate, errors);
  std::fflush(stderr);
  shown_ = true;
  last_ns_ = now_ns;
  last_ok_ = ok;
}

void ProgressLine::clear() {
  if (!shown_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

}  // namespace th
