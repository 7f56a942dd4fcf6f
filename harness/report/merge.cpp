#include "report/merge.hpp"

#include <fmt/format.h>

#include <map>
#include <string>
#include <utility>

#include "base/config_error.hpp"
#include "report/json_text.hpp"
#include "report/merge_run.hpp"
#include "report/metrics.hpp"

namespace th {
namespace {

using json = nlohmann::json;

void require_same_scenario(const LoadedReport& first, const LoadedReport& other) {
  const json& expected = first.document.at("scenario");
  const json& found = other.document.at("scenario");
  if (expected == found) return;
  // Depth is bounded by the reader, so diff's recursion is safe.
  const json patch = json::diff(expected, found);
  const std::string where = patch.empty() ? "" : patch[0].value("path", "");
  const json::json_pointer pointer(where);
  const json mine = found.contains(pointer) ? found.at(pointer) : json("(absent)");
  const json theirs = expected.contains(pointer) ? expected.at(pointer) : json("(absent)");
  throw ConfigError(
      fmt::format("{}: /scenario{}: {} here but {} in {}; merge needs reports of the same scenario",
                  other.path, where, json_for_message(mine), json_for_message(theirs), first.path));
}

using RunKey = std::pair<std::string, uint64_t>;  // name, repetition index

std::map<RunKey, const json*> runs_by_key(const LoadedReport& report) {
  std::map<RunKey, const json*> runs;
  for (const json& run : report.document.at("runs")) {
    runs[{run.at("name").get<std::string>(), run.at("repetition_index").get<uint64_t>()}] = &run;
  }
  return runs;
}

void require_same_runs(const LoadedReport& first, const LoadedReport& other) {
  const auto expected = runs_by_key(first);
  const auto found = runs_by_key(other);
  for (const auto& [key, run] : found) {
    if (!expected.contains(key)) {
      throw ConfigError(fmt::format("{}: run '{}' repetition {} is not in {}", other.path,
                                    key.first, key.second, first.path));
    }
  }
  for (const auto& [key, run] : expected) {
    if (!found.contains(key)) {
      throw ConfigError(fmt::format("{}: run '{}' repetition {} is missing (it is in {})",
                                    other.path, key.first, key.second, first.path));
    }
  }
}

}  // namespace

json merge_reports(const std::vector<LoadedReport>& reports) {
  if (reports.empty()) throw ConfigError("merge: no reports given");
  const LoadedReport& first = reports.front();
  for (size_t index = 1; index < reports.size(); ++index) {
    require_same_scenario(first, reports[index]);
    require_same_runs(first, reports[index]);
  }
  std::vector<std::string> paths;
  std::vector<std::map<RunKey, const json*>> runs_of;
  for (const LoadedReport& report : reports) {
    paths.push_back(report.path);
    runs_of.push_back(runs_by_key(report));
  }

  json merged = first.document;
  json runs = json::array();
  for (const json& run : first.document.at("runs")) {
    const RunKey key{run.at("name").get<std::string>(), run.at("repetition_index").get<uint64_t>()};
    std::vector<const json*> matching;
    for (const auto& by_key : runs_of) matching.push_back(by_key.at(key));
    runs.push_back(merge_run(matching, paths));
  }
  merged["runs"] = runs;
  merged["schema"] = kReportSchema;  // the histograms are rewritten in the current form
  merged.erase("aggregates");
  if (json aggregates = aggregates_to_json(merged["runs"]); !aggregates.empty()) {
    merged["aggregates"] = aggregates;
  }

  // The merged report speaks for every source: the earliest start, interrupted if any was, the
  // labels they share; each source's host and labels stay under merged_from.
  json sources = json::array();
  json labels = first.document.value("labels", json::object());
  for (const LoadedReport& report : reports) {
    const json& document = report.document;
    if (document.at("started_at").get<std::string>() < merged["started_at"].get<std::string>()) {
      merged["started_at"] = document["started_at"];
    }
    if (document.value("interrupted", false)) merged["interrupted"] = true;
    const json own_labels = document.value("labels", json::object());
    for (auto it = labels.begin(); it != labels.end();) {
      it = own_labels.value(it.key(), json()) == it.value() ? std::next(it) : labels.erase(it);
    }
    sources.push_back({{"path", report.path},
                       {"started_at", document["started_at"]},
                       {"hostname", document["host"]["hostname"]},
                       {"labels", own_labels}});
  }
  merged["labels"] = labels;
  merged["merged_from"] = sources;
  return merged;
}

}  // namespace th
