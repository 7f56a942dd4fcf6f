#pragma once

#include <optional>
#include <span>

namespace th {

// Summaries of a handful of repetitions, as Google Benchmark's aggregates define them: the
// sample standard deviation (n - 1), and cv = stddev / mean.
double mean_of(std::span<const double> values);
double median_of(std::span<const double> values);  // mean of the two middle values for even n
double stddev_of(std::span<const double> values);  // 0 for fewer than two values
double cv_of(std::span<const double> values);      // 0 when the mean is 0

struct MannWhitneyResult {
  double u = 0;        // U of the first sample: pairs (a, b) with a > b, ties counting one half
  double p_value = 1;  // two-sided
  bool exact = false;  // from the exact distribution rather than the normal approximation
};

// The Mann-Whitney U (Wilcoxon rank-sum) test: do two sets of repetitions come from the same
// distribution? It assumes nothing about the shape, which suits latency percentiles. Small samples
// without ties get the exact p-value; otherwise the normal approximation with tie correction and
// continuity correction. Needs at least one value on each side.
MannWhitneyResult mann_whitney_u(std::span<const double> first, std::span<const double> second);

// The smallest two-sided p-value any data could give with these sample sizes: 2 / C(n1 + n2, n1).
// With 3 against 3 it is 0.1, so such a test can never reach p < 0.05.
double smallest_two_sided_p(int first_size, int second_size);

}  // namespace th
