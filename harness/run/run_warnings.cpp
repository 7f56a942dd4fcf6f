#include "run/run_warnings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include "host/delay_line.hpp"
#include "run/drive_load.hpp"
#include "run/load_plan_builder.hpp"

namespace th {
namespace {

void threads_lowered(const RunResult& result, std::vector<std::string>& warnings) {
  const Scenario& scenario = result.scenario;
  if (load_threads(scenario) < scenario.threads) {
    warnings.push_back(
        fmt::format("threads lowered from {} to {}: a thread needs at least one connection",
                    scenario.threads, load_threads(scenario)));
  }
}

void delay_line_late(const RunResult& result, std::vector<std::string>& warnings) {
  if (!result.link || !result.link->delay_line || !result.scenario.link) return;
  std::string late =
      delay_line_warning(result.link->delay_line->counters, result.scenario.link->delay_ms);
  if (!late.empty()) warnings.push_back(std::move(late));
}

// The kernel may hold another value than the one set (a later writer, a clamp); the run then
// measured that value, not the scenario's.
void link_settings_differ(const RunResult& result, std::vector<std::string>& warnings) {
  if (!result.link || !result.scenario.link) return;
  for (const SysctlReading& sysctl : result.link->server_sysctl) {
    if (sysctl.applied == sysctl.requested) continue;
    warnings.push_back(fmt::format(
        "link.server_sysctl: {} set to {} but the server's namespace holds {}", sysctl.name,
        sysctl.requested, sysctl.applied ? std::to_string(*sysctl.applied) : "(unreadable)"));
  }
  const LinkShape& shape = *result.scenario.link;
  for (const RouteReading& route : result.link->routes) {
    for (const auto& [key, wanted, held] :
         {std::tuple{"initcwnd", shape.initcwnd, route.initcwnd},
          std::tuple{"initrwnd", shape.initrwnd, route.initrwnd}}) {
      if (wanted == 0 || held == wanted) continue;
      warnings.push_back(fmt::format("link.{}: {} asked, but the {}'s route to {} reads {}", key,
                                     wanted, route.netns, route.destination,
                                     held ? std::to_string(*held) : "no such metric"));
    }
  }
}

void stopped_early(const RunResult& result, std::vector<std::string>& warnings) {
  if (result.stopped_by == StopReason::interrupted) {
    warnings.push_back("interrupted: the run stopped early; the figures cover what ran");
  } else if (result.stopped_by == StopReason::duration && result.scenario.requests) {
    warnings.push_back(
        fmt::format("duration_s ({} s) ended the run before all {} requests were sent",
                    result.scenario.duration_s, *result.scenario.requests));
  }
}

// The report of a run that reached nothing still says why its figures are empty, and how hard
// it tried: the attempts include warm-up, which the error counts leave out.
void target_unreachable(const RunResult& result, std::vector<std::string>& warnings) {
  if (!result.unreachable) return;
  warnings.push_back(fmt::format(
      "target_unreachable: {}: no connection was ever established, {} attempt{} failed{}",
      cannot_connect_message(*result.unreachable), result.unreachable->failed_attempts,
      result.unreachable->failed_attempts == 1 ? "" : "s",
      result.stopped_by == StopReason::target_unreachable
          ? fmt::format("; the run stopped after {:g} s", kUnreachableAfterNs / 1e9)
          : ""));
}

void fastopen_unused(const RunResult& result, std::vector<std::string>& warnings) {
  if (result.scenario.client.tcp_fastopen_connect.value_or(false) && result.tcp_fastopen &&
      result.tcp_fastopen->active == 0) {
    warnings.push_back(
        "client.tcp_fastopen: no SYN carried data (TCPFastOpenActive did not grow); the server "
        "needs a Fast Open queue (server.tcp_fastopen) and bit 2 of its net.ipv4.tcp_fastopen, and "
        "a client only sends data in the SYN once an earlier connection brought it a cookie");
  }
}

void option_notes(const RunResult& result, std::vector<std::string>& warnings) {
  for (const auto& [side, readings] :
       {std::pair{"client", &result.client_options}, std::pair{"server", &result.server_options}}) {
    for (const OptionReading& reading : *readings) {
      if (!reading.note.empty()) {
        warnings.push_back(fmt::format("{}.{}: {}", side, reading.name, reading.note));
      }
    }
  }
}

double achieved_send_rate(const RunResult& result) {
  return result.duration_s > 0
             ? static_cast<double>(result.recorder.requests_sent) / result.duration_s
             : 0;
}

// Open loop: the generator (or too few connections) fell behind the schedule, so the run did not
// measure what it was asked to.
void target_rate_missed(const RunResult& result, std::vector<std::string>& warnings) {
  if (!result.scenario.rate) return;
  const double achieved = achieved_send_rate(result);
  if (achieved < 0.99 * *result.scenario.rate) {
    warnings.push_back(
        fmt::format("target rate not reached: {:.0f} requests/s sent of {:.0f} asked", achieved,
                    *result.scenario.rate));
  }
}

void waited_for_connection(const RunResult& result, std::vector<std::string>& warnings) {
  const Recorder& recorder = result.recorder;
  if (!result.scenario.rate) return;
  if (recorder.waited_for_connection * 100 > recorder.requests_sent || result.unsent_at_end > 0) {
    warnings.push_back(fmt::format(
        "{} requests waited for a free connection (every one of {} busy) and {} were never sent; "
        "latency_us counts their wait, as a user would see it. If the server was not the "
        "bottleneck, raise connections",
        recorder.waited_for_connection, result.scenario.connections, result.unsent_at_end));
  }
}

// Late with connections free, or late with its threads on the CPU all the time: either way the
// generator could not keep the schedule, whatever the server did.
void generator_behind(const RunResult& result, std::vector<std::string>& warnings) {
  const Recorder& recorder = result.recorder;
  if (!result.scenario.rate) return;
  const int64_t lag_p99 = recorder.schedule_lag.percentile(99);
  const double threads = load_threads(result.scenario);
  const double busy =
      result.duration_s > 0 ? result.client_cpu_s / (result.duration_s * threads) : 0;
  if (lag_p99 > 1'000'000 && (recorder.waited_for_connection == 0 || busy > 0.9)) {
    warnings.push_back(fmt::format(
        "the load generator fell behind its schedule (p99 {:.1f} ms late; its threads were on "
        "the CPU {:.0f}% of the time): it, not the server, was the bottleneck; add threads, give "
        "it a core of its own (client_cpus) or lower the rate",
        static_cast<double>(lag_p99) / 1e6, busy * 100));
  }
}

void ports_exhausted(const RunResult& result, std::vector<std::string>& warnings) {
  const uint64_t exhausted =
      result.recorder.errors[static_cast<size_t>(ErrorKind::ephemeral_ports_exhausted)];
  if (exhausted == 0) return;
  warnings.push_back(fmt::format(
      "{} connects found no free local port (EADDRNOTAVAIL): closed connections wait in "
      "TIME_WAIT ({} now). Remedies: keep_alive, more local_addresses, client.so_linger "
      "{{\"on\": true, \"timeout_s\": 0}}, a wider net.ipv4.ip_local_port_range, "
      "net.ipv4.tcp_tw_reuse=1",
      exhausted, result.time_wait_after.value_or(0)));
}

// Resumption needs the server's part: a ticket or a cached session. The first connection of each
// slot is a full handshake by nature; more than that and none resumed means the server gave none.
void resumption_unused(const RunResult& result, std::vector<std::string>& warnings) {
  const std::optional<TlsStats>& tls = result.recorder.tls;
  if (!result.scenario.tls || result.scenario.tls->resumption == TlsResumption::none || !tls)
    return;
  const Scenario& scenario = result.scenario;
  const uint64_t slots =
      static_cast<uint64_t>(scenario.connections) *
      (scenario.connection == ConnectionModel::parallel ? scenario.parallel_connections : 1);
  if (tls->resumed > 0 || tls->full <= slots) return;
  warnings.push_back(fmt::format(
      "tls.resumption is {} but none of {} handshakes resumed: the server gave no {} (tcpharness "
      "serve: --set tls.resumption={}; nginx: ssl_session_tickets on, or ssl_session_cache)",
      to_string(result.scenario.tls->resumption), tls->full,
      result.scenario.tls->resumption == TlsResumption::tickets ? "ticket" : "cached session",
      to_string(result.scenario.tls->resumption)));
}

// Early data goes only on a resumed TLS 1.3 connection, with a ticket that allows it.
void early_data_unused(const RunResult& result, std::vector<std::string>& warnings) {
  const std::optional<TlsStats>& tls = result.recorder.tls;
  if (!result.scenario.tls || !result.scenario.tls->early_data || !tls) return;
  if (tls->resumed == 0 || tls->early_data_accepted + tls->early_data_rejected > 0) return;
  warnings.push_back(fmt::format(
      "tls.early_data: none of {} resumed connections sent early data: the server's tickets "
      "allow none (nginx: ssl_early_data on; it also needs ssl_protocols with TLSv1.3)",
      tls->resumed));
}

// The harness's own share of a round trip (timestamps: true) above kHarnessShareWarning at p50 or
// p99: the figures measure the load generator more than the stack and the peer. Against the
// embedded server over loopback the share is about half in either poll mode: the peer's part is
// the same code waking and reading on the other side, and the software timestamps sit at the
// device, so this host's TCP/IP work on each side is in the client's part.
void harness_share_high(const RunResult& result, std::vector<std::string>& warnings) {
  const std::optional<TimestampSplit>& split = result.recorder.timestamps;
  if (!split) return;
  for (const double percentile : {50.0, 99.0}) {
    const std::optional<double> share =
        harness_share(split->harness, split->stack_and_peer, percentile);
    if (!share || *share <= kHarnessShareWarning) continue;
    warnings.push_back(fmt::format(
        "timestamps: the harness's own share of the p{:.0f} round trip is {:.0f} % (send {:.1f} "
        "us, receive {:.1f} us, against {:.1f} us in the stack and the peer): try {}client_cpus "
        "and server_cpus on cores of their own, or fewer connections per load thread",
        percentile, *share * 100,
        static_cast<double>(split->harness_send.percentile(percentile)) / 1e3,
        static_cast<double>(split->harness_receive.percentile(percentile)) / 1e3,
        static_cast<double>(split->stack_and_peer.percentile(percentile)) / 1e3,
        result.scenario.poll == PollMode::busy ? "" : "poll: busy, "));
    return;
  }
}

// A stream chunk still being written at the end is the load itself, not a missing answer.
void unanswered_at_end(const RunResult& result, std::vector<std::string>& warnings) {
  if (result.in_flight_at_end > 0 && result.scenario.protocol != Protocol::stream) {
    warnings.push_back(
        fmt::format("{} requests were still unanswered when the run ended (not counted as errors)",
                    result.in_flight_at_end));
  }
}

constexpr std::array kRules{
    WarningRule{"threads_lowered", threads_lowered},
    WarningRule{"delay_line_late", delay_line_late},
    WarningRule{"link_settings_differ", link_settings_differ},
    WarningRule{"stopped_early", stopped_early},
    WarningRule{"target_unreachable", target_unreachable},
    WarningRule{"fastopen_unused", fastopen_unused},
    WarningRule{"option_notes", option_notes},
    WarningRule{"target_rate_missed", target_rate_missed},
    WarningRule{"waited_for_connection", waited_for_connection},
    WarningRule{"generator_behind", generator_behind},
    WarningRule{"ports_exhausted", ports_exhausted},
    WarningRule{"unanswered_at_end", unanswered_at_end},
    WarningRule{"resumption_unused", resumption_unused},
    WarningRule{"early_data_unused", early_data_unused},
    WarningRule{"harness_share_high", harness_share_high},
};

}  // namespace

std::span<const WarningRule> warning_rules() { return kRules; }

void add_run_warnings(RunResult& result) {
  std::vector<std::string> added;
  for (const WarningRule& rule : kRules) rule.check(result, added);
  result.warnings.insert(result.warnings.end(), added.begin(), added.end());
}

}  // namespace th
