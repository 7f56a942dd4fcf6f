#include "report/median_interval.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace th {
namespace {

TEST(MedianInterval, FewValuesGiveTheirRangeWithItsTrueCoverage) {
  const std::vector<double> three = {5, 1, 3};
  const MedianInterval interval = median_interval(three);
  EXPECT_DOUBLE_EQ(interval.low, 1);
  EXPECT_DOUBLE_EQ(interval.high, 5);
  EXPECT_DOUBLE_EQ(interval.level, 0.75);  // 1 - 2 / 2^3: short of 0.95, and said so
}

// Reference: the classic table of order-statistic intervals for the median (e.g. Conover,
// Practical Nonparametric Statistics): n = 10 at 95% is [x(2), x(9)] with coverage 0.9785.
TEST(MedianInterval, TenValuesGiveSecondToNinthOrderStatistic) {
  const std::vector<double> ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  const MedianInterval interval = median_interval(ten);
  EXPECT_DOUBLE_EQ(interval.low, 2);
  EXPECT_DOUBLE_EQ(interval.high, 9);
  EXPECT_NEAR(interval.level, 0.978515625, 1e-9);
}

TEST(MedianInterval, LowerTargetGivesNarrowerInterval) {
  std::vector<double> values;
  for (int i = 1; i <= 20; ++i) values.push_back(i);
  const MedianInterval wide = median_interval(values, 0.99);
  const MedianInterval narrow = median_interval(values, 0.80);
  EXPECT_LT(wide.low, narrow.low);
  EXPECT_GT(wide.high, narrow.high);
  EXPECT_GE(wide.level, 0.99);
  EXPECT_GE(narrow.level, 0.80);
  EXPECT_LE(narrow.low, 10.5);
  EXPECT_GE(narrow.high, 10.5);
}

TEST(MedianInterval, AnOutlierDoesNotMoveTheInterval) {
  const std::vector<double> calm = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<double> spiked = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1e6};
  EXPECT_DOUBLE_EQ(median_interval(calm).high, median_interval(spiked).high);
}

TEST(MedianInterval, OneValueIsAPointWithNoCoverage) {
  const std::vector<double> one = {4};
  const MedianInterval interval = median_interval(one);
  EXPECT_DOUBLE_EQ(interval.low, 4);
  EXPECT_DOUBLE_EQ(interval.high, 4);
  EXPECT_DOUBLE_EQ(interval.level, 0);
}

}  // namespace
}  // namespace th
