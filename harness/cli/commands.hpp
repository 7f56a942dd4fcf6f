#pragma once

#include <string>
#include <vector>

#include "scenario/command_line_scenario.hpp"
#include "server/server_limits.hpp"

namespace th {

// Exit codes, documented in `--help` and docs/: scripts and CI branch on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunHadErrors = 1;
inline constexpr int kExitRegression = 1;  // compare: a change beyond a --fail-on limit
inline constexpr int kExitConfigError = 2;
// compare: the reports share no run, or runs of the base are missing from the new one. The
// inputs do not allow a verdict, as with an unreadable report; 1 stays "the code got slower".
inline constexpr int kExitCompareIncomplete = kExitConfigError;
// No connection to the target ever succeeded: nothing was measured, and the fix (the address,
// or starting the server) is in the setup, as for a configuration error.
inline constexpr int kExitTargetUnreachable = 2;
// capacity: no capacity was settled for some setting (budget spent, generator-bound, no rate met
// the SLO): a report exists, but it holds a bound, not an answer.
inline constexpr int kExitCapacityUnsettled = 1;
inline constexpr int kExitInterrupted = 130;   // 128 + SIGINT, as shells report it
inline constexpr int kExitInternalError = 70;  // EX_SOFTWARE: a bug, not the user's input

struct RunArguments {
  std::string scenario_path;      // a file, or an http:// URL (quickstart's defaults)
  ScenarioShorthands shorthands;  // -c -t -d -R --per-request, applied before --set
  std::vector<std::string> overrides;
  std::string out_path;
  bool quiet = false;
  unsigned repetitions = 1;
  std::vector<std::string> labels;  // key=value
  std::string format = "native";    // of --out: native | gbench
  std::string gbench_out;           // a second report, in Google Benchmark's JSON
  bool gbench_aggregates_only = false;
  bool pretty = false;         // indented JSON in --out and --gbench-out
  bool check_connect = false;  // validate --connect: connect once to every external target
};

struct CompareArguments {
  std::string base_path;
  std::string new_path;
  std::string fail_on;
  std::string format = "text";  // text | markdown | json
  double alpha = 0.05;
  bool allow_missing = false;  // runs of the base absent from the new report pass
};

// `tune`: see docs/usage.md#tune for the statistics behind these.
struct TuneArguments {
  std::string scenario_path;
  std::string objective;  // p99 | requests_per_s | cpu_per_request | capacity (tune_command)
  std::string slo;        // --objective capacity only: the SLO each setting's capacity meets
  std::vector<std::string> overrides;
  double budget_s = 600;
  unsigned max_rounds = 20;
  unsigned min_rounds = 3;
  double alpha = 0.05;
  std::string out_path;
  bool quiet = false;
  bool pretty = false;
  std::vector<std::string> labels;
};

// `capacity`: see docs/usage.md#capacity.
struct CapacityArguments {
  std::string scenario_path;
  ScenarioShorthands shorthands;
  std::vector<std::string> overrides;
  std::string slo;
  double start_rate = 0;  // 0: the scenario's rate, else 1000/s
  double max_rate = 10'000'000;
  double budget_s = 300;
  unsigned confirmations = 3;
  std::string out_path;
  bool quiet = false;
  bool pretty = false;
  std::vector<std::string> labels;
};

struct MergeArguments {
  std::vector<std::string> report_paths;
  std::string out_path;
  bool pretty = false;
};

struct ConvertArguments {
  std::string report_path;
  std::string format = "gbench";  // gbench | customSmallerIsBetter | customBiggerIsBetter
  std::string out_path;           // empty: stdout
  bool gbench_aggregates_only = false;
  bool pretty = false;
};

struct PlotArguments {
  std::vector<std::string> report_paths;  // several: overlaid, base first
  std::string out_dir;
};

struct ReportArguments {
  std::vector<std::string> report_paths;  // several: overlaid, base first
  std::string out_path;
};

struct ServeArguments {
  std::string protocol = "http";
  std::string listen = "127.0.0.1";
  int port = 0;
  unsigned threads = 1;
  bool reuseport = false;  // share a fixed port another listener holds instead of refusing it
  bool tls = false;        // --tls: speak TLS (settings: --set tls.KEY=VALUE)
  unsigned response_size = 64;
  std::string write_pattern = "single";
  bool tcp_nodelay = false;
  bool tcp_nodelay_set = false;
  int so_sndbuf = 0;
  int so_rcvbuf = 0;
  std::vector<std::string> socket_options;  // --set server.KEY=VALUE, any server-side option
  std::vector<int> cpus;
  uint32_t busy_poll_us = 0;
  ServerLimits limits;  // --max-header-bytes, --header-timeout-ms, ... (docs/reliability.md)
};

int run_command(const RunArguments& arguments);
int serve_command(const ServeArguments& arguments);
int validate_command(const RunArguments& arguments);
int compare_command(const CompareArguments& arguments);
int tune_command(const TuneArguments& arguments);
int capacity_command(const CapacityArguments& arguments);
// capacity_command, and with rank_settings `tune --objective capacity`: the sweep's settings
// ranked by their capacity, with a recommendation.
int run_capacity(const CapacityArguments& arguments, bool rank_settings);
int merge_command(const MergeArguments& arguments);
int convert_command(const ConvertArguments& arguments);
int plot_command(const PlotArguments& arguments);
int report_command(const ReportArguments& arguments);

}  // namespace th
