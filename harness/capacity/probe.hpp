#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capacity/slo.hpp"

namespace th {

// What one probe (one open-loop run at one rate) says about the server.
enum class ProbeOutcome {
  met,              // the rate was sustained and every SLO clause held
  missed,           // the server did not sustain the rate, or a clause failed: the server's doing
  generator_bound,  // missed, but the load generator did not keep its schedule (over 1 % of its
                    // sends late with a connection free) or its connection pool was full while
                    // the server was unhurried: nothing is learnt about the server at this rate
  disturbed,        // missed while the whole machine slowed down (both sides' CPU per request
                    // rose together): a neighbour's doing; the rate is probed again
};

const char* to_string(ProbeOutcome outcome);

// One probe as the search and the report see it, read from the run as the native report writes it.
struct ProbeRun {
  double target_rate = 0;
  double achieved_rate = 0;                       // requests sent per second of the window
  double answered_rate = 0;                       // successful responses per second of the window
  std::vector<std::optional<double>> slo_values;  // one per clause
  std::optional<double> curve_value;              // the curve clause's value (us)
  std::optional<double> p50_us, p90_us, p99_us, p999_us;  // total latency
  double error_percent = 0;
  std::optional<double> client_cpu_us_per_request;
  std::optional<double> server_cpu_us_per_request;
  std::optional<double> service_p50_us;  // actual send to response: the server's queue shows here
  double waited_share = 0;               // requests due while every connection was busy
  double late_share = 0;                 // requests sent > 1 ms late with a connection free
  double client_busy = 0;                // load threads' CPU over their wall time, 0..1
  ProbeOutcome outcome = ProbeOutcome::missed;
  std::string why;     // "p99 14.2 ms > 10 ms", "sent 9,310/s of 10,000/s"
  std::string remedy;  // generator_bound only: what to change in the load generator
  std::string report_run_name;
  size_t sequence = 0;  // the probe's place in the order they ran, from 0
};

// The unhurried machine, from the probes met so far: the lowest of each figure.
struct ProbeBaseline {
  std::optional<double> service_p50_us;
  std::optional<double> client_cpu_us_per_request;
  std::optional<double> server_cpu_us_per_request;  // embedded server only
};

// A probe's figures, read from its run as the native report writes it; judge_probe decides.
ProbeRun read_probe(const nlohmann::json& run, const std::vector<SloClause>& slo,
                    unsigned load_threads);

// Sets the probe's outcome, why and remedy. A probe that misses counts against the server
// unless something else is shown to be the reason: the whole machine ran slow (client and
// server CPU per request both over kSlowdownFactor times the baseline's: on a shared host, a
// neighbour), the generator sent requests late with a connection free (its thread was not on
// the CPU in time), or its requests waited for a connection while the server answered about as
// fast as at the easiest rate (the pool, not the server, was too small). Judged again whenever
// the baseline moves, since the first probes have none.
void judge_probe(ProbeRun& probe, const std::vector<SloClause>& slo, const ProbeBaseline& baseline);

// CPU per request at this many times its baseline, on both sides at once, is a slower machine
// rather than more work: batching only ever lowers it as the rate rises.
inline constexpr double kSlowdownFactor = 2.0;

// The share of sends that may be late, or wait with the server idle, before the generator is
// blamed; also the shortfall of the achieved rate below its target that still counts as kept.
inline constexpr double kScheduleTolerance = 0.01;

}  // namespace th
