#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "stats/histogram.hpp"

namespace {

std::vector<int64_t> latencies(size_t count) {
  std::mt19937_64 random(1);
  std::lognormal_distribution<double> distribution(11.5, 1.2);  // ~100 us, long tail
  std::vector<int64_t> values(count);
  for (auto& value : values) value = static_cast<int64_t>(distribution(random));
  return values;
}

// The per-request cost of measuring: one record() per phase per request.
void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<int64_t> values = latencies(4096);
  th::Histogram histogram;
  size_t next = 0;
  for (auto _ : state) {
    histogram.record(values[next++ & 4095]);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramPercentile(benchmark::State& state) {
  th::Histogram histogram;
  for (int64_t value : latencies(100'000)) histogram.record(value);
  for (auto _ : state) benchmark::DoNotOptimize(histogram.percentile(99.9));
}
BENCHMARK(BM_HistogramPercentile);

}  // namespace
