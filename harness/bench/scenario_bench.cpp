// One benchmark per run of every shipped scenario (scenarios/*.json), run through the harness as
// `tcpharness run` would, with its figures as counters: `--benchmark_format=json` then carries
// them into any Google Benchmark tooling. Each run is shortened to TCPHARNESS_BENCH_SECONDS
// (default 1) of measurement after 0.2 s of warm-up, so the whole set takes about a minute.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/config_error.hpp"
#include "run/preflight.hpp"
#include "run/run_executor.hpp"
#include "scenario/loader.hpp"

namespace {

double bench_seconds() {
  const char* text = std::getenv("TCPHARNESS_BENCH_SECONDS");
  const double seconds = text ? std::atof(text) : 1.0;
  return seconds > 0 ? seconds : 1.0;
}

void run_scenario_benchmark(benchmark::State& state, th::RunSpec spec) {
  for (auto _ : state) {
    const th::RunResult result = th::execute_run(spec);
    state.SetIterationTime(result.duration_s);
    const th::Recorder& recorder = result.recorder;
    const double ok = static_cast<double>(recorder.requests_ok);
    state.counters["requests_per_s"] = result.duration_s > 0 ? ok / result.duration_s : 0;
    state.counters["p50_us"] = static_cast<double>(recorder.total.percentile(50)) / 1e3;
    state.counters["p99_us"] = static_cast<double>(recorder.total.percentile(99)) / 1e3;
    state.counters["errors"] = static_cast<double>(recorder.error_total());
    state.counters["client_cpu_us_per_request"] = ok > 0 ? result.client_cpu_s * 1e6 / ok : 0;
    if (result.duration_s > 0) {
      state.counters["bits_sent_per_s"] =
          8.0 * static_cast<double>(recorder.bytes_sent) / result.duration_s;
    }
  }
}

// Registered before main parses the flags, so --benchmark_filter and --benchmark_list_tests see
// them. A scenario that does not load is skipped with a message, not a crash.
[[maybe_unused]] const bool registered = [] {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path folder = std::filesystem::path(TCPHARNESS_SOURCE_DIR) / "scenarios";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      th::ScenarioDocument document = th::load_scenario_file(file.string());
      th::apply_override(document, "duration_s=" + std::to_string(bench_seconds()));
      th::apply_override(document, "warmup_s=0.2");
      for (th::RunSpec& spec : th::expand_runs(document)) {
        const std::string name = "Scenario/" + file.stem().string() + "/" + spec.name;
        // What this host cannot run (fastopen.json without net.ipv4.tcp_fastopen=3) is skipped
        // here: execute_run would throw the same ConfigError out of the benchmark.
        try {
          th::preflight_run(spec);
        } catch (const th::ConfigError& refused) {
          std::fprintf(stderr, "scenario benchmarks: %s skipped: %s\n", name.c_str(),
                       refused.what());
          continue;
        }
        benchmark::RegisterBenchmark(name.c_str(), run_scenario_benchmark, spec)
            ->Iterations(1)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    } catch (const std::exception& failure) {
      std::fprintf(stderr, "scenario benchmarks: %s skipped: %s\n", file.c_str(), failure.what());
    }
  }
  return true;
}();

}  // namespace
