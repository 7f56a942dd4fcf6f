#include "run/drive_load.hpp"

#include <uv.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "load/worker.hpp"
#include "run/embedded_target.hpp"

namespace th {
namespace {

std::atomic<bool> g_stop_requested{false};

// How often the controlling thread looks at the workers: fine enough that a stop request or the
// end of warm-up is seen within a few ms, rare enough to cost nothing.
constexpr auto kControlPeriod = std::chrono::milliseconds(5);
constexpr uint64_t kProgressPeriodNs = 1'000'000'000;

struct ConnectTally {
  uint64_t established = 0;
  uint64_t failed = 0;
  int last_error = 0;
  bool never_connected() const { return established == 0 && failed > 0; }
};

ConnectTally tally_connects(const std::vector<std::unique_ptr<Worker>>& workers) {
  ConnectTally tally;
  for (const auto& worker : workers) {
    tally.established += worker->connects_established();
    tally.failed += worker->connects_failed();
    if (worker->connects_failed() > 0) tally.last_error = worker->last_connect_error();
  }
  return tally;
}

std::vector<std::unique_ptr<Worker>> make_workers(LoadPlan& plan, const Scenario& scenario) {
  std::vector<std::unique_ptr<Worker>> workers;
  uint32_t first_connection = 0;
  for (uint32_t index = 0; index < plan.threads; ++index) {
    const uint32_t share =
        scenario.connections / plan.threads + (index < scenario.connections % plan.threads ? 1 : 0);
    workers.push_back(
        std::make_unique<Worker>(plan, index, first_connection, share, scenario.client_cpus));
    first_connection += share;
  }
  return workers;
}

RunProgress progress_of(uint64_t now_ns, const LoadPlan& plan,
                        const std::vector<std::unique_ptr<Worker>>& workers) {
  RunProgress progress;
  progress.elapsed_s = static_cast<double>(now_ns - plan.start_ns) / 1e9;
  progress.total_s = static_cast<double>(plan.deadline_ns - plan.start_ns) / 1e9;
  progress.warming_up = now_ns < plan.warmup_end_ns;
  for (const auto& worker : workers) {
    progress.requests_ok += worker->progress_ok();
    progress.errors += worker->progress_errors();
  }
  return progress;
}

void merge_workers(const LoadPlan& plan, const std::vector<std::unique_ptr<Worker>>& workers,
                   RunResult& result) {
  uint64_t window_end_ns = plan.warmup_end_ns;
  for (const auto& worker : workers) {
    result.recorder.merge(worker->recorder());
    result.in_flight_at_end += worker->in_flight_at_end();
    result.unsent_at_end += worker->unsent_at_end();
    result.client_cpu_s += worker->cpu_seconds();
    result.client_cpu_split += worker->cpu_split();
    // The window ends at the last counted answer: a stuck request waiting out the grace period
    // must not stretch the time that the rates are divided by.
    window_end_ns = std::max(window_end_ns, worker->last_completion_ns());
    if (result.client_options.empty()) result.client_options = worker->applied_options();
    if (!worker->failure().empty()) result.warnings.push_back(worker->failure());
  }
  if (result.recorder.requests_ok == 0) {
    // Nothing was answered: the window is the time the load was applied.
    uint64_t stopped_ns = plan.deadline_ns;
    for (const auto& worker : workers) stopped_ns = std::min(stopped_ns, worker->finished_ns());
    window_end_ns = std::max(stopped_ns, plan.warmup_end_ns);
  }
  result.duration_s = static_cast<double>(window_end_ns - plan.warmup_end_ns) / 1e9;
  // On the clock the timeline's seconds were counted with, so the two line up exactly.
  if (!workers.empty()) {
    result.window_start_unix_ns = static_cast<int64_t>(plan.warmup_end_ns) +
                                  workers.front()->recorder().timeline.clock_offset();
  }
}

}  // namespace

void request_stop() noexcept { g_stop_requested.store(true, std::memory_order_relaxed); }
bool stop_was_requested() noexcept { return g_stop_requested.load(std::memory_order_relaxed); }

void drive_load(LoadPlan& plan, const Scenario& scenario, EmbeddedTarget* target,
                const RunOptions& options, RunResult& result) {
  std::vector<std::unique_ptr<Worker>> workers = make_workers(plan, scenario);
  for (auto& worker : workers) worker->start();
  const auto all_done = [&] {
    return std::all_of(workers.begin(), workers.end(),
                       [](const auto& worker) { return worker->finished_ns() != 0; });
  };
  uint64_t next_progress_ns = 0;  // the first report is the baseline a rate is taken from
  bool connected = false;         // once one connection is made, the target is measured
  while (!all_done()) {
    const uint64_t now = uv_hrtime();
    // The server's CPU counts from the same instant the workers start counting theirs.
    if (target && now >= plan.warmup_end_ns) target->window_opened();
    if (stop_was_requested()) plan.stop_requested.store(true, std::memory_order_relaxed);
    if (!connected && !plan.stop_requested.load(std::memory_order_relaxed)) {
      const ConnectTally tally = tally_connects(workers);
      connected = tally.established > 0;
      if (tally.never_connected() && now - plan.start_ns >= kUnreachableAfterNs) {
        plan.stop_requested.store(true, std::memory_order_relaxed);
        result.stopped_by = StopReason::target_unreachable;
      }
    }
    if (options.on_progress && now >= next_progress_ns) {
      options.on_progress(progress_of(now, plan, workers));
      next_progress_ns = now + kProgressPeriodNs;
    }
    std::this_thread::sleep_for(kControlPeriod);
  }
  if (options.on_load_done) options.on_load_done();
  for (auto& worker : workers) worker->join();
  merge_workers(plan, workers, result);
  // Also a run too short to be stopped early: nothing connected, so nothing was measured.
  if (const ConnectTally tally = tally_connects(workers); tally.never_connected()) {
    result.unreachable =
        TargetUnreachable{plan.target_name, status_text(tally.last_error), tally.failed};
  }
}

}  // namespace th
