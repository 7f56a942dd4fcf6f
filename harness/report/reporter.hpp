#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/host_info.hpp"
#include "stats/run_result.hpp"

namespace th {

// Everything a report is made of: the runs and the facts around them.
struct ReportInput {
  nlohmann::json scenario;  // as resolved: defaults filled in, with its sweep
  std::string scenario_source;
  std::string started_at;  // ISO 8601, UTC
  HostInfo host;
  std::vector<RunResult> runs;
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
  std::string render(const ReportInput& input) const override;
};

class ConsoleReporter final : public Reporter {
 public:
  std::string render(const ReportInput& input) const override;
};

nlohmann::json report_to_json(const ReportInput& input);
nlohmann::json run_to_json(const RunResult& run);

}  // namespace th
