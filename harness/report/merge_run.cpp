#include "report/merge_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/config_error.hpp"
#include "base/numbers.hpp"
#include "report/merge.hpp"
#include "report/merge_link.hpp"
#include "report/reporter.hpp"
#include "report/tcp_info_json.hpp"
#include "report/timestamps_json.hpp"
#include "report/tls_json.hpp"
#include "stats/histogram.hpp"

namespace th {
namespace {

using json = nlohmann::json;

double sum_of(const std::vector<const json*>& runs, const json::json_pointer& pointer) {
  double sum = 0;
  for (const json* run : runs) {
    if (run->contains(pointer) && run->at(pointer).is_number())
      sum += run->at(pointer).get<double>();
  }
  return sum;
}

uint64_t count_sum(const std::vector<const json*>& runs, const json::json_pointer& pointer) {
  uint64_t sum = 0;
  for (const json* run : runs) {
    if (run->contains(pointer) && run->at(pointer).is_number())
      sum += run->at(pointer).get<uint64_t>();
  }
  return sum;
}

// Exact byte totals; reports from before "bytes" existed give them back from the rounded rate.
uint64_t bytes_of(const json& run, const char* direction, const char* rate) {
  if (run.contains("bytes")) return run["bytes"][direction].get<uint64_t>();
  return static_cast<uint64_t>(
      std::llround(run["throughput"][rate].get<double>() * run["duration_s"].get<double>()));
}

json merge_histograms(const std::vector<const json*>& runs, json& latency, json& warnings) {
  json histograms = {{"unit", "ns"}};
  std::set<std::string> phases;
  for (const json* run : runs) {
    for (const auto& [phase, value] : run->at("histograms").items()) {
      if (phase != "unit") phases.insert(phase);
    }
  }
  for (const std::string& phase : phases) {
    std::optional<Histogram> merged;
    for (const json* run : runs) {
      const json& all = run->at("histograms");
      if (!all.contains(phase)) continue;
      Histogram histogram = Histogram::from_json(all[phase]);
      if (!merged) {
        merged = std::move(histogram);
        continue;
      }
      try {
        merged->merge(histogram);
      } catch (const std::invalid_argument&) {
        throw ConfigError(
            fmt::format("run '{}': histograms/{} have different layouts in the "
                        "reports and cannot be merged exactly",
                        run->at("name").get<std::string>(), phase));
      }
    }
    histograms[phase] = merged->to_json();
    latency[phase] = latency_summary_us(*merged);
  }
  // A summary without a histogram cannot be merged; say so rather than keep a wrong number.
  for (const auto& [phase, summary] : runs.front()->at("latency_us").items()) {
    if (!phases.contains(phase)) {
      warnings.push_back(
          fmt::format("merge: latency_us/{} has no histogram; kept the first "
                      "report's summary",
                      phase));
      latency[phase] = summary;
    }
  }
  return histograms;
}

// Open-loop schedule facts: rates and counts add, lag is the worst of the generators'.
json merge_schedule(const std::vector<const json*>& runs) {
  std::vector<const json*> schedules;
  for (const json* run : runs) {
    if (run->contains("schedule") && (*run)["schedule"].is_object()) {
      schedules.push_back(&(*run)["schedule"]);
    }
  }
  if (schedules.empty()) return nullptr;
  json merged = *schedules.front();
  for (auto& [key, value] : merged.items()) {
    for (size_t index = 1; index < schedules.size(); ++index) {
      const json& other = *schedules[index];
      if (!other.contains(key)) continue;
      if (value.is_number() && other[key].is_number()) {
        value = value.get<double>() + other[key].get<double>();
      } else if (value.is_object() && other[key].is_object()) {
        for (auto& [part, number] : value.items()) {
          if (number.is_number() && other[key].contains(part) && other[key][part].is_number()) {
            number = std::max(number.get<double>(), other[key][part].get<double>());
          }
        }
      }
    }
  }
  return merged;
}

// Counts that add over generators, leaf by leaf; a part one report lacks (null) is null merged.
json sum_counts(const std::vector<const json*>& values) {
  json merged = *values.front();
  for (size_t index = 1; index < values.size(); ++index) {
    const json& other = *values[index];
    if (merged.is_number_unsigned() && other.is_number_unsigned()) {
      merged = merged.get<uint64_t>() + other.get<uint64_t>();
    } else if (merged.is_object() && other.is_object()) {
      for (auto& [key, value] : merged.items()) {
        const json missing;
        value = sum_counts({&value, other.contains(key) ? &other[key] : &missing});
      }
    } else {
      return nullptr;
    }
  }
  return merged;
}

}  // namespace

json merge_run(const std::vector<const json*>& runs, const std::vector<std::string>& paths) {
  const json& first = *runs.front();
  json merged = first;  // name, params, target, socket: the same scenario gives the same values
  json warnings = json::array();
  std::set<std::string> seen_warnings;
  for (const json* run : runs) {
    for (const json& warning : run->value("warnings", json::array())) {
      if (seen_warnings.insert(warning.get<std::string>()).second) warnings.push_back(warning);
    }
  }
  for (const json* run : runs) {
    if (run->at("stopped_by") == "interrupted") merged["stopped_by"] = "interrupted";
    merged["duration_s"] =
        std::max(merged["duration_s"].get<double>(), run->at("duration_s").get<double>());
  }

  json& requests = merged["requests"];
  for (const char* key : {"ok", "error_total", "in_flight_at_end", "connections_opened"}) {
    requests[key] = count_sum(runs, json::json_pointer(std::string("/requests/") + key));
  }
  std::set<std::string> kinds;
  for (const json* run : runs) {
    for (const auto& [kind, count] : run->at("requests").at("errors").items()) kinds.insert(kind);
  }
  for (const std::string& kind : kinds) {
    uint64_t sum = 0;
    for (const json* run : runs) sum += run->at("requests").at("errors").value(kind, uint64_t{0});
    requests["errors"][kind] = sum;
  }
  for (const auto& [key, value] : first.at("requests").items()) {
    if (value.is_number_unsigned() && !requests[key].is_null() && key != "ok") {
      requests[key] = count_sum(runs, json::json_pointer("/requests/" + key));
    }
  }

  // Generators load the target at the same time, so their rates add.
  json& throughput = merged["throughput"];
  for (auto& [key, value] : throughput.items()) {
    const json::json_pointer pointer("/throughput/" + key);
    bool all_null = true;
    for (const json* run : runs) all_null &= run->at(pointer).is_null();
    if (all_null) continue;
    value = key == "server_bytes_received" ? json(count_sum(runs, pointer))
                                           : json(rounded(sum_of(runs, pointer)));
  }
  uint64_t sent = 0;
  uint64_t received = 0;
  for (const json* run : runs) {
    sent += bytes_of(*run, "sent", "bytes_sent_per_s");
    received += bytes_of(*run, "received", "bytes_received_per_s");
  }
  merged["bytes"] = {{"sent", sent}, {"received", received}};
  if (first.contains("schedule")) merged["schedule"] = merge_schedule(runs);

  json latency = json::object();
  merged["histograms"] = merge_histograms(runs, latency, warnings);
  merged["latency_us"] = latency;

  // CPU time adds up over generators (and their embedded servers, if each had one).
  const double ok = requests["ok"].get<double>();
  json& cpu = merged["cpu"];
  const double client_s = sum_of(runs, json::json_pointer("/cpu/client_s"));
  cpu["client_s"] = rounded(client_s, 1e6);
  cpu["client_us_per_request"] = ok > 0 ? json(rounded(client_s * 1e6 / ok)) : json(nullptr);
  bool every_server = true;
  for (const json* run : runs) every_server &= run->at("cpu").at("server_s").is_number();
  const double server_s = sum_of(runs, json::json_pointer("/cpu/server_s"));
  cpu["server_s"] = every_server ? json(rounded(server_s, 1e6)) : json(nullptr);
  cpu["server_us_per_request"] =
      every_server && ok > 0 ? json(rounded(server_s * 1e6 / ok)) : json(nullptr);
  // The user/system split adds up too; a report from before the split leaves it out.
  for (const char* key : {"client_user_s", "client_system_s", "server_user_s", "server_system_s"}) {
    bool every_run_has_it = true;
    bool every_run_measured_it = true;
    for (const json* run : runs) {
      const json& run_cpu = run->at("cpu");
      every_run_has_it &= run_cpu.contains(key);
      every_run_measured_it &= run_cpu.contains(key) && run_cpu.at(key).is_number();
    }
    if (!every_run_has_it) {
      cpu.erase(key);
      continue;
    }
    cpu[key] =
        every_run_measured_it
            ? json(rounded(sum_of(runs, json::json_pointer(std::string("/cpu/") + key)), 1e6))
            : json(nullptr);
  }

  // TCP_INFO of every generator's connections together; absent when none sampled any.
  // The diagnosis weighs the merged first_byte phase against the merged round trips.
  Histogram first_byte;
  if (const json& phases = merged["histograms"]; phases.contains("first_byte")) {
    first_byte = Histogram::from_json(phases["first_byte"]);
  }
  if (json tcp_info = merge_tcp_info(runs, first_byte); !tcp_info.is_null()) {
    merged["tcp_info"] = std::move(tcp_info);
  } else {
    merged.erase("tcp_info");
  }

  if (json tls = merge_tls(runs); !tls.is_null()) {
    tls["cpu_us_per_handshake"] = cpu_per_handshake(merged["cpu"], tls);
    merged["tls"] = std::move(tls);
  }

  if (json timestamps = merge_timestamps(runs, merged["histograms"]); !timestamps.is_null()) {
    merged["timestamps"] = std::move(timestamps);
  }

  // Each generator's own shaped link: its configuration must agree, its counters add.
  bool any_link = false;
  for (const json* run : runs) any_link |= run->contains("link");
  if (any_link) {
    json link = merge_link(runs, paths, warnings);
    if (first.contains("link")) merged["link"] = std::move(link);
  }

  // Each generator's connections ended on their own: counters and TIME_WAITs add.
  if (first.contains("closing")) {
    std::vector<const json*> closings;
    for (const json* run : runs)
      closings.push_back(run->contains("closing") ? &(*run)["closing"] : nullptr);
    const json missing;
    for (const json*& closing : closings) closing = closing ? closing : &missing;
    merged["closing"] = sum_counts(closings);
  }

  std::vector<const json*> timelines;
  for (const json* run : runs) {
    if (run->contains("timeline")) timelines.push_back(&(*run)["timeline"]);
  }
  if (!timelines.empty()) merged["timeline"] = merge_timelines(timelines);

  // Anything newer than this code knows: kept when every report agrees, flagged when not.
  static const std::set<std::string> kMerged = {
      "name",       "params",   "target",     "embedded_server", "stopped_by",       "duration_s",
      "socket",     "requests", "throughput", "schedule",        "timeline",         "bytes",
      "latency_us", "cpu",      "histograms", "warnings",        "repetition_index", "tcp_info",
      "link",       "tls",      "timestamps", "closing"};
  for (const auto& [key, value] : first.items()) {
    if (kMerged.contains(key)) continue;
    for (size_t index = 1; index < runs.size(); ++index) {
      if (runs[index]->value(key, json()) != value) {
        warnings.push_back(
            fmt::format("merge: '{}' differs between the reports; kept the value "
                        "of {}",
                        key, paths.front()));
        break;
      }
    }
  }
  merged["warnings"] = warnings;
  return merged;
}

json merge_timelines(const std::vector<const json*>& timelines) {
  struct Second {
    uint64_t requests_ok = 0, errors = 0, bytes_sent = 0, bytes_received = 0;
    double p50_weighted = 0, p99_weighted = 0, max_us = 0, weight = 0;
    // Generators measure the same window (merge checks their start), so the second's coverage is
    // the largest any of them saw; absent from reports written before it.
    std::optional<double> covered_s;
  };
  std::map<int64_t, Second> seconds;
  for (const json* timeline : timelines) {
    for (const json& entry : *timeline) {
      Second& second = seconds[entry.at("t_unix_s").get<int64_t>()];
      const uint64_t ok = entry.at("requests_ok").get<uint64_t>();
      second.requests_ok += ok;
      second.errors += entry.at("errors").get<uint64_t>();
      second.bytes_sent += entry.at("bytes_sent").get<uint64_t>();
      second.bytes_received += entry.at("bytes_received").get<uint64_t>();
      auto number = [&](const char* key) {
        return entry.at(key).is_number() ? entry.at(key).get<double>() : 0.0;
      };
      second.p50_weighted += number("p50_us") * static_cast<double>(ok);
      second.p99_weighted += number("p99_us") * static_cast<double>(ok);
      second.weight += static_cast<double>(ok);
      second.max_us = std::max(second.max_us, number("max_us"));
      if (entry.contains("covered_s") && entry["covered_s"].is_number()) {
        second.covered_s = std::max(second.covered_s.value_or(0.0), number("covered_s"));
      }
    }
  }
  json merged = json::array();
  for (const auto& [unix_s, slot] : seconds) {
    const auto& second = slot;  // clang 14 cannot capture a structured binding
    auto weighted = [&](double sum) {
      return second.weight > 0 ? rounded(sum / second.weight) : 0.0;
    };
    json entry = {{"t_unix_s", unix_s},
                  {"requests_ok", second.requests_ok},
                  {"errors", second.errors},
                  {"p50_us", weighted(second.p50_weighted)},
                  {"p99_us", weighted(second.p99_weighted)},
                  {"max_us", second.max_us},
                  {"bytes_sent", second.bytes_sent},
                  {"bytes_received", second.bytes_received}};
    if (second.covered_s) {
      entry["covered_s"] = *second.covered_s;
      entry["requests_per_s"] =
          *second.covered_s > 0
              ? json(rounded(static_cast<double>(second.requests_ok) / *second.covered_s))
              : json(nullptr);
    }
    merged.push_back(std::move(entry));
  }
  return merged;
}

}  // namespace th
