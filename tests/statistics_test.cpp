#include "report/statistics.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace th {
namespace {

// Expected values from scipy.stats.mannwhitneyu(..., alternative="two-sided").
TEST(MannWhitney, ExactPValueOfCompleteSeparationMatchesScipy) {
  const std::vector<double> base = {1, 2, 3, 4, 5};
  const std::vector<double> latest = {6, 7, 8, 9, 10};
  const MannWhitneyResult result = mann_whitney_u(base, latest);
  EXPECT_TRUE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 0.0);
  EXPECT_NEAR(result.p_value, 0.007936507936507936, 1e-12);
}

TEST(MannWhitney, ExactPValueOfOverlappingSamplesMatchesScipy) {
  const std::vector<double> base = {1.1, 2.5, 3.2, 4.8, 5.3};
  const std::vector<double> latest = {2.0, 3.9, 6.1, 7.7, 8.4};
  EXPECT_NEAR(mann_whitney_u(base, latest).p_value, 0.2222222222222222, 1e-12);
  const std::vector<double> seven = {10, 11, 12, 13, 14, 15, 16};
  const std::vector<double> four = {12.5, 17, 18, 19};
  EXPECT_NEAR(mann_whitney_u(seven, four).p_value, 0.07272727272727272, 1e-12);
}

TEST(MannWhitney, TiesUseTheNormalApproximationWithTieCorrectionAsScipy) {
  const std::vector<double> base = {1, 2, 2, 3, 4};
  const std::vector<double> latest = {2, 3, 5, 5, 6};
  const MannWhitneyResult result = mann_whitney_u(base, latest);
  EXPECT_FALSE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 4.5);
  EXPECT_NEAR(result.p_value, 0.11049202405566802, 1e-9);
}

TEST(MannWhitney, IdenticalSamplesGiveNoEvidence) {
  const std::vector<double> same = {5, 5, 5};
  EXPECT_DOUBLE_EQ(mann_whitney_u(same, same).p_value, 1.0);
}

TEST(MannWhitney, ThreeAgainstThreeCannotReachFivePercent) {
  EXPECT_NEAR(smallest_two_sided_p(3, 3), 0.1, 1e-12);
  const std::vector<double> low = {1, 2, 3};
  const std::vector<double> high = {4, 5, 6};
  EXPECT_NEAR(mann_whitney_u(low, high).p_value, 0.1, 1e-12);
  EXPECT_LT(smallest_two_sided_p(4, 4), 0.05);
  EXPECT_NEAR(smallest_two_sided_p(5, 5), 2.0 / 252.0, 1e-12);
}

// The same numbers Google Benchmark 1.7 printed for three repetitions (sample stddev, n - 1).
TEST(Aggregates, MatchGoogleBenchmarkDefinitions) {
  const std::vector<double> values = {0.97218216227234477, 1.0084530468531219, 1.0941821805733656};
  EXPECT_NEAR(mean_of(values), 1.0249391298996107, 1e-12);
  EXPECT_NEAR(median_of(values), 1.0084530468531219, 1e-12);
  EXPECT_NEAR(stddev_of(values), 6.2648577932979441e-02, 1e-12);
  EXPECT_NEAR(cv_of(values), 6.1124193725646564e-02, 1e-12);
  const std::vector<double> even = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median_of(even), 2.5);
  const std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(stddev_of(one), 0.0);
}

}  // namespace
}  // namespace th
