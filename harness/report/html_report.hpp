#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report_reader.hpp"

namespace th {

// The figures `tcpharness report` draws, from one or more reports (base first): the summary
// table, each run's latency percentile spectrum and per-second timeline, the capacity curve
// with its SLO and knee, and the socket options as applied. Runs of the same name in several
// reports are drawn in one chart, one series per report.
nlohmann::json html_report_data(const std::vector<LoadedReport>& reports);

// One self-contained HTML page: the data above, Chart.js (from Debian's libjs-chart.js, built
// into the binary) and the page's own script; nothing is fetched when it is opened.
std::string html_report(const std::vector<LoadedReport>& reports);

}  // namespace th
