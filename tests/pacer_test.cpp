#include "load/pacer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace th {
namespace {

std::vector<double> gaps_ns(Arrival arrival, double rate, size_t count) {
  Pacer pacer(rate, arrival, 1'000'000'000, 12345);
  std::vector<double> gaps;
  uint64_t previous = pacer.next_ns();
  for (size_t index = 0; index < count; ++index) {
    pacer.advance();
    gaps.push_back(static_cast<double>(pacer.next_ns() - previous));
    previous = pacer.next_ns();
  }
  return gaps;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double coefficient_of_variation(const std::vector<double>& values) {
  const double average = mean(values);
  double squares = 0;
  for (double value : values) squares += (value - average) * (value - average);
  return std::sqrt(squares / static_cast<double>(values.size())) / average;
}

TEST(Pacer, PoissonGapsHaveTheRateAsMeanAndUnitCoefficientOfVariation) {
  const std::vector<double> gaps = gaps_ns(Arrival::poisson, 20'000, 200'000);
  EXPECT_NEAR(mean(gaps), 50'000.0, 50'000.0 * 0.02);
  EXPECT_NEAR(coefficient_of_variation(gaps), 1.0, 0.05);
}

TEST(Pacer, UniformGapsAreEvenAndDoNotDrift) {
  Pacer pacer(3'000, Arrival::uniform, 0, 1);  // 333,333.33 ns: not a whole number of ns
  const uint64_t first = pacer.next_ns();
  for (int index = 0; index < 300'000; ++index) pacer.advance();
  // 300,000 gaps of 1/3000 s are exactly 100 s; rounding each gap would drift by up to 0.1 ms.
  EXPECT_NEAR(static_cast<double>(pacer.next_ns() - first), 100e9, 2.0);
  const std::vector<double> gaps = gaps_ns(Arrival::uniform, 3'000, 1'000);
  EXPECT_LT(coefficient_of_variation(gaps), 1e-5);
}

TEST(Pacer, FirstRequestStartsOneGapAfterTheStart) {
  const Pacer pacer(1'000, Arrival::uniform, 5'000'000, 1);
  EXPECT_EQ(pacer.next_ns(), 6'000'000u);
}

}  // namespace
}  // namespace th
