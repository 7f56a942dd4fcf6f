#include "tune/tune_sentences.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace th {
namespace {

std::string format_values(const std::vector<nlohmann::json>& values) {
  std::string listed;
  for (const nlohmann::json& value : values) {
    listed += (listed.empty() ? "" : " or ") +
              (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return listed;
}

// Which rule of run_rounds took the failure to be permanent.
std::string failure_stop_sentence(const TuneSummary& summary) {
  if (!summary.stopping_failure) return "stopped: a run failed";
  const MissingRepetition& failure = *summary.stopping_failure;
  const std::string& name = summary.settings.at(failure.setting).name;
  const bool also_before = std::any_of(
      summary.missing.begin(), summary.missing.end(), [&](const MissingRepetition& missing) {
        return missing.run_failed && missing.setting == failure.setting &&
               missing.round + 1 == failure.round;
      });
  if (also_before) {
    return fmt::format("stopped in round {}: the run of {} failed in two rounds in a row",
                       failure.round, name);
  }
  return fmt::format(
      "stopped in round {}: {} cannot be set up (a configuration error before any of its runs "
      "finished would repeat in every round)",
      failure.round, name);
}

}  // namespace

size_t failed_runs(const TuneSummary& summary) {
  return static_cast<size_t>(
      std::count_if(summary.missing.begin(), summary.missing.end(),
                    [](const MissingRepetition& missing) { return missing.run_failed; }));
}

std::string verdict_sentence(const TuneSummary& summary,
                             const std::vector<SettingWithoutValue>& without_value) {
  const Recommendation& recommendation = summary.recommendation;
  if (summary.final_look.round == 0) return "no round finished: nothing to rank";
  if (!recommendation.best) return "no setting produced a value of the objective";
  const std::string& best = summary.settings[*recommendation.best].name;
  const TunePlan& plan = summary.plan;
  // A setting without a value was never compared: every claim below is about the others.
  const char* with_value = without_value.empty() ? "" : " with a value";
  std::string not_compared;
  for (const SettingWithoutValue& setting : without_value) {
    not_compared += (not_compared.empty() ? "\n  not compared (no value): " : "; ") +
                    summary.settings[setting.setting].name;
  }
  if (recommendation.verdict == Verdict::none) {
    return fmt::format(
        "no setting{} is significantly better than {} {} ({} rounds, every p >= {:.2g}): nothing "
        "to recommend{}",
        with_value, best,
        summary.stopped_by == TuneStop::interrupted  ? "before the interrupt"
        : summary.stopped_by == TuneStop::run_failed ? "before the failure"
                                                     : "within budget",
        summary.final_look.round, plan.test_alpha(), not_compared);
  }
  const std::string worse =
      recommendation.verdict == Verdict::winner
          ? fmt::format("every other setting{} is", with_value)
          : fmt::format("every setting{} without the settled values is", with_value);
  std::string text = fmt::format("recommend: {} (p = {:.2g}: {} significantly worse, p < {:.2g})",
                                 format_params(recommendation.params), *recommendation.p_value,
                                 worse, plan.test_alpha());
  text += not_compared;
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

std::string stop_sentence(const TuneSummary& summary) {
  switch (summary.stopped_by) {
    case TuneStop::settled: {
      if (summary.final_look.settled != Settled::winner) {
        return "settled: no setting near the best can become significantly worse in the rounds "
               "left";
      }
      const auto& standings = summary.final_look.standings;
      const bool all_have_values = std::all_of(standings.begin(), standings.end(),
                                               [](const Standing& s) { return s.samples > 0; });
      return fmt::format("settled: the best is significantly better than every other setting{}",
                         all_have_values ? "" : " with a value");
    }
    case TuneStop::max_rounds:
      return "reached the most rounds the plan allows";
    case TuneStop::budget:
      return "the next round would not fit the budget";
    case TuneStop::interrupted:
      return "interrupted";
    case TuneStop::run_failed:
      return failure_stop_sentence(summary);
  }
  return "?";
}

}  // namespace th
