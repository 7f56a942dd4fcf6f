#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "base/numbers.hpp"
#include "report/metrics.hpp"
#include "report/output_file.hpp"
#include "report/report_reader.hpp"
#include "report/reporter.hpp"
#include "report/tcp_info_json.hpp"
#include "report/timestamps_json.hpp"
#include "report/tls_json.hpp"
#include "report/tool_info.hpp"

namespace th {
namespace {}  // namespace

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

namespace {

// An option's value as the user writes it in a scenario: true/false, a number, a name
// ("cubic"), or for SO_LINGER {"on", "timeout_s"}.
nlohmann::json option_value(int64_t value, OptionKind kind) {
  switch (kind) {
    case OptionKind::boolean:
      return value != 0;
    case OptionKind::linger:
      return {{"on", value >= 0}, {"timeout_s", std::max<int64_t>(value, 0)}};
    case OptionKind::integer:
    case OptionKind::text:
      break;
  }
  return value;
}

nlohmann::json options_to_json(const std::vector<OptionReading>& readings) {
  nlohmann::json options = nlohmann::json::object();
  for (const OptionReading& reading : readings) options[reading.name] = option_to_json(reading);
  return options;
}

// Counter growth over the run, named after /proc/net/netstat's TcpExt counters (docs/report.md).
nlohmann::json fastopen_to_json(const std::optional<FastOpenCounters>& counters) {
  if (!counters) return nullptr;
  return {{"active", counters->active},
          {"active_fail", counters->active_fail},
          {"passive", counters->passive},
          {"passive_fail", counters->passive_fail},
          {"listen_overflow", counters->listen_overflow},
          {"cookie_requested", counters->cookie_requested}};
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(rounded(*value, 1e6)) : nlohmann::json(nullptr);
}

// Open loop: what was asked, what was sent, and how late the schedule ran. Closed loop: null.
nlohmann::json schedule_to_json(const RunResult& run) {
  if (!run.target_rate_per_s) return nullptr;
  const Recorder& recorder = run.recorder;
  auto ms = [](int64_t ns) { return rounded(static_cast<double>(ns) / 1e6); };
  return {{"target_rate_per_s", *run.target_rate_per_s},
          {"arrival", to_string(run.scenario.arrival)},
          {"achieved_rate_per_s",
           rounded(per_second(static_cast<double>(recorder.requests_sent), run.duration_s))},
          {"requests_sent", recorder.requests_sent},
          {"waited_for_connection", recorder.waited_for_connection},
          {"sent_late", recorder.sent_late},
          {"unsent_at_end", run.unsent_at_end},
          {"lag_ms",
           {{"p50", ms(recorder.schedule_lag.percentile(50))},
            {"p99", ms(recorder.schedule_lag.percentile(99))},
            {"max", ms(recorder.schedule_lag.max())}}}};
}

// One entry per wall-clock second, so timelines of several load generators line up. Each says
// how much of its second the measured window covers, and its rate per second of that time, so
// the partial first and last seconds read as rates rather than as a ramp and a dip.
nlohmann::json timeline_to_json(const Timeline& timeline, const RunResult& run) {
  nlohmann::json seconds = nlohmann::json::array();
  auto us = [](int64_t ns) { return rounded(static_cast<double>(ns) / 1000.0); };
  const int64_t window_end_ns =
      run.window_start_unix_ns + static_cast<int64_t>(run.duration_s * 1e9);
  for (const TimelineSecond& second : timeline.seconds()) {
    const Histogram latency = second.latency();
    const double covered_s =
        second_coverage(second.unix_s, run.window_start_unix_ns, window_end_ns);
    seconds.push_back({{"t_unix_s", second.unix_s},
                       {"covered_s", rounded(covered_s, 1e6)},
                       {"requests_ok", second.requests_ok},
                       {"requests_per_s",
                        covered_s > 0 ? nlohmann::json(rounded(
                                            static_cast<double>(second.requests_ok) / covered_s))
                                      : nlohmann::json(nullptr)},
                       {"errors", second.errors},
                       {"p50_us", us(std::min(latency.percentile(50), second.max_latency_ns()))},
                       {"p99_us", us(std::min(latency.percentile(99), second.max_latency_ns()))},
                       {"max_us", us(second.max_latency_ns())},
                       {"bytes_sent", second.bytes_sent},
                       {"bytes_received", second.bytes_received}});
  }
  return seconds;
}

nlohmann::json delay_line_to_json(const std::optional<DelayLineReading>& line) {
  if (!line) return nullptr;
  const DelayLineCounters& counters = line->counters;
  return {{"mechanism", line->mechanism},
          {"device", line->device},
          {"capacity_packets", line->capacity_packets},
          {"forwarded_packets", counters.forwarded_packets},
          {"forwarded_bytes", counters.forwarded_bytes},
          {"lost_packets", counters.lost_packets},
          {"dropped_packets", counters.dropped_packets},
          {"late_packets", counters.late_packets},
          {"max_lateness_us", counters.max_lateness_ns / 1000},
          {"realtime", counters.realtime}};
}

nlohmann::json server_sysctl_to_json(const std::vector<SysctlReading>& sysctls) {
  nlohmann::json out = nlohmann::json::object();
  for (const SysctlReading& sysctl : sysctls) {
    out[sysctl.name] = {{"requested", sysctl.requested},
                        {"applied", sysctl.applied ? nlohmann::json(*sysctl.applied) : nullptr}};
  }
  return out;
}

nlohmann::json routes_to_json(const std::vector<RouteReading>& routes) {
  nlohmann::json out = nlohmann::json::array();
  auto metric = [](const std::optional<uint32_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  for (const RouteReading& route : routes) {
    out.push_back({{"netns", route.netns},
                   {"destination", route.destination},
                   {"initcwnd", metric(route.initcwnd)},
                   {"initrwnd", metric(route.initrwnd)}});
  }
  return out;
}

nlohmann::json closing_to_json(const ClosingReading& closing) {
  auto counters = [](const std::optional<CloseCounters>& counted) -> nlohmann::json {
    if (!counted) return nullptr;
    return {{"resets_sent", counted->resets_sent},
            {"established_resets", counted->established_resets},
            {"aborts_on_data", counted->aborts_on_data},
            {"aborts_on_close", counted->aborts_on_close}};
  };
  nlohmann::json time_wait = nullptr;
  if (closing.time_wait) {
    time_wait = {{"client_side", closing.time_wait->client_side},
                 {"server_side", closing.time_wait->server_side}};
  }
  return {{"client_namespace", counters(closing.client_namespace)},
          {"server_namespace", counters(closing.server_namespace)},
          {"time_wait", time_wait}};
}

// The shaped link as applied, and its qdiscs' counters at the end of the run (null without one).
nlohmann::json link_to_json(const std::optional<LinkReading>& link) {
  if (!link) return nullptr;
  auto direction = [](const LinkDirection& side) {
    nlohmann::json qdiscs = nlohmann::json::array();
    for (const QdiscReading& qdisc : side.qdiscs) {
      qdiscs.push_back({{"kind", qdisc.kind},
                        {"options", qdisc.options},
                        {"sent_bytes", qdisc.sent_bytes},
                        {"sent_packets", qdisc.sent_packets},
                        {"dropped_packets", qdisc.dropped_packets},
                        {"overlimits", qdisc.overlimits},
                        {"requeues", qdisc.requeues},
                        {"backlog_bytes", qdisc.backlog_bytes},
                        {"backlog_packets", qdisc.backlog_packets}});
    }
    return nlohmann::json{{"device", side.device},
                          {"rate_bit_per_s", side.rate_bit_per_s},
                          {"burst_bytes", side.burst_bytes},
                          {"limit_bytes", side.limit_bytes},
                          {"qdiscs", qdiscs}};
  };
  return {{"netns", link->netns},
          {"router_netns", link->router_netns},
          {"client_address", link->client_address},
          {"server_address", link->server_address},
          {"offloads", link->offloads},
          {"client_to_server", direction(link->client_to_server)},
          {"server_to_client", direction(link->server_to_client)},
          {"delay_mechanism", link->delay_mechanism},
          {"delay_line", delay_line_to_json(link->delay_line)},
          {"server_sysctl", server_sysctl_to_json(link->server_sysctl)},
          {"routes", routes_to_json(link->routes)}};
}

}  // namespace

nlohmann::json option_to_json(const OptionReading& reading) {
  nlohmann::json requested = nullptr;
  nlohmann::json applied;
  if (reading.kind == OptionKind::text) {
    if (reading.requested_text) requested = *reading.requested_text;
    applied = reading.applied_text;
  } else {
    if (reading.requested) requested = option_value(*reading.requested, reading.kind);
    applied = option_value(reading.applied, reading.kind);
  }
  nlohmann::json option = {{"requested", requested}, {"applied", applied}};
  if (!reading.note.empty()) option["note"] = reading.note;
  return option;
}

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
  nlohmann::json cpu = {
      {"client_s", rounded(run.client_cpu_s, 1e6)},
      {"server_s", optional_number(run.server_cpu_s)},
      {"client_us_per_request", per_request_us(run.client_cpu_s)},
      {"server_us_per_request", run.server_cpu_s ? per_request_us(*run.server_cpu_s) : nullptr}};
  // null where the split is unknown: no clock tick fell in the window, or no embedded server.
  const std::optional<CpuSplit> client_split = run.client_cpu_split.scaled_to(run.client_cpu_s);
  std::optional<CpuSplit> server_split;
  if (run.server_cpu_s && run.server_cpu_split) {
    server_split = run.server_cpu_split->scaled_to(*run.server_cpu_s);
  }
  for (const auto& [side, split] :
       {std::pair{"client", &client_split}, {"server", &server_split}}) {
    cpu[std::string(side) + "_user_s"] =
        optional_number(*split ? std::optional<double>((*split)->user_s) : std::nullopt);
    cpu[std::string(side) + "_system_s"] =
        optional_number(*split ? std::optional<double>((*split)->system_s) : std::nullopt);
  }
  nlohmann::json out = {
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
        {"connections_opened", recorder.connections_opened},
        {"retried", recorder.requests_retried},
        {"pages_ok", recorder.pages_ok},
        {"pages_failed", recorder.pages_failed}}},
      {"throughput",
       {{"requests_per_s", rounded(per_second(ok, run.duration_s))},
        {"pages_per_s", run.scenario.page
                            ? nlohmann::json(rounded(per_second(
                                  static_cast<double>(recorder.pages_ok), run.duration_s)))
                            : nlohmann::json(nullptr)},
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
      {"schedule", schedule_to_json(run)},
      {"time_wait",
       {{"before", run.time_wait_before ? nlohmann::json(*run.time_wait_before) : nullptr},
        {"after", run.time_wait_after ? nlohmann::json(*run.time_wait_after) : nullptr}}},
      {"tcp_fastopen", fastopen_to_json(run.tcp_fastopen)},
      {"closing", closing_to_json(run.closing)},
      {"timeline", timeline_to_json(recorder.timeline, run)},
      {"link", link_to_json(run.link)},
      // Exact totals: rates are rounded, and merging reports from several generators sums these.
      {"bytes", {{"sent", recorder.bytes_sent}, {"received", recorder.bytes_received}}},
      {"latency_us",
       {{"total", latency_summary_us(recorder.total)},
        {"service_time", latency_summary_us(recorder.service_time)},
        {"resolve", latency_summary_us(recorder.resolve)},
        {"connect", latency_summary_us(recorder.connect)},
        {"write", latency_summary_us(recorder.write)},
        {"first_byte", latency_summary_us(recorder.first_byte)},
        {"transfer", latency_summary_us(recorder.transfer)},
        {"close", latency_summary_us(recorder.close)},
        {"page_load", latency_summary_us(recorder.page_load)}}},
      {"cpu", cpu},
      {"histograms",
       {{"unit", "ns"},
        {"total", recorder.total.to_json()},
        {"service_time", recorder.service_time.to_json()},
        {"resolve", recorder.resolve.to_json()},
        {"connect", recorder.connect.to_json()},
        {"write", recorder.write.to_json()},
        {"first_byte", recorder.first_byte.to_json()},
        {"transfer", recorder.transfer.to_json()},
        {"close", recorder.close.to_json()},
        {"page_load", recorder.page_load.to_json()}}},
      {"warnings", run.warnings},
  };
  if (recorder.tls) {
    out["tls"] = tls_to_json(*recorder.tls);
    out["tls"]["cpu_us_per_handshake"] = cpu_per_handshake(cpu, out["tls"]);
    out["latency_us"]["tls_handshake"] = latency_summary_us(recorder.tls_handshake);
    out["histograms"]["tls_handshake"] = recorder.tls_handshake.to_json();
  }
  if (recorder.timestamps) {  // each round trip split at the kernel's timestamps
    out["timestamps"] = timestamps_to_json(*recorder.timestamps);
    add_timestamp_parts(*recorder.timestamps, out);
  }
  if (run.server_time) {  // the embedded server's own share of each answer
    out["latency_us"]["server_time"] = latency_summary_us(*run.server_time);
    out["histograms"]["server_time"] = run.server_time->to_json();
  }
  // Absent, not empty, when the scenario turned sampling off: nothing was measured.
  if (recorder.tcp_info)
    out["tcp_info"] = tcp_info_to_json(*recorder.tcp_info, recorder.first_byte);
  return out;
}

nlohmann::json report_to_json(const ReportInput& input) {
  nlohmann::json runs = nlohmann::json::array();
  std::map<std::string, unsigned> repetitions_seen;
  for (const RunResult& run : input.runs) {
    nlohmann::json& added = runs.emplace_back(run_to_json(run));
    added["repetition_index"] = repetitions_seen[run.name]++;
  }
  nlohmann::json host = input.host;
  add_cpu_facts(host, input.cpu);
  nlohmann::json report = {
      {"schema", kReportSchema},
      {"tool",
       {{"name", "tcpharness"}, {"version", tool_version()}, {"git_commit", tool_git_commit()}}},
      {"started_at", input.started_at},
      {"interrupted", input.interrupted},
      {"host", host},
      {"labels", input.labels},
      {"repetitions", input.repetitions},
      {"scenario_source", input.scenario_source},
      {"scenario", input.scenario},
      {"runs", runs}};
  // As Google Benchmark does, aggregates appear only when something was repeated.
  if (nlohmann::json aggregates = aggregates_to_json(report["runs"]); !aggregates.empty()) {
    report["aggregates"] = std::move(aggregates);
  }
  return report;
}

std::string JsonReporter::render(const ReportInput& input) const {
  return json_output_text(report_to_json(input), pretty_);
}

}  // namespace th
