#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/connection_ends.hpp"
#include "host/cpu.hpp"
#include "host/link_reading.hpp"
#include "host/netstat.hpp"
#include "net/socket_options.hpp"
#include "scenario/scenario.hpp"
#include "stats/recorder.hpp"

namespace th {

// target_unreachable: every connection attempt failed for the first moments of the run (see
// drive_load), so it stopped with nothing measured.
enum class StopReason { duration, requests, interrupted, target_unreachable };

// A run none of whose connection attempts ever succeeded (warm-up included), while some failed:
// the target refused or never answered, and nothing could be measured.
struct TargetUnreachable {
  std::string target;  // host:port as the scenario names it
  std::string error;   // libuv's text of the last failure: "connection refused"
  uint64_t failed_attempts = 0;
};

// How the run's connections ended: each namespace's close counters over the run (the server's
// namespace apart only behind a link; without one both sides share the client's), and the
// TIME_WAIT sockets each side of the target's connections held at the end.
struct ClosingReading {
  std::optional<CloseCounters> client_namespace;
  std::optional<CloseCounters> server_namespace;
  std::optional<TimeWaitCount> time_wait;
};

// Everything a report shows about one run. Reporters read this and nothing else.
struct RunResult {
  std::string name;
  std::vector<std::pair<std::string, nlohmann::json>> params;
  Scenario scenario;
  std::string target;  // the address the load went to
  bool embedded_server = false;
  StopReason stopped_by = StopReason::duration;
  double duration_s = 0;             // measured window: end of warm-up to the last counted response
  int64_t window_start_unix_ns = 0;  // the window's start on the wall clock (the timeline's)
  Recorder recorder;                 // merged over the load generator's threads
  uint64_t in_flight_at_end = 0;     // requests still unanswered when the run ended (not errors)
  std::optional<double> target_rate_per_s;  // open loop only
  uint64_t unsent_at_end = 0;  // open loop: scheduled in the window, never given a connection
  std::vector<OptionReading> client_options;  // as read back from a real connection
  std::vector<OptionReading> server_options;  // embedded server only
  double client_cpu_s = 0;
  CpuSplit client_cpu_split;           // user and system, as the kernel sampled them
  std::optional<double> server_cpu_s;  // embedded server only
  std::optional<CpuSplit> server_cpu_split;
  std::optional<uint64_t> server_bytes_received;  // embedded server only
  // Embedded server only: its own time per answer, from the read that completed the request to
  // the answer handed to the kernel (ns), for requests read in the measured window.
  std::optional<Histogram> server_time;
  std::optional<uint64_t> time_wait_before;  // TIME_WAIT sockets in this namespace
  std::optional<uint64_t> time_wait_after;
  ClosingReading closing;
  // How the namespace's Fast Open counters grew over the run (warm-up included); nullopt when
  // /proc/net/netstat is unreadable.
  std::optional<FastOpenCounters> tcp_fastopen;
  std::optional<LinkReading> link;    // scenario.link only: as applied, counters at the end
  std::vector<std::string> warnings;  // things the user should know to read the run
  std::optional<TargetUnreachable> unreachable;
};

const char* to_string(StopReason reason);

// "cannot connect to 127.0.0.1:9: connection refused": what `run`, `tune` and `validate --connect`
// say about a target that accepts no connection.
std::string cannot_connect_message(const TargetUnreachable& unreachable);

}  // namespace th
