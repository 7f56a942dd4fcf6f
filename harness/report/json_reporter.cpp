#include <cmath>

#include <fmt/format.h>

#include "build_info.hpp"
#include "report/reporter.hpp"

namespace th {
namespace {

constexpr const char* kSchema = "tcpharness.report/1";

double rounded(double value, double scale = 1000.0) { return std::round(value * scale) / scale; }

nlohmann::json latency_summary_us(const Histogram& histogram) {
  auto us = [](double ns) { return rounded(ns / 1000.0); };
  return {{"count", histogram.count()},
          {"min", us(static_cast<double>(histogram.min()))},
          {"mean", us(histogram.mean())},
          {"stddev", us(histogram.stddev())},
          {"p50", us(static_cast<double>(histogram.percentile(50)))},
          {"p90", us(static_cast<double>(histogram.percentile(90)))},
          {"p99", us(static_cast<double>(histogram.percentile(99)))},
          {"p999", us(static_cast<double>(histogram.percentile(99.9)))},
          {"max", us(static_cast<double>(histogram.max()))}};
}

nlohmann::json options_to_json(const std::vector<OptionReading>& readings) {
  nlohmann::json options = nlohmann::json::object();
  for (const OptionReading& reading : readings) {
    nlohmann::json requested = nullptr;
    nlohmann::json applied = reading.applied;
    if (reading.requested) requested = reading.requested.value();
    if (reading.is_bool) {
      if (reading.requested) requested = *reading.requested != 0;
      applied = reading.applied != 0;
    }
    options[reading.name] = {{"requested", requested}, {"applied", applied}};
  }
  return options;
}

double per_second(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(rounded(*value, 1e6)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json run_to_json(const RunResult& run) {
  const Recorder& recorder = run.recorder;
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, value] : run.params) params[key] = value;
  nlohmann::json errors = nlohmann::json::object();
  for (size_t kind = 0; kind < kErrorKindCount; ++kind) {
    errors[to_string(static_cast<ErrorKind>(kind))] = recorder.errors[kind];
  }
  const double ok = static_cast<double>(recorder.requests_ok);
  auto per_request_us = [&](double seconds) {
    return ok > 0 ? nlohmann::json(rounded(seconds * 1e6 / ok)) : nlohmann::json(nullptr);
  };
  nlohmann::json cpu = {{"client_s", rounded(run.client_cpu_s, 1e6)},
                        {"server_s", optional_number(run.server_cpu_s)},
                        {"client_us_per_request", per_request_us(run.client_cpu_s)},
                        {"server_us_per_request",
                         run.server_cpu_s ? per_request_us(*run.server_cpu_s) : nullptr}};
  return {
      {"name", run.name},
      {"params", params},
      {"target", run.target},
      {"embedded_server", run.embedded_server},
      {"stopped_by", to_string(run.stopped_by)},
      {"duration_s", rounded(run.duration_s, 1e6)},
      {"socket",
       {{"client", options_to_json(run.client_options)},
        {"server", options_to_json(run.server_options)}}},
      {"requests",
       {{"ok", recorder.requests_ok},
        {"errors", errors},
        {"error_total", recorder.error_total()},
        {"in_flight_at_end", run.in_flight_at_end},
        {"connections_opened", recorder.connections_opened}}},
      {"throughput",
       {{"requests_per_s", rounded(per_second(ok, run.duration_s))},
        {"bytes_sent_per_s",
         rounded(per_second(static_cast<double>(recorder.bytes_sent), run.duration_s))},
        {"bytes_received_per_s",
         rounded(per_second(static_cast<double>(recorder.bytes_received), run.duration_s))},
        {"bits_sent_per_s",
         rounded(per_second(8.0 * static_cast<double>(recorder.bytes_sent), run.duration_s))},
        {"bits_received_per_s",
         rounded(per_second(8.0 * static_cast<double>(recorder.bytes_received), run.duration_s))},
        {"server_bytes_received", run.server_bytes_received
                                      ? nlohmann::json(*run.server_bytes_received)
                                      : nlohmann::json(nullptr)}}},
      {"latency_us",
       {{"total", latency_summary_us(recorder.total)},
        {"connect", latency_summary_us(recorder.connect)},
        {"first_byte", latency_summary_us(recorder.first_byte)}}},
      {"cpu", cpu},
      {"histograms",
       {{"unit", "ns"},
        {"total", recorder.total.to_json()},
        {"connect", recorder.connect.to_json()},
        {"first_byte", recorder.first_byte.to_json()}}},
      {"warnings", run.warnings},
  };
}

nlohmann::json report_to_json(const ReportInput& input) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunResult& run : input.runs) runs.push_back(run_to_json(run));
  return {{"schema", kSchema},
          {"tool",
           {{"name", "tcpharness"},
            {"version", kToolVersion},
            {"git_commit", kToolGitCommit}}},
          {"started_at", input.started_at},
          {"interrupted", input.interrupted},
          {"host", input.host},
          {"scenario_source", input.scenario_source},
          {"scenario", input.scenario},
          {"runs", runs}};
}

std::string JsonReporter::render(const ReportInput& input) const {
  return report_to_json(input).dump(2) + "\n";
}

}  // namespace th
