#include "cli/progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace th {

ProgressLine::ProgressLine(bool wanted) : enabled_(wanted && isatty(STDERR_FILENO) == 1) {}

RunOptions ProgressLine::run_options() {
  if (!enabled_) return {};
  return {.on_progress = [this](const RunProgress& progress) { update(progress); },
          .on_load_done = [this] { clear(); }};
}

void ProgressLine::update(const RunProgress& progress) {
  if (!enabled_) return;
  if (!has_baseline_) {  // the first report only sets the baseline the first rate is taken from
    has_baseline_ = true;
    last_elapsed_s_ = progress.elapsed_s;
    last_ok_ = progress.requests_ok;
    return;
  }
  const double since_last_s = progress.elapsed_s - last_elapsed_s_;
  const uint64_t answered = progress.requests_ok - std::min(progress.requests_ok, last_ok_);
  const double rate = since_last_s > 0 ? static_cast<double>(answered) / since_last_s : 0;
  fmt::print(stderr, "\r  {:6.1f} / {:.1f} s{}   {:>10.0f} req/s   {} errors   \x1b[K",
             progress.elapsed_s, progress.total_s, progress.warming_up ? " (warm-up)" : "", rate,
             progress.errors);
  std::fflush(stderr);
  shown_ = true;
  last_elapsed_s_ = progress.elapsed_s;
  last_ok_ = progress.requests_ok;
}

void ProgressLine::clear() {
  if (!shown_) return;
  shown_ = false;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

}  // namespace th
