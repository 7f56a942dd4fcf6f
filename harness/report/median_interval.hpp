#pragma once

#include <span>

namespace th {

// A confidence interval for the median of the distribution some repetitions were drawn from.
struct MedianInterval {
  double low = 0;
  double high = 0;
  // The coverage this interval actually has. With few values the target cannot be reached: the
  // widest interval, [min, max] of n values, covers the median with 1 - 2 / 2^n (0.75 for n = 3,
  // 0.9375 for n = 5); the target 0.95 needs n >= 6.
  double level = 0;
};

// The distribution-free interval from order statistics: [x(k), x(n - k + 1)] of the sorted values
// with the largest k whose coverage, 1 - 2 P(Binomial(n, 1/2) <= k - 1), is still >= target_level
// (or k = 1 when no k reaches it). Chosen over a t-interval because a p99 over repetitions is
// skewed and has outliers on a busy machine (the t-interval's normality does not hold with 3-10
// values), and over a bootstrap because with so few values the bootstrap's coverage is poor and
// its answer random; this one is exact for any continuous distribution and uses ranks, as the
// Mann-Whitney test that marks settings does. Empty input gives {0, 0, 0}.
MedianInterval median_interval(std::span<const double> values, double target_level = 0.95);

}  // namespace th
