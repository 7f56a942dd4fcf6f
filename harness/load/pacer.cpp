#include "load/pacer.hpp"

#include <cmath>

namespace th {

Pacer::Pacer(double rate_per_s, Arrival arrival, uint64_t start_ns, uint64_t seed, double phase)
    : mean_gap_ns_(1e9 / rate_per_s),
      arrival_(arrival),
      next_exact_ns_(static_cast<double>(start_ns) + phase * 1e9 / rate_per_s),
      next_ns_(start_ns),
      random_state_(seed | 1) {
  // The first request starts one gap in, not at the start, so every thread's schedule is the
  // same process shifted rather than a burst of simultaneous first requests.
  advance();
}

void Pacer::advance() {
  const double gap =
      arrival_ == Arrival::poisson ? -std::log(uniform_01()) * mean_gap_ns_ : mean_gap_ns_;
  next_exact_ns_ += gap;
  next_ns_ = static_cast<uint64_t>(next_exact_ns_);
}

// splitmix64: fast, stateless per step and good enough for inter-arrival gaps.
double Pacer::uniform_01() {
  uint64_t z = (random_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 1.0) * 0x1.0p-53;
}

}  // namespace th
