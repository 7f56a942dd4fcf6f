#include "load/pacer.hpp"

namespace th {

Pacer::Pacer(double rate_per_s, Arrival arrival, uint64_t start_ns, uint64_t seed, double phase)
    : mean_gap_ns_(1e9 / rate_per_s),
      arrival_(arrival),
      next_exact_ns_(static_cast<double>(start_ns) + phase * 1e9 / rate_per_s),
      next_ns_(start_ns),
      random_(seed) {
  // The first request starts one gap in, not at the start, so every thread's schedule is the
  // same process shifted rather than a burst of simultaneous first requests.
  advance();
}

void Pacer::advance() {
  const double gap =
      arrival_ == Arrival::poisson ? random_.exponential(mean_gap_ns_) : mean_gap_ns_;
  next_exact_ns_ += gap;
  next_ns_ = static_cast<uint64_t>(next_exact_ns_);
}

}  // namespace th
