#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/cpu_facts.hpp"
#include "report/host_info.hpp"
#include "run/run_result.hpp"

namespace th {

// Everything a report is made of: the runs and the facts around them.
struct ReportInput {
  nlohmann::json scenario;  // as resolved: defaults filled in, with its sweep
  std::string scenario_source;
  std::string started_at;  // ISO 8601, UTC
  HostInfo host;
  CpuFacts cpu;  // for Google Benchmark's context block
  // Every repetition of every run, grouped by run name in sweep order; a run's repetition index
  // is the number of runs of the same name before it.
  std::vector<RunResult> runs;
  unsigned repetitions = 1;                   // as requested; an interrupted report may hold fewer
  std::map<std::string, std::string> labels;  // --label key=value: build id, commit under test
  bool interrupted = false;
};

// Every output format implements this one interface and reads only ReportInput.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual std::string render(const ReportInput& input) const = 0;
};

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(bool pretty = false) : pretty_(pretty) {}
  std::string render(const ReportInput& input) const override;

 private:
  bool pretty_;
};

class ConsoleReporter final : public Reporter {
 public:
  // sparklines: a per-second requests/s line under the table, for a terminal (not for logs).
  explicit ConsoleReporter(bool sparklines = false) : sparklines_(sparklines) {}
  std::string render(const ReportInput& input) const override;

 private:
  bool sparklines_;
};

// Google Benchmark's JSON (see report/gbench.hpp), built from the native report so that a report
// read back from disk converts the same way.
class GbenchReporter final : public Reporter {
 public:
  explicit GbenchReporter(bool aggregates_only = false, bool pretty = false)
      : aggregates_only_(aggregates_only), pretty_(pretty) {}
  std::string render(const ReportInput& input) const override;

 private:
  bool aggregates_only_;
  bool pretty_;
};

nlohmann::json report_to_json(const ReportInput& input);
nlohmann::json run_to_json(const RunResult& run);
// One socket option as a run's "socket" section shows it: {requested, applied[, note]}, the
// values as a scenario writes them (true, 4096, "bbr", {"on": true, "timeout_s": 0}); requested
// is null where the kernel default was left alone.
nlohmann::json option_to_json(const OptionReading& reading);
// The summary of one phase's histogram, in microseconds, as "latency_us" shows it.
nlohmann::json latency_summary_us(const Histogram& histogram);

}  // namespace th
