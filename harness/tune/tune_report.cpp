#include "tune/tune_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/numbers.hpp"
#include "tune/missing_values.hpp"
#include "tune/tune_sentences.hpp"

namespace th {
namespace {

nlohmann::json optional_number(const std::optional<double>& value, double scale = 1e6) {
  return value ? nlohmann::json(rounded(*value, scale)) : nlohmann::json(nullptr);
}

nlohmann::json params_to_json(const std::vector<std::pair<std::string, nlohmann::json>>& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : params) object[key] = value;
  return object;
}

nlohmann::json look_to_json(const Look& look, const std::vector<TuneSetting>& settings) {
  nlohmann::json near = nlohmann::json::array();
  for (size_t index = 0; index < look.standings.size(); ++index) {
    if (look.standings[index].near_best) near.push_back(settings[index].name);
  }
  return {{"round", look.round},
          {"best", look.best ? nlohmann::json(settings[*look.best].name) : nullptr},
          {"near_best", near},
          {"settled", to_string(look.settled)}};
}

const char* missing_kind(const MissingRepetition& missing) {
  if (!missing.run_failed) return "no_value";
  return missing.config_error ? "config_error" : "error";
}

}  // namespace

nlohmann::json tune_to_json(const TuneSummary& summary) {
  nlohmann::json settings = nlohmann::json::array();
  const Look& look = summary.final_look;
  for (size_t index = 0; index < summary.settings.size(); ++index) {
    const Standing& standing = look.standings.at(index);
    const bool has_value = standing.samples > 0;
    settings.push_back(
        {{"name", summary.settings[index].name},
         {"params", params_to_json(summary.settings[index].params)},
         {"values", summary.samples[index]},
         {"median", has_value ? nlohmann::json(rounded(standing.median)) : nullptr},
         {"ci", has_value ? nlohmann::json{{"low", rounded(standing.interval.low)},
                                           {"high", rounded(standing.interval.high)},
                                           {"level", rounded(standing.interval.level, 1e4)}}
                          : nlohmann::json(nullptr)},
         {"p_vs_best", optional_number(standing.p_vs_best)},
         {"best", standing.is_best},
         {"near_best", standing.near_best}});
  }
  const Recommendation& recommendation = summary.recommendation;
  nlohmann::json open = nlohmann::json::object();
  for (const auto& [key, values] : recommendation.open) open[key] = values;
  nlohmann::json sysctls = nlohmann::json::array();
  for (const SysctlNeed& need : recommendation.sysctls) sysctls.push_back(to_json(need));
  nlohmann::json looks = nlohmann::json::array();
  for (const Look& each : summary.looks) looks.push_back(look_to_json(each, summary.settings));
  nlohmann::json missing = nlohmann::json::array();
  for (const MissingRepetition& repetition : summary.missing) {
    missing.push_back({{"setting", summary.settings.at(repetition.setting).name},
                       {"round", repetition.round},
                       {"kind", missing_kind(repetition)},
                       {"reason", repetition.reason}});
  }
  const std::vector<SettingWithoutValue> without_value =
      settings_without_value(look, summary.missing);
  nlohmann::json without = nlohmann::json::array();
  for (const SettingWithoutValue& setting : without_value) {
    without.push_back(
        {{"name", summary.settings.at(setting.setting).name}, {"reason", setting.reason}});
  }
  return {
      {"objective",
       {{"name", summary.objective->name},
        {"unit", summary.objective->unit},
        {"better", summary.objective->better == Better::lower ? "lower" : "higher"},
        {"definition", summary.objective->definition}}},
      {"statistic", "median over rounds; CI from order statistics (target 95%, level as reached)"},
      {"test", "Mann-Whitney U, two-sided, each setting against the best"},
      {"alpha", summary.plan.alpha},
      {"planned_looks", summary.plan.planned_looks()},
      {"per_look_alpha", rounded(summary.plan.per_look_alpha(), 1e8)},
      {"test_alpha", rounded(summary.plan.test_alpha(), 1e8)},
      {"min_rounds", summary.plan.min_rounds},
      {"max_rounds", summary.plan.max_rounds},
      {"max_rounds_asked", summary.max_rounds_asked},
      {"budget_s", summary.budget_s},
      {"round_estimate_s", rounded(summary.round_estimate_s)},
      {"rounds", look.round},
      {"elapsed_s", rounded(summary.elapsed_s)},
      {"stopped_by", to_string(summary.stopped_by)},
      {"stop_reason", stop_sentence(summary)},
      {"settings", settings},
      {"failed_runs", failed_runs(summary)},
      {"missing", missing},
      {"without_value", without},
      {"looks", looks},
      {"recommendation",
       {{"verdict", to_string(recommendation.verdict)},
        {"best", recommendation.best ? nlohmann::json(summary.settings[*recommendation.best].name)
                                     : nullptr},
        {"params", params_to_json(recommendation.params)},
        {"settled", params_to_json(recommendation.settled)},
        {"undecided", open},
        {"p_value", optional_number(recommendation.p_value)},
        {"sysctls", sysctls},
        {"text", verdict_sentence(summary, without_value)}}},
      {"notes", summary.notes}};
}

}  // namespace th
