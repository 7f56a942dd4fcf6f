#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace th {

struct GbenchOptions {
  bool aggregates_only = false;  // as --benchmark_report_aggregates_only: no per-repetition entries
  std::string executable = "tcpharness";
};

// A native report (as report_to_json writes it, or as read back from disk) in the JSON shape
// Google Benchmark writes: its `context` block, labels added to it the way
// --benchmark_context=key=value adds keys, and one `benchmarks[]` entry per run and repetition,
// then the mean, median, stddev and cv aggregates of repeated runs. Key order follows Google
// Benchmark's JSON reporter, so the output diffs cleanly against real Google Benchmark files.
//
// Mapping (docs/ci.md): iterations = answered requests; real_time = mean request latency in
// microseconds (for a stream, wall-clock time per chunk); cpu_time = load generator CPU time per
// request; every other metric of report/metrics.hpp is a user counter.
nlohmann::ordered_json gbench_from_report(const nlohmann::json& report,
                                          const GbenchOptions& options = {});

}  // namespace th
