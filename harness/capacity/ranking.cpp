#include "capacity/ranking.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace th {
namespace {

bool answered(const CapacityStudy& study) {
  const CapacityVerdict verdict = study.result.verdict;
  return (verdict == CapacityVerdict::found || verdict == CapacityVerdict::above_max) &&
         study.result.rate_per_s.has_value();
}

std::string params_text(const CapacityStudy& study) {
  std::string text;
  for (const auto& [key, value] : study.params) {
    text += (text.empty() ? "" : ", ") + key + "=" + value.dump();
  }
  return text.empty() ? study.setting : text;
}

}  // namespace

CapacityRanking rank_by_capacity(const std::vector<CapacityStudy>& studies) {
  CapacityRanking ranking;
  for (size_t index = 0; index < studies.size(); ++index) {
    ranking.standings.push_back({index, answered(studies[index]), false, false});
  }
  std::stable_sort(ranking.standings.begin(), ranking.standings.end(),
                   [&](const CapacityStanding& a, const CapacityStanding& b) {
                     if (a.ranked != b.ranked) return a.ranked;
                     const double rate_a = studies[a.study].result.rate_per_s.value_or(0);
                     const double rate_b = studies[b.study].result.rate_per_s.value_or(0);
                     return rate_a > rate_b;
                   });
  if (ranking.standings.empty() || !ranking.standings.front().ranked) {
    ranking.text = "no setting has a capacity to rank: every search ended with only a bound";
    return ranking;
  }
  CapacityStanding& best = ranking.standings.front();
  best.best = true;
  ranking.best = best.study;
  const double best_rate = *studies[best.study].result.rate_per_s;
  std::vector<std::string> close;
  for (CapacityStanding& standing : ranking.standings) {
    if (standing.best || !standing.ranked) continue;
    const std::optional<double>& missed_at = studies[standing.study].result.missed_at_per_s;
    standing.near_best = !missed_at || *missed_at > best_rate;
    if (standing.near_best) close.push_back(studies[standing.study].setting);
  }
  const CapacityStudy& winner = studies[best.study];
  ranking.text = fmt::format("recommend: {} (capacity {:.0f}/s)", params_text(winner), best_rate);
  if (close.empty()) {
    ranking.text += "; every other setting was missed below it";
  } else {
    std::string names;
    for (const std::string& name : close) names += (names.empty() ? "" : ", ") + name;
    ranking.text += fmt::format(
        "; not told apart from {} (its bracket reaches {:.0f}/s): run again with a longer "
        "duration_s or more --budget-s to separate them",
        names, best_rate);
  }
  return ranking;
}

void add_ranking_to_json(const CapacityRanking& ranking, const std::vector<CapacityStudy>& studies,
                         nlohmann::json& capacity) {
  nlohmann::json standings = nlohmann::json::array();
  for (const CapacityStanding& standing : ranking.standings) {
    const CapacityStudy& study = studies[standing.study];
    standings.push_back(
        {{"name", study.setting},
         {"verdict", to_string(study.result.verdict)},
         {"rate_per_s", study.result.rate_per_s ? nlohmann::json(*study.result.rate_per_s)
                                                : nlohmann::json(nullptr)},
         {"ranked", standing.ranked},
         {"best", standing.best},
         {"near_best", standing.near_best}});
  }
  capacity["ranking"] = standings;
  nlohmann::json params = nlohmann::json::object();
  if (ranking.best) {
    for (const auto& [key, value] : studies[*ranking.best].params) params[key] = value;
  }
  capacity["recommendation"] = {
      {"best",
       ranking.best ? nlohmann::json(studies[*ranking.best].setting) : nlohmann::json(nullptr)},
      {"params", params},
      {"text", ranking.text}};
}

std::string ranking_to_text(const CapacityRanking& ranking,
                            const std::vector<CapacityStudy>& studies) {
  std::string out = fmt::format("\n{:<56} {:>12} {:>12}  {}\n", "setting", "capacity/s",
                                "missed at/s", "verdict");
  for (const CapacityStanding& standing : ranking.standings) {
    const CapacityStudy& study = studies[standing.study];
    const auto rate = [](const std::optional<double>& value) {
      return value ? fmt::format("{:.0f}", *value) : std::string("-");
    };
    out += fmt::format("{:<56} {:>12} {:>12}  {}{}\n", study.setting, rate(study.result.rate_per_s),
                       rate(study.result.missed_at_per_s), to_string(study.result.verdict),
                       standing.best        ? "  best"
                       : standing.near_best ? "  ≈ best"
                                            : "");
  }
  return out + ranking.text + "\n";
}

}  // namespace th
