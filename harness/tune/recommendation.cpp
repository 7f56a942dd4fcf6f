#include "tune/recommendation.hpp"

#include <algorithm>

namespace th {
namespace {

std::string format_value(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const nlohmann::json* value_of(const TuneSetting& setting, const std::string& key) {
  for (const auto& [name, value] : setting.params) {
    if (name == key) return &value;
  }
  return nullptr;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::winner:
      return "winner";
    case Verdict::group:
      return "group";
    case Verdict::none:
      return "none";
  }
  return "?";
}

std::string format_params(const std::vector<std::pair<std::string, nlohmann::json>>& params) {
  std::string text;
  for (const auto& [key, value] : params) {
    text += (text.empty() ? "" : ", ") + key + "=" + format_value(value);
  }
  return text;
}

Recommendation recommend(const Look& look, const std::vector<TuneSetting>& settings,
                         const SysctlReader& read) {
  Recommendation recommendation;
  // A setting without a value is never the best of a look evaluate_look makes; a look from
  // elsewhere (a report read back) must not make one the recommendation either.
  if (!look.best || look.standings.at(*look.best).samples == 0) return recommendation;
  recommendation.best = look.best;
  const TuneSetting& best = settings.at(*look.best);

  std::vector<size_t> near;
  size_t worse = 0;
  for (size_t index = 0; index < look.standings.size(); ++index) {
    const Standing& standing = look.standings[index];
    if (standing.near_best) {
      near.push_back(index);
    } else if (standing.p_vs_best) {
      ++worse;
      recommendation.p_value = std::max(recommendation.p_value.value_or(0.0), *standing.p_vs_best);
    }
  }
  if (worse == 0) return recommendation;  // Verdict::none
  recommendation.verdict = near.size() == 1 ? Verdict::winner : Verdict::group;
  recommendation.params = best.params;

  for (const auto& [key, value] : best.params) {
    std::vector<nlohmann::json> seen;
    for (size_t index : near) {
      const nlohmann::json* other = value_of(settings.at(index), key);
      const nlohmann::json shown = other ? *other : nlohmann::json(nullptr);
      if (std::find(seen.begin(), seen.end(), shown) == seen.end()) seen.push_back(shown);
    }
    if (seen.size() == 1) {
      recommendation.settled.emplace_back(key, value);
    } else {
      recommendation.open.emplace_back(key, std::move(seen));
    }
  }
  recommendation.sysctls = sysctl_needs(best.params, read, best.server_behind_link);
  return recommendation;
}

}  // namespace th
