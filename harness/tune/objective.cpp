#include "tune/objective.hpp"

#include <fmt/format.h>

#include <array>
#include <string>

#include "report/metrics.hpp"

namespace th {
namespace {

constexpr std::array kObjectives = {
    Objective{"p99", "us", Better::lower,
              "p99 of the total request latency (latency_us.total.p99), microseconds"},
    Objective{"requests_per_s", "1/s", Better::higher,
              "successful requests per second of the measured window (throughput.requests_per_s)"},
    // The load generator and the embedded server share the machine, so a setting that moves work
    // from one to the other (e.g. Nagle batching) must be judged on the sum.
    Objective{"cpu_per_request", "us/request", Better::lower,
              "client plus server CPU time (user + system) per successful request, "
              "microseconds: cpu.client_us_per_request + cpu.server_us_per_request; with an "
              "external target the server's part is unknown and only the client's counts"},
    // Not a value of one run: tune_command hands this objective to capacity's search, one per
    // setting, and ranks the settings by what each found (capacity/ranking.hpp).
    Objective{"capacity", "1/s", Better::higher,
              "the highest rate each setting sustains under --slo, found by tcpharness "
              "capacity's search (capacity.settings[].rate_per_s)"},
};

}  // namespace

std::span<const Objective> all_objectives() { return kObjectives; }

const Objective* find_objective(std::string_view name) {
  for (const Objective& objective : kObjectives) {
    if (objective.name == name) return &objective;
  }
  return nullptr;
}

std::string known_objectives() {
  std::string names;
  for (const Objective& objective : kObjectives) {
    names += (names.empty() ? "" : ", ") + std::string(objective.name);
  }
  return names;
}

std::optional<double> objective_value(const Objective& objective, const nlohmann::json& run) {
  if (objective.name == "p99") return metric_value(run, *find_metric("p99_us"));
  if (objective.name == "requests_per_s") return metric_value(run, *find_metric("requests_per_s"));
  if (objective.name == "capacity") return metric_value(run, *find_metric("capacity_per_s"));
  const std::optional<double> client = metric_value(run, *find_metric("cpu_us_per_request"));
  if (!client) return std::nullopt;
  const std::optional<double> server = metric_value(run, *find_metric("server_cpu_us_per_request"));
  return *client + server.value_or(0.0);
}

std::string why_no_value(const Objective& objective, const nlohmann::json& run) {
  const nlohmann::json::json_pointer answered{"/requests/ok"};
  const nlohmann::json::json_pointer errors{"/requests/error_total"};
  const bool none_answered =
      run.contains(answered) && run.at(answered).is_number() && run.at(answered).get<double>() <= 0;
  if (!none_answered) return fmt::format("the run reports no {}", objective.name);
  const double error_total =
      run.contains(errors) && run.at(errors).is_number() ? run.at(errors).get<double>() : 0;
  return fmt::format("no answered request ({:g} error{} counted), so no {}", error_total,
                     error_total == 1 ? "" : "s", objective.name);
}

}  // namespace th
