#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenario/loader.hpp"

namespace th {

// The flags a wrk user types, each standing for one scenario key and read by that key's reader,
// so a bad value is refused in the scenario's words under the flag's name ("-c 0: /connections:
// must be an integer from 1 to 100000, got 0").
// Each is the text as typed, empty when not given.
struct ScenarioShorthands {
  std::string connections;   // -c: connections
  std::string threads;       // -t: threads
  std::string duration;      // -d: duration_s, from "10s", "1m", "500ms" or seconds
  std::string rate;          // -R: rate, requests/s over the run (open loop)
  bool per_request = false;  // --per-request: connection per_request
};

// Whether the scenario argument of a command line is a URL rather than a file: it names a scheme.
bool is_url(std::string_view text);

// `run URL`: the quickstart scenario (scenarios/quickstart.json) without its CPU pinning, aimed at
// `url` and named after its host:port. Throws ConfigError for anything but an http:// URL.
ScenarioDocument url_scenario(const std::string& url);

// "10s", "1m", "500ms", "1h" or plain seconds ("2.5") in seconds. Throws ConfigError naming `flag`.
double duration_seconds(const std::string& text, const std::string& flag);

// The scenario a command line describes, in this order: the file (or the URL's quickstart
// defaults), then the shorthand flags, then each --set as given. A later step wins, so --set can
// still change what a flag set.
ScenarioDocument command_line_scenario(const std::string& file_or_url,
                                       const ScenarioShorthands& shorthands,
                                       const std::vector<std::string>& overrides);

}  // namespace th
