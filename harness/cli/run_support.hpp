#pragma once

#include <string>
#include <vector>

#include "report/reporter.hpp"
#include "scenario/loader.hpp"

namespace th {

// What `run` and `tune` share around executing runs.

// The current UTC time in strftime's format.
std::string utc_now(const char* format);

// SIGINT/SIGTERM stop the current run gracefully, saying so on stderr at once; another one at
// least a second later exits at once with 130, without a report (one sooner is the same signal
// delivered twice, as `timeout` does, and changes nothing). SIGPIPE is ignored so a peer's reset
// is an error code.
void install_interrupt_handlers();

// results/<name><suffix>-<UTC time><extension>, creating results/ if missing.
std::string default_out_path(const std::string& scenario_name, const char* extension,
                             const std::string& suffix = "");

// A report's header part: the resolved scenario with its sweep, where it came from, and the
// user's --label pairs (ConfigError for a malformed one).
ReportInput report_input_for(const ScenarioDocument& document, const std::string& scenario_path,
                             const std::vector<std::string>& labels);

// What `tune` and `capacity` write a report with: the header of report_input_for with the host,
// CPU and start time filled in, and the report's path (--out, else results/<name><suffix>-<UTC
// time>.json), checked writable and not the scenario file. Throws ConfigError.
struct PreparedReport {
  ReportInput input;
  std::string out_path;
};
PreparedReport prepare_report(const ScenarioDocument& document, const std::string& scenario_path,
                              const std::vector<std::string>& labels, const std::string& out_path,
                              const std::string& suffix);

}  // namespace th
