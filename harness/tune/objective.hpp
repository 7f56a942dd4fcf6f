#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tune/sequential.hpp"

namespace th {

// What `tune --objective` ranks settings by, read from each repetition's run as the native report
// writes it (so a report read back gives the same numbers).
struct Objective {
  std::string_view name;  // as --objective takes it: p99, requests_per_s, cpu_per_request
  std::string_view unit;  // us, 1/s, us/request
  Better better;
  std::string_view definition;  // one sentence for the report and the docs
};

std::span<const Objective> all_objectives();
const Objective* find_objective(std::string_view name);  // nullptr when unknown
std::string known_objectives();                          // "p99, requests_per_s, cpu_per_request"

// The run's value, or nothing when it has none (no answered request).
std::optional<double> objective_value(const Objective& objective, const nlohmann::json& run);

// Why objective_value gave nothing for this run, for the console and the report: "no answered
// request (12 errors counted), so no p99".
std::string why_no_value(const Objective& objective, const nlohmann::json& run);

}  // namespace th
