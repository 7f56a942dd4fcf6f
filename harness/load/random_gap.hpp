#pragma once

#include <cmath>
#include <cstdint>

namespace th {

// Random gaps for a load loop: splitmix64, a few nanoseconds a draw and no allocation, good
// enough for inter-arrival and think times (no cryptographic or statistical-suite claims).
class RandomGap {
 public:
  explicit RandomGap(uint64_t seed) : state_(seed | 1) {}

  double uniform_01() {  // in (0, 1], so its logarithm is finite
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 1.0) * 0x1.0p-53;
  }
  // An exponential distribution's draw: the gaps of a Poisson process with this mean.
  double exponential(double mean) { return -std::log(uniform_01()) * mean; }

 private:
  uint64_t state_;
};

}  // namespace th
