#include "report/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace th {
namespace {

// Exact tables grow as n1 * n2 * (n1 * n2); beyond this the normal approximation is good anyway.
constexpr size_t kExactLimit = 30;

// Number of orderings of n1 + n2 distinct values in which the first sample's U equals u, for
// every u, by the recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u) (Mann and Whitney
// 1947). Counts reach C(60, 30) ~ 1e17, exact enough in doubles for a p-value.
std::vector<double> exact_u_counts(size_t n1, size_t n2) {
  // table[m][n] holds the distribution for sizes (m, n); built up row by row.
  std::vector<std::vector<std::vector<double>>> table(n1 + 1,
                                                      std::vector<std::vector<double>>(n2 + 1));
  for (size_t m = 0; m <= n1; ++m) {
    for (size_t n = 0; n <= n2; ++n) {
      std::vector<double>& counts = table[m][n];
      counts.assign(m * n + 1, 0.0);
      if (m == 0 || n == 0) {
        counts[0] = 1.0;
        continue;
      }
      const std::vector<double>& without_first_largest = table[m - 1][n];  // largest is in sample 1
      const std::vector<double>& without_second_largest = table[m][n - 1];
      for (size_t u = 0; u < without_first_largest.size(); ++u) {
        counts[u + n] += without_first_largest[u];
      }
      for (size_t u = 0; u < without_second_largest.size(); ++u) {
        counts[u] += without_second_largest[u];
      }
    }
  }
  return table[n1][n2];
}

bool has_ties(std::span<const double> first, std::span<const double> second) {
  std::vector<double> all(first.begin(), first.end());
  all.insert(all.end(), second.begin(), second.end());
  std::sort(all.begin(), all.end());
  return std::adjacent_find(all.begin(), all.end()) != all.end();
}

}  // namespace

double mean_of(std::span<const double> values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double median_of(std::span<const double> values) {
  if (values.empty()) return 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t middle = sorted.size() / 2;
  return sorted.size() % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
}

double stddev_of(std::span<const double> values) {
  if (values.size() < 2) return 0.0;
  const double average = mean_of(values);
  double squares = 0;
  for (double value : values) squares += (value - average) * (value - average);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double cv_of(std::span<const double> values) {
  const double average = mean_of(values);
  return average == 0.0 ? 0.0 : stddev_of(values) / average;
}

double smallest_two_sided_p(int first_size, int second_size) {
  if (first_size < 1 || second_size < 1) return 1.0;
  // C(n1 + n2, n1) computed as a running product, exact while it fits a double's mantissa.
  double orderings = 1.0;
  for (int k = 1; k <= first_size; ++k) {
    orderings = orderings * (second_size + k) / k;
  }
  return std::min(1.0, 2.0 / orderings);
}

MannWhitneyResult mann_whitney_u(std::span<const double> first, std::span<const double> second) {
  MannWhitneyResult result;
  const size_t n1 = first.size();
  const size_t n2 = second.size();
  if (n1 == 0 || n2 == 0) return result;
  for (double a : first) {
    for (double b : second) result.u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  const double pairs = static_cast<double>(n1 * n2);

  if (n1 <= kExactLimit && n2 <= kExactLimit && !has_ties(first, second)) {
    const std::vector<double> counts = exact_u_counts(n1, n2);
    double total = 0;
    for (double count : counts) total += count;
    const auto u = static_cast<size_t>(result.u);  // whole without ties
    double at_most = 0;
    double at_least = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
      if (k <= u) at_most += counts[k];
      if (k >= u) at_least += counts[k];
    }
    result.p_value = std::min(1.0, 2.0 * std::min(at_most, at_least) / total);
    result.exact = true;
    return result;
  }

  // Normal approximation; ties shrink the variance by sum(t^3 - t) / (N (N - 1)).
  std::map<double, double> tie_sizes;
  for (double value : first) ++tie_sizes[value];
  for (double value : second) ++tie_sizes[value];
  double tie_term = 0;
  for (const auto& [value, size] : tie_sizes) tie_term += size * size * size - size;
  const double n = static_cast<double>(n1 + n2);
  const double variance = pairs / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
  if (variance <= 0) return result;  // every value equal: no evidence of a difference
  const double distance = std::max(0.0, std::abs(result.u - pairs / 2.0) - 0.5);
  result.p_value = std::min(1.0, std::erfc(distance / std::sqrt(variance) / std::sqrt(2.0)));
  return result;
}

}  // namespace th
