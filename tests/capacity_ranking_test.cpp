// `tune --objective capacity`: settings ranked by the capacity each search found.
#include <gtest/gtest.h>

#include "capacity/ranking.hpp"

namespace th {
namespace {

CapacityStudy study(const std::string& name, CapacityVerdict verdict, std::optional<double> rate,
                    std::optional<double> missed_at) {
  CapacityStudy made;
  made.setting = name;
  made.params = {{"server.delay_us", nlohmann::json(name == "fast" ? 1000 : 2000)}};
  made.result.verdict = verdict;
  made.result.rate_per_s = rate;
  made.result.missed_at_per_s = missed_at;
  return made;
}

TEST(CapacityRanking, TheHighestCapacityIsBestAndABracketReachingItIsNotToldApart) {
  const std::vector<CapacityStudy> studies = {
      study("slow", CapacityVerdict::found, 480, 490),
      study("fast", CapacityVerdict::found, 960, 970),
      study("close", CapacityVerdict::found, 950, 965),
      study("bound", CapacityVerdict::generator_bound, 2000, std::nullopt)};
  const CapacityRanking ranking = rank_by_capacity(studies);
  ASSERT_EQ(ranking.best, 1u);
  ASSERT_EQ(ranking.standings.size(), 4u);
  EXPECT_EQ(ranking.standings[0].study, 1u);
  EXPECT_TRUE(ranking.standings[1].near_best);   // close: missed only at 965, above 960
  EXPECT_FALSE(ranking.standings[2].near_best);  // slow: missed at 490
  EXPECT_FALSE(ranking.standings[3].ranked);     // a bound, however high, is not a capacity
  EXPECT_EQ(ranking.text,
            "recommend: server.delay_us=1000 (capacity 960/s); not told apart from close (its "
            "bracket reaches 960/s): run again with a longer duration_s or more --budget-s to "
            "separate them");
  nlohmann::json capacity = nlohmann::json::object();
  add_ranking_to_json(ranking, studies, capacity);
  EXPECT_EQ(capacity["recommendation"]["params"]["server.delay_us"], 1000);
  EXPECT_EQ(capacity["ranking"][3]["name"], "bound");
  EXPECT_FALSE(capacity["ranking"][3]["ranked"]);
}

TEST(CapacityRanking, OnlyBoundsMakeNoRecommendation) {
  const CapacityRanking ranking =
      rank_by_capacity({study("a", CapacityVerdict::budget_spent, 100, 400),
                        study("b", CapacityVerdict::slo_unmet, std::nullopt, 10)});
  EXPECT_FALSE(ranking.best);
  EXPECT_NE(ranking.text.find("no setting has a capacity to rank"), std::string::npos);
}

}  // namespace
}  // namespace th
