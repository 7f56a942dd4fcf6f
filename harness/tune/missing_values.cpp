#include "tune/missing_values.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

namespace th {
namespace {

struct ReasonGroup {
  std::string reason;  // with "run failed: " in front for a run that threw
  std::vector<unsigned> rounds;
};

std::string rounds_text(const std::vector<unsigned>& rounds) {
  return fmt::format("round{} {}", rounds.size() == 1 ? "" : "s", fmt::join(rounds, ", "));
}

}  // namespace

std::string describe_missing(std::span<const MissingRepetition> missing, size_t setting) {
  std::vector<ReasonGroup> groups;
  for (const MissingRepetition& repetition : missing) {
    if (repetition.setting != setting) continue;
    const std::string reason =
        repetition.run_failed ? "run failed: " + repetition.reason : repetition.reason;
    auto found = std::find_if(groups.begin(), groups.end(),
                              [&](const ReasonGroup& group) { return group.reason == reason; });
    if (found == groups.end()) {
      groups.push_back({reason, {}});
      found = std::prev(groups.end());
    }
    found->rounds.push_back(repetition.round);
  }
  std::string text;
  for (const ReasonGroup& group : groups) {
    text +=
        fmt::format("{}{}: {}", text.empty() ? "" : "; ", rounds_text(group.rounds), group.reason);
  }
  return text;
}

std::vector<SettingWithoutValue> settings_without_value(
    const Look& look, std::span<const MissingRepetition> missing) {
  std::vector<SettingWithoutValue> without;
  if (look.round == 0) return without;
  for (size_t setting = 0; setting < look.standings.size(); ++setting) {
    if (look.standings[setting].samples > 0) continue;
    std::string reason = describe_missing(missing, setting);
    // Every ranked round without a value leaves a MissingRepetition; this is for a look built
    // from samples alone.
    if (reason.empty()) reason = fmt::format("no value in {} rounds", look.round);
    without.push_back({setting, std::move(reason)});
  }
  return without;
}

}  // namespace th
