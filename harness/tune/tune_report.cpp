#include "tune/tune_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace th {
namespace {

double rounded(double value, double scale = 1000.0) { return std::round(value * scale) / scale; }

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

std::string format_values(const std::vector<nlohmann::json>& values) {
  std::string listed;
  for (const nlohmann::json& value : values) {
    listed += (listed.empty() ? "" : " or ") +
              (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return listed;
}

std::string verdict_sentence(const TuneSummary& summary) {
  const Recommendation& recommendation = summary.recommendation;
  if (!recommendation.best) return "no setting produced a value of the objective";
  const std::string& best = summary.settings[*recommendation.best].name;
  const TunePlan& plan = summary.plan;
  if (recommendation.verdict == Verdict::none) {
    return fmt::format(
        "no setting is significantly better than {} {} ({} rounds, every p >= {:.2g}): nothing "
        "to recommend",
        best,
        summary.stopped_by == TuneStop::interrupted ? "before the interrupt" : "within budget",
        summary.final_look.round, plan.test_alpha());
  }
  std::string text = fmt::format("recommend: {} (p = {:.2g}: {} significantly worse, p < {:.2g})",
                                 format_params(recommendation.params), *recommendation.p_value,
                                 recommendation.verdict == Verdict::winner
                                     ? "every other setting is"
                                     : "every setting without the settled values is",
                                 plan.test_alpha());
  if (recommendation.verdict == Verdict::group) {
    text += fmt::format("\n  settled: {}", recommendation.settled.empty()
                                               ? std::string("(no key)")
                                               : format_params(recommendation.settled));
    for (const auto& [key, values] : recommendation.open) {
      text += fmt::format("\n  undecided: {} = {} (no significant difference)", key,
                          format_values(values));
    }
  }
  if (recommendation.sysctls.empty()) text += "\n  sysctls: none needed";
  for (const SysctlNeed& need : recommendation.sysctls) {
    const char* state = !need.satisfied ? "unknown here" : *need.satisfied ? "met here" : "NOT met";
    text += fmt::format("\n  sysctl for {}: {} {} ({}; now {}){}", need.key, need.sysctl,
                        need.requirement, state, need.current.value_or("unreadable"),
                        need.satisfied.value_or(false) ? "" : ": " + need.fix);
  }
  return text;
}

const char* stop_sentence(TuneStop reason, Settled settled) {
  switch (reason) {
    case TuneStop::settled:
      return settled == Settled::winner
                 ? "settled: the best is significantly better than every other setting"
                 : "settled: no setting near the best can become significantly worse in the "
                   "rounds left";
    case TuneStop::max_rounds:
      return "reached the most rounds the plan allows";
    case TuneStop::budget:
      return "the next round would not fit the budget";
    case TuneStop::interrupted:
      return "interrupted";
  }
  return "?";
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
      {"settings", settings},
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
        {"text", verdict_sentence(summary)}}},
      {"notes", summary.notes}};
}

std::string tune_to_text(const TuneSummary& summary) {
  const Objective& objective = *summary.objective;
  const Look& look = summary.final_look;
  std::string text = fmt::format(
      "tune: {} ({}, {} is better), {} settings, {} rounds in {:.0f} s of {:.0f} s budget; {}\n",
      objective.name, objective.unit, objective.better == Better::lower ? "lower" : "higher",
      summary.settings.size(), look.round, summary.elapsed_s, summary.budget_s,
      stop_sentence(summary.stopped_by, look.settled));
  size_t name_width = 7;
  for (const TuneSetting& setting : summary.settings) {
    name_width = std::max(name_width, setting.name.size());
  }
  text += fmt::format("{:<{}} {:>14} {:>27} {:>6} {:>10}  {}\n", "setting", name_width,
                      fmt::format("{} median", objective.name), "CI of the median (level)",
                      "rounds", "p vs best", "");
  for (size_t index = 0; index < summary.settings.size(); ++index) {
    const Standing& standing = look.standings.at(index);
    if (standing.samples == 0) {
      text += fmt::format("{:<{}} {:>14} {:>27} {:>6} {:>10}\n", summary.settings[index].name,
                          name_width, "-", "-", 0, "-");
      continue;
    }
    const std::string interval = fmt::format("{:.1f} - {:.1f} ({:.0f}%)", standing.interval.low,
                                             standing.interval.high, standing.interval.level * 100);
    const std::string p = standing.p_vs_best ? fmt::format("{:.2g}", *standing.p_vs_best) : "-";
    const char* mark = standing.is_best ? "best" : standing.near_best ? "≈ best" : "";
    text += fmt::format("{:<{}} {:>14.1f} {:>27} {:>6} {:>10}  {}\n", summary.settings[index].name,
                        name_width, standing.median, interval, standing.samples, p, mark);
  }
  text += fmt::format(
      "≈ best: not significantly different from the best, p >= {:.2g} (alpha {} over {} planned "
      "look{} and {} comparison{})\n",
      summary.plan.test_alpha(), summary.plan.alpha, summary.plan.planned_looks(),
      summary.plan.planned_looks() == 1 ? "" : "s", summary.plan.comparisons,
      summary.plan.comparisons == 1 ? "" : "s");
  for (const std::string& note : summary.notes) text += "note: " + note + "\n";
  text += verdict_sentence(summary) + "\n";
  return text;
}

}  // namespace th
