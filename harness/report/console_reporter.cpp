#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

#include "base/numbers.hpp"
#include "report/reporter.hpp"
#include "report/statistics.hpp"

namespace th {
namespace {

// The columns of the table, as numbers; a column without a value (no latency samples, no
// answered request) prints "-" rather than a zero that reads like a measurement.
// kRoundTrips: the p50 of each response's transfer in round trips (tcp_info), a column only when
// some run's transfers took a round trip or more: on loopback it is always about 0.
enum Column {
  kRequestsPerS,
  kP50,
  kP90,
  kP99,
  kMax,
  kConnect,
  kErrors,
  kMbitOut,
  kCpu,
  kRoundTrips,
  kColumns
};
using Row = std::array<std::optional<double>, kColumns>;

std::optional<double> percentile_ms(const Histogram& histogram, double percent) {
  if (histogram.count() == 0) return std::nullopt;
  return static_cast<double>(histogram.percentile(percent)) / 1e6;
}

Row row_of(const RunResult& run) {
  const Recorder& recorder = run.recorder;
  const double ok = static_cast<double>(recorder.requests_ok);
  Row row;
  row[kRequestsPerS] = per_second(ok, run.duration_s);
  row[kP50] = percentile_ms(recorder.total, 50);
  row[kP90] = percentile_ms(recorder.total, 90);
  row[kP99] = percentile_ms(recorder.total, 99);
  row[kMax] = percentile_ms(recorder.total, 100);
  row[kConnect] = percentile_ms(recorder.connect, 50);
  row[kErrors] = static_cast<double>(recorder.error_total());
  row[kMbitOut] = per_second(8.0 * static_cast<double>(recorder.bytes_sent), run.duration_s) / 1e6;
  if (ok > 0) row[kCpu] = run.client_cpu_s * 1e6 / ok;
  if (run.recorder.tcp_info && run.recorder.tcp_info->response_round_trips_x100.count() > 0) {
    row[kRoundTrips] =
        static_cast<double>(run.recorder.tcp_info->response_round_trips_x100.percentile(50)) / 100;
  }
  return row;
}

bool transfers_took_round_trips(const ReportInput& input) {
  return std::any_of(input.runs.begin(), input.runs.end(), [](const RunResult& run) {
    return run.recorder.tcp_info &&
           run.recorder.tcp_info->response_round_trips_x100.percentile(90) >= 100;
  });
}

// Google Benchmark's console shows each repetition and then its aggregates; here the median (the
// number to quote) and the cv (how far to trust it), each column over the repetitions.
Row aggregate_row(const std::vector<Row>& rows, double (*summary)(std::span<const double>)) {
  Row out;
  for (size_t column = 0; column < kColumns; ++column) {
    std::vector<double> values;
    for (const Row& row : rows) {
      if (row[column]) values.push_back(*row[column]);
    }
    if (values.size() == rows.size()) out[column] = summary(values);
  }
  return out;
}

std::string cell(const std::optional<double>& value, const char* format) {
  return value ? fmt::format(fmt::runtime(format), *value) : "-";
}

void print_row(std::back_insert_iterator<std::string> line, const std::string& name,
               size_t name_width, const Row& row, bool as_percent, bool round_trips) {
  auto number = [&](Column column, const char* format) {
    if (as_percent) return row[column] ? fmt::format("{:.1f}%", *row[column] * 100) : "-";
    return cell(row[column], format);
  };
  fmt::format_to(line, "{:<{}}  {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>10}", name,
                 name_width, number(kRequestsPerS, "{:.1f}"), number(kP50, "{:.3f}"),
                 number(kP90, "{:.3f}"), number(kP99, "{:.3f}"), number(kMax, "{:.3f}"),
                 number(kConnect, "{:.3f}"), number(kErrors, "{:.0f}"), number(kMbitOut, "{:.1f}"),
                 number(kCpu, "{:.1f}"));
  if (round_trips) fmt::format_to(line, " {:>10}", number(kRoundTrips, "{:.2f}"));
  fmt::format_to(line, "\n");
}

// Per-second requests/s as block characters, so a stall or a slow start shows at a glance. Each
// second's count is divided by the part of it the window covers, so the partial first and last
// seconds are not drawn as a ramp and a dip; a second outside the window (warm-up) is a space.
std::string sparkline(const RunResult& run) {
  static constexpr const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const int64_t window_end_ns =
      run.window_start_unix_ns + static_cast<int64_t>(run.duration_s * 1e9);
  std::vector<std::optional<double>> rates;
  double most = 0;
  for (const TimelineSecond& second : run.recorder.timeline.seconds()) {
    const double covered_s =
        second_coverage(second.unix_s, run.window_start_unix_ns, window_end_ns);
    // A sliver of a second holds too few requests for a rate worth drawing.
    if (covered_s < 0.05) {
      rates.emplace_back();
      continue;
    }
    rates.push_back(static_cast<double>(second.requests_ok) / covered_s);
    most = std::max(most, *rates.back());
  }
  std::string line;
  for (const std::optional<double>& rate : rates) {
    line += !rate ? " " : kBlocks[std::min(7, static_cast<int>(*rate * 8 / (most + 1)))];
  }
  return line;
}

// Which latency to read. An open loop counts from each request's intended start; a closed loop
// cannot see what a stall did to requests that were never sent, so it is flagged when its tail
// looks like one (a maximum far above its p99).
void explain_latency(std::back_insert_iterator<std::string> line, const std::string& label,
                     const RunResult& run) {
  const Recorder& recorder = run.recorder;
  if (recorder.total.count() == 0) return;
  if (run.target_rate_per_s) {
    fmt::format_to(line,
                   "{}: open loop at {:.0f}/s: read the latency above (from each request's "
                   "intended start); service time once sent: p50 {:.3f} ms, p99 {:.3f} ms\n",
                   label, *run.target_rate_per_s,
                   static_cast<double>(recorder.service_time.percentile(50)) / 1e6,
                   static_cast<double>(recorder.service_time.percentile(99)) / 1e6);
    return;
  }
  const int64_t max = recorder.total.max();
  if (max > 10'000'000 && max > 10 * recorder.total.percentile(99)) {
    fmt::format_to(line,
                   "{}: closed loop with a {:.0f} ms stall: requests a stalled server kept "
                   "from being sent are missing from these latencies (coordinated omission); "
                   "set rate for an open-loop measurement\n",
                   label, static_cast<double>(max) / 1e6);
  }
}

// What held the senders back, in one short line per run with TCP_INFO samples: the dominant
// limit and its share of connection time, then the figures that explain it. The full breakdown
// (every limit's share, delivery rates, percentiles) is in the report's tcp_info section
// (docs/methodology.md#tcp_info).
void explain_tcp_info(std::back_insert_iterator<std::string> line, const std::string& label,
                      const RunResult& run) {
  if (!run.recorder.tcp_info || run.recorder.tcp_info->samples == 0) return;
  const TcpInfoStats& info = *run.recorder.tcp_info;
  std::string limit = "nothing outstanding";
  if (const std::optional<LimitDiagnosis> diagnosis =
          diagnose_limit(info, run.recorder.first_byte)) {
    const bool server = std::string_view(diagnosis->limit) == "server";
    limit = fmt::format("limited by {} {:.0f} %{}", server ? "the server" : diagnosis->limit,
                        diagnosis->share * 100,
                        !diagnosis->by_harness ? ""
                        : server ? " (waiting for its first byte beyond the round trip)"
                                 : " (the harness's writes waited on a full send buffer)");
  }
  fmt::format_to(line, "{}: tcp_info: {} · rtt {:.2f} ms · cwnd {} · {} retransmit{}", label, limit,
                 static_cast<double>(info.rtt_us.percentile(50)) / 1e3,
                 info.snd_cwnd_segments.percentile(50), info.retransmitted_segments,
                 info.retransmitted_segments == 1 ? "" : "s");
  // The window the server's answers began with: slow start's state as each response left.
  if (const Histogram& cwnd = info.server_snd_cwnd_at_response_segments; cwnd.count() > 0) {
    fmt::format_to(line, " · server cwnd at response p50 {} (min {}, max {})", cwnd.percentile(50),
                   cwnd.min(), cwnd.max());
  }
  fmt::format_to(line, "\n");
}

// What new TLS connections cost: handshakes by kind and their p50, early data where asked for,
// and the CPU of each side per handshake, split as the kernel sampled it.
void explain_tls(std::back_insert_iterator<std::string> line, const std::string& label,
                 const RunResult& run) {
  if (!run.recorder.tls) return;
  const TlsStats& tls = *run.recorder.tls;
  const uint64_t handshakes = tls.full + tls.resumed;
  fmt::format_to(line, "{}: tls: {} handshakes ({} full, {} resumed, {} failed), p50 {:.2f} ms",
                 label, handshakes, tls.full, tls.resumed, tls.failed,
                 static_cast<double>(run.recorder.tls_handshake.percentile(50)) / 1e6);
  if (run.scenario.tls && run.scenario.tls->early_data) {
    fmt::format_to(line, " · early data {} accepted, {} rejected", tls.early_data_accepted,
                   tls.early_data_rejected);
  }
  const std::optional<CpuSplit> client = run.client_cpu_split.scaled_to(run.client_cpu_s);
  if (handshakes > 0 && client) {
    const double per = 1e6 / static_cast<double>(handshakes);
    fmt::format_to(line, " · CPU us per handshake: client {:.0f} user + {:.0f} sys",
                   client->user_s * per, client->system_s * per);
    const std::optional<CpuSplit> server = run.server_cpu_s && run.server_cpu_split
                                               ? run.server_cpu_split->scaled_to(*run.server_cpu_s)
                                               : std::nullopt;
    if (server) {
      fmt::format_to(line, ", server {:.0f} + {:.0f}", server->user_s * per,
                     server->system_s * per);
    }
  }
  fmt::format_to(line, "\n");
}

// Where each round trip's time went (timestamps: true): the harness's own part, split at the
// kernel's transmit and receive timestamps, against the stack's and the peer's.
void explain_timestamps(std::back_insert_iterator<std::string> line, const std::string& label,
                        const RunResult& run) {
  if (!run.recorder.timestamps) return;
  const TimestampSplit& split = *run.recorder.timestamps;
  auto us = [](const Histogram& histogram, double percentile) {
    return static_cast<double>(histogram.percentile(percentile)) / 1e3;
  };
  fmt::format_to(line,
                 "{}: timestamps: p50 harness {:.1f} us (send {:.1f}, receive {:.1f}), stack and "
                 "peer {:.1f} us",
                 label, us(split.harness, 50), us(split.harness_send, 50),
                 us(split.harness_receive, 50), us(split.stack_and_peer, 50));
  const std::optional<double> p50 = harness_share(split.harness, split.stack_and_peer, 50);
  const std::optional<double> p99 = harness_share(split.harness, split.stack_and_peer, 99);
  if (p50 && p99) {
    fmt::format_to(line, " · harness share {:.0f} % at p50, {:.0f} % at p99", *p50 * 100,
                   *p99 * 100);
  }
  const uint64_t unsplit =
      split.missing_transmit + split.missing_receive + split.clock_stepped + split.inconsistent;
  if (unsplit > 0) {
    fmt::format_to(line,
                   " · {} not split ({} without transmit, {} without receive timestamp, {} "
                   "across a wall-clock step, {} inconsistent)",
                   unsplit, split.missing_transmit, split.missing_receive, split.clock_stepped,
                   split.inconsistent);
  }
  fmt::format_to(line, "\n");
}

// Where a scenario sets how connections close, which side held the TIME_WAITs, who sent resets,
// and what was retried: the chapter's closing questions in one line.
void explain_closing(std::back_insert_iterator<std::string> line, const std::string& label,
                     const RunResult& run) {
  const Scenario& scenario = run.scenario;
  const bool asked = scenario.closer || scenario.server.max_requests > 0 ||
                     scenario.client.close != CloseMode::graceful ||
                     scenario.server.close != CloseMode::graceful;
  if (!asked) return;
  fmt::format_to(line, "{}: closing:", label);
  if (const auto& time_wait = run.closing.time_wait) {
    fmt::format_to(line, " TIME_WAIT client {}, server {}", time_wait->client_side,
                   time_wait->server_side);
  }
  if (const auto& client = run.closing.client_namespace) {
    fmt::format_to(line, " · resets sent: {} {}", run.closing.server_namespace ? "client" : "host",
                   client->resets_sent);
  }
  if (const auto& server = run.closing.server_namespace) {
    fmt::format_to(line, ", server {}", server->resets_sent);
  }
  fmt::format_to(line, " · {} response_reset · {} retried\n",
                 run.recorder.errors[static_cast<size_t>(ErrorKind::response_reset)],
                 run.recorder.requests_retried);
}

// Page workloads answer "how long does the page take": page-load percentiles, pages/s, and how
// many connections and requests each page cost, one row per run.
void print_page_table(std::back_insert_iterator<std::string> line, const ReportInput& input,
                      size_t name_width) {
  const bool any_page = std::any_of(input.runs.begin(), input.runs.end(), [](const RunResult& run) {
    return run.scenario.page.has_value();
  });
  if (!any_page) return;
  fmt::format_to(line, "\n{:<{}}  {:>13} {:>9} {:>12} {:>12} {:>11} {:>12} {:>9}\n", "page load",
                 name_width, "connection", "pages/s", "page p50 ms", "page p99 ms", "req/s",
                 "conns/page", "failed");
  for (const RunResult& run : input.runs) {
    if (!run.scenario.page) continue;
    const Recorder& recorder = run.recorder;
    const double pages = static_cast<double>(recorder.pages_ok + recorder.pages_failed);
    const std::optional<double> connections_per_page =
        pages > 0 ? std::optional(static_cast<double>(recorder.connections_opened) / pages)
                  : std::nullopt;
    fmt::format_to(
        line, "{:<{}}  {:>13} {:>9} {:>12} {:>12} {:>11} {:>12} {:>9}\n", run.name, name_width,
        to_string(run.scenario.connection),
        fmt::format("{:.1f}", per_second(static_cast<double>(recorder.pages_ok), run.duration_s)),
        cell(percentile_ms(recorder.page_load, 50), "{:.3f}"),
        cell(percentile_ms(recorder.page_load, 99), "{:.3f}"),
        fmt::format("{:.1f}",
                    per_second(static_cast<double>(recorder.requests_ok), run.duration_s)),
        cell(connections_per_page, "{:.1f}"), recorder.pages_failed);
  }
}

}  // namespace

// One aligned row per run (per repetition, then median and cv when repeated); the numbers a user
// compares first, with units in the header.
std::string ConsoleReporter::render(const ReportInput& input) const {
  std::vector<std::string> names;  // in order of first appearance
  std::map<std::string, std::vector<Row>> rows;
  for (const RunResult& run : input.runs) {
    if (!rows.contains(run.name)) names.push_back(run.name);
    rows[run.name].push_back(row_of(run));
  }
  const bool repeated = input.repetitions > 1;
  size_t name_width = 3;
  for (const std::string& name : names) {
    name_width = std::max(name_width, name.size() + (repeated ? 7 : 0));
  }

  std::string out;
  auto line = std::back_inserter(out);
  const bool round_trips = transfers_took_round_trips(input);
  fmt::format_to(line, "{:<{}}  {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>10}", "run",
                 name_width, "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "conn ms", "errors",
                 "Mbit/s out", "cpu us/req");
  fmt::format_to(line, "{}\n", round_trips ? " xfer rtts" : "");
  for (const std::string& name : names) {
    const std::vector<Row>& group = rows[name];
    for (size_t index = 0; index < group.size(); ++index) {
      print_row(line, repeated ? fmt::format("{} #{}", name, index + 1) : name, name_width,
                group[index], false, round_trips);
    }
    if (group.size() > 1) {
      print_row(line, name + " median", name_width, aggregate_row(group, median_of), false,
                round_trips);
      print_row(line, name + " cv", name_width, aggregate_row(group, cv_of), true, round_trips);
    }
  }
  print_page_table(line, input, name_width);
  std::map<std::string, size_t> seen;  // repetitions of each run so far
  for (const RunResult& run : input.runs) {
    // With repetitions every line names its repetition, as the table rows do.
    const size_t repetition = ++seen[run.name];
    const std::string label = repeated ? fmt::format("{} #{}", run.name, repetition) : run.name;
    explain_latency(line, label, run);
    explain_tcp_info(line, label, run);
    explain_tls(line, label, run);
    explain_timestamps(line, label, run);
    explain_closing(line, label, run);
    if (sparklines_ && run.recorder.timeline.seconds().size() > 1) {
      fmt::format_to(line, "{}: req/s per second {}\n", label, sparkline(run));
    }
    // Only where the scenario asked for Fast Open: elsewhere the counters are noise.
    const bool fastopen = run.scenario.client.tcp_fastopen_connect.value_or(false) ||
                          run.scenario.server.tcp_fastopen_queue.value_or(0) > 0;
    if (fastopen && run.tcp_fastopen) {
      const FastOpenCounters& counters = *run.tcp_fastopen;
      fmt::format_to(line,
                     "{}: tcp_fastopen counters: passive +{}, active +{}, cookie_requested +{}, "
                     "passive_fail +{}, active_fail +{}, listen_overflow +{}\n",
                     label, counters.passive, counters.active, counters.cookie_requested,
                     counters.passive_fail, counters.active_fail, counters.listen_overflow);
    }
    for (size_t kind = 0; kind < kErrorKindCount; ++kind) {
      if (run.recorder.errors[kind] == 0) continue;
      fmt::format_to(line, "{}: {} x {}\n", label, run.recorder.errors[kind],
                     to_string(static_cast<ErrorKind>(kind)));
    }
    for (const std::string& warning : run.warnings) {
      fmt::format_to(line, "{}: warning: {}\n", label, warning);
    }
  }
  return out;
}

}  // namespace th
