#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "report/reporter.hpp"

namespace th {
namespace {

std::string milliseconds(int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

// A phase with no samples (a stream has no request latency; keep-alive connects in warm-up)
// shows "-" rather than a zero that reads like a measurement.
std::string percentile_ms(const Histogram& histogram, double percent) {
  return histogram.count() > 0 ? milliseconds(histogram.percentile(percent)) : "-";
}

double per_second(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

}  // namespace

// One aligned row per run; the numbers a user compares first, with units in the header.
std::string ConsoleReporter::render(const ReportInput& input) const {
  size_t name_width = 3;
  for (const RunResult& run : input.runs) name_width = std::max(name_width, run.name.size());
  std::string out;
  auto line = std::back_inserter(out);
  fmt::format_to(line, "{:<{}}  {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>10}\n", "run",
                 name_width, "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "conn ms", "errors",
                 "Mbit/s out", "cpu us/req");
  for (const RunResult& run : input.runs) {
    const Recorder& recorder = run.recorder;
    const double ok = static_cast<double>(recorder.requests_ok);
    const double megabits_out =
        per_second(8.0 * static_cast<double>(recorder.bytes_sent), run.duration_s) / 1e6;
    const std::string cpu_per_request =
        ok > 0 ? fmt::format("{:.1f}", run.client_cpu_s * 1e6 / ok) : "-";
    fmt::format_to(line, "{:<{}}  {:>11.1f} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10.1f} {:>10}\n",
                   run.name, name_width, per_second(ok, run.duration_s),
                   percentile_ms(recorder.total, 50), percentile_ms(recorder.total, 90),
                   percentile_ms(recorder.total, 99), percentile_ms(recorder.total, 100),
                   percentile_ms(recorder.connect, 50), recorder.error_total(), megabits_out,
                   cpu_per_request);
  }
  for (const RunResult& run : input.runs) {
    for (size_t kind = 0; kind < kErrorKindCount; ++kind) {
      if (run.recorder.errors[kind] == 0) continue;
      fmt::format_to(line, "{}: {} x {}\n", run.name, run.recorder.errors[kind],
                     to_string(static_cast<ErrorKind>(kind)));
    }
    for (const std::string& warning : run.warnings) {
      fmt::format_to(line, "{}: warning: {}\n", run.name, warning);
    }
  }
  return out;
}

}  // namespace th
