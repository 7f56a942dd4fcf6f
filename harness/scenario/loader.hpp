#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "scenario/scenario.hpp"

namespace th {

// A scenario document before sweep expansion: the user's JSON with --set overrides applied.
struct ScenarioDocument {
  std::string source;    // file path, for error messages
  nlohmann::json base;   // every key but "sweep"
  nlohmann::json sweep;  // object: dotted key -> non-empty array of values (may be empty object)
  // JSON pointer -> the assignment that put the value there ("--set connections=0"), in the
  // order applied: an error in such a value names the assignment, not the file.
  std::vector<std::pair<std::string, std::string>> origins;
};

// Reads a file (JSON with // and /* */ comments). A tcpharness report (top-level "schema"
// "tcpharness.report/...") gives the scenario stored in it, so `run REPORT.json` repeats a run.
// Throws ConfigError naming the file for a missing/unreadable file, invalid JSON or a Google
// Benchmark report.
ScenarioDocument load_scenario_file(const std::string& path);
ScenarioDocument parse_scenario_text(const std::string& text, const std::string& source);

// Applies "key=value" (dotted keys for nested ones; value parsed as JSON, else taken as a string;
// a value opening with { or [ must be valid JSON). "sweep.KEY=[...]" sets a sweep list. Errors in
// it, now or when runs are expanded, start with `origin` ("--set KEY=VALUE" when empty; a flag
// that stands for a key passes its own spelling, "-c 0"). Throws ConfigError.
void apply_override(ScenarioDocument& doc, const std::string& assignment,
                    const std::string& origin = "");

// `serve --set server.KEY=VALUE`: the server side's socket options (KEY as under a scenario's
// "server", e.g. tcp_congestion or so_linger.on). Each assignment is read as run's --set reads
// it and each value by the scenario's own reader, so a bad one is refused in the same words
// ("--set server.tcp_keepidle=0: /server/tcp_keepidle: must be an integer from 1 to ...").
// Throws ConfigError.
SocketOptions server_socket_options(const std::vector<std::string>& assignments);

// `serve --tls` and `serve --set tls.KEY=VALUE`: the server's TLS settings, read by the
// scenario's `tls` reader; nullopt when neither asks for TLS. Throws ConfigError.
std::optional<TlsOptions> serve_tls_options(const std::vector<std::string>& assignments,
                                            bool tls_flag);

// Validates and converts one JSON object. Throws ConfigError with the JSON path of the bad value
// ("<source>: /client/so_sndbuf: must be an integer from 1 to 2147483647, got -5").
Scenario scenario_from_json(const nlohmann::json& object, const std::string& source);

// Cartesian product of the sweep, each run validated; no sweep gives one run named after the
// scenario. Everything is validated before this returns, so no socket opens for a bad file.
std::vector<RunSpec> expand_runs(const ScenarioDocument& doc);

}  // namespace th
