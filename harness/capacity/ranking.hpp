#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capacity/capacity_report.hpp"

namespace th {

// `tune --objective capacity`: a sweep's settings ranked by the rate each sustains under the SLO.
struct CapacityStanding {
  size_t study = 0;     // index into the studies
  bool ranked = false;  // a capacity was found (or met at --max-rate); a bound is not ranked
  bool best = false;
  // The best's capacity lies inside this setting's bracket: the searches cannot tell them apart.
  bool near_best = false;
};

struct CapacityRanking {
  std::vector<CapacityStanding> standings;  // best first, then by rate; bounds last
  std::optional<size_t> best;               // index into the studies
  std::string text;                         // the recommendation in one sentence
};

CapacityRanking rank_by_capacity(const std::vector<CapacityStudy>& studies);

// The report's capacity.ranking and capacity.recommendation.
void add_ranking_to_json(const CapacityRanking& ranking, const std::vector<CapacityStudy>& studies,
                         nlohmann::json& capacity);

std::string ranking_to_text(const CapacityRanking& ranking,
                            const std::vector<CapacityStudy>& studies);

}  // namespace th
