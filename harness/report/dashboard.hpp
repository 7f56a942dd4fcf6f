#pragma once

#include <nlohmann/json.hpp>

namespace th {

// A native report as github-action-benchmark's custom series: an array of
// {"name", "unit", "value", "range", "extra"}, one entry per run and metric of
// report/metrics.hpp whose direction matches (`bigger_is_better` selects the action's
// customBiggerIsBetter file, requests/s and bits/s; otherwise customSmallerIsBetter: latency
// percentiles, CPU per request, errors). The action charts every entry as its own series and
// alerts on its ratio to the previous commit, so only quantities worth an alert are written:
// repetitions become their median (the spread goes to "range" as a label, never a series of its
// own), and the maximum, one sample's worth of noise, is left out.
nlohmann::ordered_json dashboard_from_report(const nlohmann::json& report, bool bigger_is_better);

}  // namespace th
