#include <gtest/gtest.h>

#include "tune/recommendation.hpp"

namespace th {
namespace {

SysctlReader no_sysctls() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

TuneSetting nagle_arm(bool client_nodelay, bool server_nodelay, bool quickack) {
  TuneSetting setting;
  setting.params = {{"client.tcp_nodelay", client_nodelay},
                    {"server.tcp_nodelay", server_nodelay},
                    {"server.tcp_quickack", quickack}};
  setting.name = format_params(setting.params);
  return setting;
}

Standing standing(bool is_best, bool near_best, std::optional<double> p) {
  Standing result;
  result.samples = 6;
  result.is_best = is_best;
  result.near_best = near_best;
  result.p_vs_best = p;
  return result;
}

TEST(Recommendation, WinnerRecommendsEveryValueOfTheBest) {
  const std::vector<TuneSetting> settings = {nagle_arm(true, true, false),
                                             nagle_arm(false, true, false)};
  Look look;
  look.best = 0;
  look.standings = {standing(true, true, std::nullopt), standing(false, false, 0.002)};
  const Recommendation recommendation = recommend(look, settings, no_sysctls());
  EXPECT_EQ(recommendation.verdict, Verdict::winner);
  EXPECT_EQ(format_params(recommendation.settled),
            "client.tcp_nodelay=true, server.tcp_nodelay=true, server.tcp_quickack=false");
  EXPECT_TRUE(recommendation.open.empty());
  EXPECT_DOUBLE_EQ(*recommendation.p_value, 0.002);
}

// Both Nagle-off arms are equally fast whatever tcp_quickack is: the recommendation keeps the
// values they share and names the key the data cannot decide.
TEST(Recommendation, GroupRecommendsTheValuesTheNearBestSettingsShare) {
  const std::vector<TuneSetting> settings = {
      nagle_arm(true, true, false), nagle_arm(true, true, true), nagle_arm(false, true, false),
      nagle_arm(false, false, true)};
  Look look;
  look.best = 1;
  look.standings = {standing(false, true, 0.6), standing(true, true, std::nullopt),
                    standing(false, false, 0.002), standing(false, false, 0.0004)};
  const Recommendation recommendation = recommend(look, settings, no_sysctls());
  EXPECT_EQ(recommendation.verdict, Verdict::group);
  EXPECT_EQ(format_params(recommendation.params),
            "client.tcp_nodelay=true, server.tcp_nodelay=true, server.tcp_quickack=true");
  EXPECT_EQ(format_params(recommendation.settled),
            "client.tcp_nodelay=true, server.tcp_nodelay=true");
  ASSERT_EQ(recommendation.open.size(), 1u);
  EXPECT_EQ(recommendation.open[0].first, "server.tcp_quickack");
  EXPECT_EQ(recommendation.open[0].second.size(), 2u);
  EXPECT_DOUBLE_EQ(*recommendation.p_value, 0.002);  // the weakest exclusion
}

TEST(Recommendation, NothingSignificantRecommendsNothing) {
  const std::vector<TuneSetting> settings = {nagle_arm(true, true, false),
                                             nagle_arm(true, true, true)};
  Look look;
  look.best = 0;
  look.standings = {standing(true, true, std::nullopt), standing(false, true, 0.4)};
  const Recommendation recommendation = recommend(look, settings, no_sysctls());
  EXPECT_EQ(recommendation.verdict, Verdict::none);
  EXPECT_TRUE(recommendation.params.empty());
  EXPECT_TRUE(recommendation.settled.empty());
  EXPECT_FALSE(recommendation.p_value);
}

TEST(Recommendation, NamesTheSysctlTheBestSettingNeeds) {
  TuneSetting small;
  small.params = {{"client.so_sndbuf", 4096}};
  TuneSetting large;
  large.params = {{"client.so_sndbuf", 4194304}};
  Look look;
  look.best = 1;
  look.standings = {standing(false, false, 0.001), standing(true, true, std::nullopt)};
  const Recommendation recommendation =
      recommend(look, {small, large},
                [](const std::string&) -> std::optional<std::string> { return "212992"; });
  ASSERT_EQ(recommendation.sysctls.size(), 1u);
  EXPECT_EQ(recommendation.sysctls[0].sysctl, "net.core.wmem_max");
  EXPECT_EQ(recommendation.sysctls[0].satisfied, false);
}

// A look not made by evaluate_look (a report read back, say) that names a setting without values
// as its best: nothing is recommended rather than values nobody measured.
TEST(Recommendation, BestWithoutAValueIsNeverRecommended) {
  const std::vector<TuneSetting> settings = {nagle_arm(true, true, false),
                                             nagle_arm(false, true, false)};
  Look look;
  look.best = 0;
  look.standings = {standing(true, true, std::nullopt), standing(false, false, 0.002)};
  look.standings[0].samples = 0;
  const Recommendation recommendation = recommend(look, settings, no_sysctls());
  EXPECT_EQ(recommendation.verdict, Verdict::none);
  EXPECT_FALSE(recommendation.best);
  EXPECT_TRUE(recommendation.params.empty());
}

}  // namespace
}  // namespace th
