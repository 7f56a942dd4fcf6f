#include "report/median_interval.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace th {
namespace {

// P(Binomial(n, 1/2) <= k), summed from the exact terms C(n, i) / 2^n (n is a repetition count,
// at most a few hundred, so lgamma's rounding is far below what a level is shown with).
double binomial_half_cdf(size_t n, size_t k) {
  double total = 0;
  for (size_t i = 0; i <= k && i <= n; ++i) {
    const double log_term =
        std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
        std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0);
    total += std::exp(log_term);
  }
  return std::min(total, 1.0);
}

}  // namespace

MedianInterval median_interval(std::span<const double> values, double target_level) {
  MedianInterval interval;
  const size_t n = values.size();
  if (n == 0) return interval;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  // k counts from 1: the interval is [sorted[k - 1], sorted[n - k]]; k must stay <= (n + 1) / 2.
  size_t chosen_k = 1;
  double chosen_level = n == 1 ? 0.0 : 1.0 - 2.0 * binomial_half_cdf(n, 0);
  for (size_t k = 2; 2 * k <= n + 1; ++k) {
    const double level = 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    if (level < target_level) break;
    chosen_k = k;
    chosen_level = level;
  }
  interval.low = sorted[chosen_k - 1];
  interval.high = sorted[n - chosen_k];
  interval.level = std::max(chosen_level, 0.0);
  return interval;
}

}  // namespace th
