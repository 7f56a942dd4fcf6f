// tune_to_text (tune_report.hpp): the console's table, the missing repetitions and the verdict.
#include <fmt/format.h>

#include <algorithm>

#include "tune/missing_values.hpp"
#include "tune/tune_report.hpp"
#include "tune/tune_sentences.hpp"

namespace th {
namespace {

// One line per setting with missing repetitions: "no value" for those never ranked, "missing"
// for those ranked on fewer values than rounds.
std::string missing_lines(const TuneSummary& summary,
                          const std::vector<SettingWithoutValue>& without_value) {
  std::string text;
  for (size_t index = 0; index < summary.settings.size(); ++index) {
    const std::string& name = summary.settings[index].name;
    auto without =
        std::find_if(without_value.begin(), without_value.end(),
                     [&](const SettingWithoutValue& setting) { return setting.setting == index; });
    if (without != without_value.end()) {
      text +=
          fmt::format("no value: {}: {}; not ranked, never recommended\n", name, without->reason);
      continue;
    }
    const std::string described = describe_missing(summary.missing, index);
    if (!described.empty()) text += fmt::format("missing: {}: {}\n", name, described);
  }
  return text;
}

}  // namespace

std::string tune_to_text(const TuneSummary& summary) {
  const Objective& objective = *summary.objective;
  const Look& look = summary.final_look;
  const size_t failed = failed_runs(summary);
  std::string text = fmt::format(
      "tune: {} ({}, {} is better), {} settings, {} rounds{} in {:.0f} s of {:.0f} s budget; {}\n",
      objective.name, objective.unit, objective.better == Better::lower ? "lower" : "higher",
      summary.settings.size(), look.round,
      failed == 0 ? "" : fmt::format(" ({} run{} failed)", failed, failed == 1 ? "" : "s"),
      summary.elapsed_s, summary.budget_s, stop_sentence(summary));
  size_t name_width = 7;
  for (const TuneSetting& setting : summary.settings) {
    name_width = std::max(name_width, setting.name.size());
  }
  text += fmt::format("{:<{}} {:>14} {:>27} {:>6} {:>10}  {}\n", "setting", name_width,
                      fmt::format("{} median", objective.name), "CI of the median (level)",
                      "values", "p vs best", "");
  for (size_t index = 0; index < summary.settings.size(); ++index) {
    const Standing& standing = look.standings.at(index);
    if (standing.samples == 0) {
      // Before the first finished round no setting has a value yet; that is no finding.
      text += fmt::format("{:<{}} {:>14} {:>27} {:>6} {:>10}  {}\n", summary.settings[index].name,
                          name_width, "-", "-", 0, "-", look.round > 0 ? "no value" : "");
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
  const std::vector<SettingWithoutValue> without_value =
      settings_without_value(look, summary.missing);
  text += missing_lines(summary, without_value);
  text += verdict_sentence(summary, without_value) + "\n";
  return text;
}

}  // namespace th
