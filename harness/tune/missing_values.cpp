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

}  // namespace th
