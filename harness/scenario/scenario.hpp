#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/run_parameters.hpp"

namespace th {

// A run of a scenario: the scenario with one combination of sweep values applied.
struct RunSpec {
  std::string name;  // "tcp_nodelay=false,so_sndbuf=4096", or the scenario name without a sweep
  std::vector<std::pair<std::string, nlohmann::json>> params;  // swept key (dotted) -> value
  Scenario scenario;
};

// The scenario as resolved, for the report: every key, defaults filled in.
void to_json(nlohmann::json& out, const Scenario& scenario);

}  // namespace th
