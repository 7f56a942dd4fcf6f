#include "report/html_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "report/metrics.hpp"
#include "report/statistics.hpp"
#include "stats/histogram.hpp"

namespace th {

// Built from the files in /usr/share/javascript/chart.js and harness/report/ at build time
// (harness/report/embed_assets.cmake).
extern const char kChartJs[];
extern const char kHtmlPageTemplate[];
extern const char kHtmlPageScript[];

namespace {

using json = nlohmann::json;

// The spectrum's x axis counts nines: 0 is p0, 1 is p90, 2 is p99, 3 is p99.9. A histogram of n
// samples says nothing beyond log10(n) nines.
constexpr double kNinesStep = 0.125;
constexpr double kMostNines = 6;

json optional_number(const std::optional<double>& value) {
  return value ? json(std::round(*value * 1000) / 1000) : json(nullptr);
}

// The median over a run's repetitions, as compare takes it; nothing when none has the metric.
std::optional<double> median_over(const RunGroup& group, const Metric& metric) {
  std::vector<double> values;
  for (const json* run : group.repetitions) {
    if (const std::optional<double> value = metric_value(*run, metric)) values.push_back(*value);
  }
  if (values.empty()) return std::nullopt;
  return median_of(values);
}

// The total latency of every repetition of a run, merged; nothing when there is none.
std::optional<Histogram> total_latency(const RunGroup& group) {
  std::optional<Histogram> merged;
  for (const json* run : group.repetitions) {
    const json::json_pointer at{"/histograms/total"};
    if (!run->contains(at)) continue;
    const Histogram histogram = Histogram::from_json(run->at(at));
    if (!merged) {
      merged = histogram;
    } else {
      merged->merge(histogram);
    }
  }
  if (!merged || merged->count() == 0) return std::nullopt;
  return merged;
}

json spectrum_points(const Histogram& histogram) {
  json points = json::array();
  const double nines = std::min(kMostNines, std::log10(static_cast<double>(histogram.count())));
  for (double x = 0; x <= nines + 1e-9; x += kNinesStep) {
    const double percent = x == 0 ? 0.0001 : 100.0 * (1.0 - std::pow(10.0, -x));
    points.push_back(
        {std::round(x * 1000) / 1000, static_cast<double>(histogram.percentile(percent)) / 1000.0});
  }
  points.push_back(
      {std::round(nines * 1000) / 1000, static_cast<double>(histogram.max()) / 1000.0});
  return points;
}

json timeline_points(const json& run) {
  json points = json::array();
  if (!run.contains("timeline") || !run["timeline"].is_array() || run["timeline"].empty()) {
    return points;
  }
  const double first = run["timeline"][0].value("t_unix_s", 0.0);
  for (const json& second : run["timeline"]) {
    points.push_back(
        {second.value("t_unix_s", 0.0) - first, second["requests_per_s"], second["p99_us"]});
  }
  return points;
}

json socket_rows(const json& run) {
  json rows = json::array();
  for (const char* side : {"client", "server"}) {
    if (!run.contains("socket") || !run["socket"].contains(side)) continue;
    for (const auto& [name, option] : run["socket"][side].items()) {
      rows.push_back({side, name, option.value("requested", json(nullptr)),
                      option.value("applied", json(nullptr))});
    }
  }
  return rows;
}

// The SLO limit the capacity curve is drawn against, in microseconds (the curve's metric).
std::optional<double> curve_limit_us(const json& capacity) {
  const std::string metric = capacity.value("curve_metric", std::string());
  for (const json& clause : capacity.value("slo_clauses", json::array())) {
    if (clause.value("metric", std::string()) == metric) return clause.value("limit", 0.0);
  }
  return std::nullopt;
}

// Charts keyed by run (or setting) name, in order of first appearance, one series per report.
struct Charts {
  json list = json::array();
  std::map<std::string, size_t> index;

  json& series_of(const std::string& name, json header) {
    auto [at, added] = index.try_emplace(name, list.size());
    if (added) {
      header["name"] = name;
      header["series"] = json::array();
      list.push_back(std::move(header));
    }
    return list[at->second]["series"];
  }
};

}  // namespace

json html_report_data(const std::vector<LoadedReport>& reports) {
  json sources = json::array();
  json summary = json::array();
  json sockets = json::array();
  Charts spectra;
  Charts timelines;
  Charts capacities;
  for (size_t index = 0; index < reports.size(); ++index) {
    const json& report = reports[index].document;
    sources.push_back(
        {{"label", reports[index].path},
         {"scenario", report.at("scenario").value("name", std::string("unnamed"))},
         {"started_at", report.value("started_at", std::string())},
         {"version", report.contains("tool") ? report["tool"].value("version", "") : std::string()},
         {"host", report.contains("host") ? report["host"].value("hostname", "") : std::string()}});
    for (const RunGroup& group : group_runs_by_name(report.at("runs"))) {
      const json& first = *group.repetitions.front();
      json row = {
          {"report", index}, {"run", group.name}, {"repetitions", group.repetitions.size()}};
      for (const char* key :
           {"requests_per_s", "p50_us", "p99_us", "p999_us", "errors", "cpu_us_per_request"}) {
        row[key] = optional_number(median_over(group, *find_metric(key)));
      }
      summary.push_back(std::move(row));
      if (const std::optional<Histogram> latency = total_latency(group)) {
        spectra.series_of(group.name, json::object())
            .push_back({{"report", index}, {"points", spectrum_points(*latency)}});
      }
      json points = timeline_points(first);
      if (!points.empty()) {
        timelines.series_of(group.name, json::object())
            .push_back({{"report", index}, {"points", std::move(points)}});
      }
      json rows = socket_rows(first);
      if (!rows.empty()) {
        sockets.push_back({{"report", index}, {"run", group.name}, {"options", std::move(rows)}});
      }
    }
    if (!report.contains("capacity")) continue;
    const json& capacity = report["capacity"];
    for (const json& setting : capacity.value("settings", json::array())) {
      json curve = json::array();
      for (const json& row : setting.value("curve", json::array())) {
        curve.push_back({row["target_rate_per_s"], row["slo_value"], row["outcome"]});
      }
      json header = {{"slo", capacity.value("slo", std::string())},
                     {"metric", capacity.value("curve_metric", std::string())},
                     {"limit_us", optional_number(curve_limit_us(capacity))}};
      capacities.series_of(setting.at("name").get<std::string>(), std::move(header))
          .push_back({{"report", index},
                      {"points", std::move(curve)},
                      {"rate_per_s", setting["rate_per_s"]},
                      {"knee_per_s", setting["knee_per_s"]},
                      {"verdict", setting["verdict"]},
                      {"sentence", setting["sentence"]}});
    }
  }
  return {{"reports", sources},          {"summary", summary},          {"spectra", spectra.list},
          {"timelines", timelines.list}, {"capacity", capacities.list}, {"sockets", sockets}};
}

std::string html_report(const std::vector<LoadedReport>& reports) {
  // Inside a <script> element only "</" could end it early; JSON allows "<\/" for it.
  std::string data = html_report_data(reports).dump();
  for (size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3)) {
    data.replace(at, 2, "<\\/");
  }
  std::string title = "tcpharness report";
  for (const LoadedReport& report : reports) title += " · " + report.path;
  std::string escaped_title;
  for (const char c : title) {
    if (c == '<')
      escaped_title += "&lt;";
    else if (c == '>')
      escaped_title += "&gt;";
    else if (c == '&')
      escaped_title += "&amp;";
    else
      escaped_title += c;
  }
  // One pass over the template, so that a marker inside a substituted text (a report named
  // "{{DATA}}.json") stays text.
  const std::map<std::string, std::string_view> parts = {{"TITLE", escaped_title},
                                                         {"DATA", data},
                                                         {"CHART_JS", kChartJs},
                                                         {"PAGE_JS", kHtmlPageScript}};
  const std::string page_template = kHtmlPageTemplate;
  std::string page;
  size_t from = 0;
  for (size_t open = page_template.find("{{"); open != std::string::npos;
       open = page_template.find("{{", from)) {
    const size_t close = page_template.find("}}", open);
    if (close == std::string::npos) break;
    const std::string name = page_template.substr(open + 2, close - open - 2);
    page += page_template.substr(from, open - from);
    if (const auto part = parts.find(name); part != parts.end()) {
      page += part->second;
    } else {
      page += page_template.substr(open, close + 2 - open);
    }
    from = close + 2;
  }
  page += page_template.substr(from);
  return page;
}

}  // namespace th
