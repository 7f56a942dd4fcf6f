#include "capacity/probe.hpp"

#include <fmt/format.h>

#include <cmath>

namespace th {
namespace {

// A server queueing requests answers them later than at the easiest rate; twice the easiest
// time is well past the noise of a loopback p50 and well below any real queue's growth.
constexpr double kQueueingFactor = 2.0;

std::optional<double> number_at(const nlohmann::json& value, const char* pointer) {
  const nlohmann::json::json_pointer at{pointer};
  if (!value.contains(at) || !value.at(at).is_number()) return std::nullopt;
  return value.at(at).get<double>();
}

std::string latency_text(double us) {
  if (us >= 1e6) return fmt::format("{:.3g} s", us / 1e6);
  if (us >= 1e3) return fmt::format("{:.3g} ms", us / 1e3);
  return fmt::format("{:.3g} us", us);
}

std::string value_text(const SloClause& clause, double value) {
  return clause.kind == SloClause::Kind::errors ? fmt::format("{:.3g}%", value)
                                                : latency_text(value);
}

// Why the server missed, clause by clause: "p99 14.2 ms > 10 ms".
std::string clause_failures(const std::vector<SloClause>& slo, const ProbeRun& probe) {
  std::string out;
  for (size_t index = 0; index < slo.size(); ++index) {
    const SloClause& clause = slo[index];
    const std::optional<double>& value = probe.slo_values[index];
    if (value && clause.admits(*value)) continue;
    const std::string limit = value_text(clause, clause.limit);
    const std::string name =
        clause.kind == SloClause::Kind::errors
            ? "errors"
            : (clause.phase == "total" ? "" : clause.phase + ".") + clause.statistic;
    out += (out.empty() ? "" : "; ") +
           (value ? fmt::format("{} {} {} {}", name, value_text(clause, *value),
                                clause.inclusive ? ">" : ">=", limit)
                  : fmt::format("{}: no sample to judge", name));
  }
  return out;
}

}  // namespace

const char* to_string(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::met:
      return "met";
    case ProbeOutcome::missed:
      return "missed";
    case ProbeOutcome::generator_bound:
      return "generator_bound";
    case ProbeOutcome::disturbed:
      return "disturbed";
  }
  return "missed";
}

ProbeRun read_probe(const nlohmann::json& run, const std::vector<SloClause>& slo,
                    unsigned load_threads) {
  ProbeRun probe;
  probe.report_run_name = run.at("name").get<std::string>();
  const nlohmann::json& schedule = run.at("schedule");
  probe.target_rate = schedule.at("target_rate_per_s").get<double>();
  probe.achieved_rate = schedule.at("achieved_rate_per_s").get<double>();
  probe.answered_rate = number_at(run, "/throughput/requests_per_s").value_or(0);
  for (const SloClause& clause : slo) probe.slo_values.push_back(slo_value(clause, run));
  probe.curve_value = slo_value(curve_clause(slo), run);
  const bool answered = number_at(run, "/latency_us/total/count").value_or(0) > 0;
  if (answered) {
    probe.p50_us = number_at(run, "/latency_us/total/p50");
    probe.p90_us = number_at(run, "/latency_us/total/p90");
    probe.p99_us = number_at(run, "/latency_us/total/p99");
    probe.p999_us = number_at(run, "/latency_us/total/p999");
    probe.service_p50_us = number_at(run, "/latency_us/service_time/p50");
  }
  const double ok = number_at(run, "/requests/ok").value_or(0);
  const double errors = number_at(run, "/requests/error_total").value_or(0);
  probe.error_percent = ok + errors > 0 ? 100.0 * errors / (ok + errors) : 0;
  probe.client_cpu_us_per_request = number_at(run, "/cpu/client_us_per_request");
  probe.server_cpu_us_per_request = number_at(run, "/cpu/server_us_per_request");
  const double sent = std::max(1.0, schedule.at("requests_sent").get<double>());
  probe.waited_share = schedule.at("waited_for_connection").get<double>() / sent;
  probe.late_share = schedule.value("sent_late", 0.0) / sent;
  const double duration_s = number_at(run, "/duration_s").value_or(0);
  const double client_s = number_at(run, "/cpu/client_s").value_or(0);
  probe.client_busy = duration_s > 0 ? client_s / (duration_s * std::max(1u, load_threads)) : 0;
  return probe;
}

void judge_probe(ProbeRun& probe, const std::vector<SloClause>& slo,
                 const ProbeBaseline& baseline) {
  probe.remedy.clear();
  // Sent in full and answered in full: a deep server queue (or its socket buffers) takes every
  // request sent for a while and answers at its own pace.
  const double kept = (1.0 - kScheduleTolerance) * probe.target_rate;
  const bool sustained = probe.achieved_rate >= kept && probe.answered_rate >= kept;
  bool clauses_hold = true;
  for (size_t index = 0; index < slo.size(); ++index) {
    clauses_hold =
        clauses_hold && probe.slo_values[index] && slo[index].admits(*probe.slo_values[index]);
  }
  probe.why = clause_failures(slo, probe);
  if (!sustained) {
    probe.why =
        fmt::format("{} {:.0f}/s of {:.0f}/s{}{}", probe.achieved_rate < kept ? "sent" : "answered",
                    std::min(probe.achieved_rate, probe.answered_rate), probe.target_rate,
                    probe.why.empty() ? "" : "; ", probe.why);
  }
  if (sustained && clauses_hold) {
    // Even with some sends late: every latency counts from its intended start, so the lateness
    // is in the figures the SLO was met with.
    probe.outcome = ProbeOutcome::met;
    return;
  }
  const auto slowed = [](const std::optional<double>& now, const std::optional<double>& usual) {
    return now && usual && *usual > 0 && *now >= kSlowdownFactor * *usual;
  };
  if (slowed(probe.client_cpu_us_per_request, baseline.client_cpu_us_per_request) &&
      slowed(probe.server_cpu_us_per_request, baseline.server_cpu_us_per_request)) {
    probe.outcome = ProbeOutcome::disturbed;
    probe.why += fmt::format(
        "; the machine slowed down: CPU per request {:.0f}x its usual on the generator and "
        "{:.0f}x on the server",
        *probe.client_cpu_us_per_request / *baseline.client_cpu_us_per_request,
        *probe.server_cpu_us_per_request / *baseline.server_cpu_us_per_request);
    return;
  }
  // Late sends with a connection free are the generator's alone: the server did not see the
  // load asked for, so its miss says nothing about it.
  if (probe.late_share > kScheduleTolerance) {
    probe.outcome = ProbeOutcome::generator_bound;
    probe.why += fmt::format(
        "{}the generator sent {:.1f}% of its requests over 1 ms late with a connection free (its "
        "threads on the CPU {:.0f}% of the time)",
        probe.why.empty() ? "" : "; ", probe.late_share * 100, probe.client_busy * 100);
    probe.remedy =
        "give the load generator CPUs of its own (client_cpus apart from server_cpus), or more "
        "threads (-t) if its threads are busy";
    return;
  }
  probe.outcome = ProbeOutcome::missed;
  const std::optional<double>& usual_service = baseline.service_p50_us;
  const bool server_idle_enough = probe.service_p50_us && usual_service &&
                                  *probe.service_p50_us <= kQueueingFactor * *usual_service;
  if (probe.waited_share > kScheduleTolerance && server_idle_enough) {
    const double service_s = *probe.service_p50_us / 1e6;
    const double needed = std::ceil(2.0 * probe.target_rate * service_s);
    probe.outcome = ProbeOutcome::generator_bound;
    probe.why += fmt::format(
        "; {:.1f}% of requests waited for a free connection while the server answered in {} "
        "(p50 of the time from send to response, {} at the easiest rate): the connection pool, "
        "not the server, was full",
        probe.waited_share * 100, latency_text(*probe.service_p50_us),
        latency_text(*usual_service));
    probe.remedy = fmt::format(
        "more connections (-c): at {:.0f}/s and {} per request, Little's law puts {:.1f} in "
        "flight on average; use at least {:.0f}",
        probe.target_rate, latency_text(*probe.service_p50_us), probe.target_rate * service_s,
        needed);
  }
}

}  // namespace th
