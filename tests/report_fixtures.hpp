#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report_reader.hpp"
#include "report/reporter.hpp"
#include "run/run_result.hpp"

namespace th::testing {

// A run as the load generator would have recorded it: `latencies_us` answered requests over
// `duration_s`, 100 bytes each way per request, 10 us of client CPU per request.
inline RunResult recorded_run(const std::string& name, const std::vector<double>& latencies_us,
                              double duration_s = 1.0) {
  RunResult run;
  run.name = name;
  run.target = "127.0.0.1:8080";
  run.duration_s = duration_s;
  for (double latency : latencies_us) {
    run.recorder.total.record(static_cast<int64_t>(latency * 1000));
    run.recorder.first_byte.record(static_cast<int64_t>(latency * 900));
  }
  run.recorder.requests_ok = latencies_us.size();
  run.recorder.bytes_sent = run.recorder.bytes_received = 100 * latencies_us.size();
  run.client_cpu_s = 10e-6 * static_cast<double>(latencies_us.size());
  return run;
}

// `count` requests that all took `latency_us`: p50, p99 and p99.9 are that value.
inline RunResult steady_run(const std::string& name, double latency_us, size_t count = 1000,
                            double duration_s = 1.0) {
  return recorded_run(name, std::vector<double>(count, latency_us), duration_s);
}

// A report as `tcpharness run` writes it, already read back and checked.
inline LoadedReport report_of(std::vector<RunResult> runs, const std::string& path = "test.json",
                              unsigned repetitions = 1, const std::string& scenario = "fixture") {
  ReportInput input;
  input.scenario = {{"name", scenario},  {"protocol", "http"}, {"connection", "keep_alive"},
                    {"connections", 16}, {"threads", 1},       {"duration_s", 1},
                    {"sweep", {}}};
  input.scenario["sweep"] = nlohmann::json::object();
  input.scenario_source = "fixture.json";
  input.started_at = "2026-01-02T03:04:05Z";
  input.host.hostname = "fixture-host";
  input.host.cores = 2;
  input.runs = std::move(runs);
  input.repetitions = repetitions;
  return parse_report(JsonReporter().render(input), path);
}

}  // namespace th::testing
