#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace th {

// A native report read back from a file for compare, merge, convert and plot. Everything those
// commands read is checked first, so a truncated, hand-edited or hostile file stops with one line
// naming the file, the JSON pointer of the bad value and what was expected (a ConfigError, exit
// code 2) instead of a crash or a silently wrong comparison.
// The schema reports are written in. Schema 1 (histogram buckets as [value, count] pairs) is
// still read.
inline constexpr const char* kReportSchema = "tcpharness.report/2";

struct LoadedReport {
  std::string path;
  nlohmann::json document;  // checked; every run has a "repetition_index"
};

LoadedReport read_report(const std::string& path);
LoadedReport parse_report(const std::string& text, const std::string& path);

}  // namespace th
