#pragma once

#include <cstdint>

#include "stats/error_kind.hpp"
#include "stats/histogram.hpp"

namespace th {

// Everything one load-generator thread measures. Thread-local during the run (no locks, no
// allocation after construction) and merged into one after it.
struct Recorder {
  Histogram total;       // request start to response complete
  Histogram connect;     // connect() called to connected; only for requests that opened one
  Histogram first_byte;  // request fully written to first response byte
  uint64_t requests_ok = 0;
  ErrorCounts errors{};
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t connections_opened = 0;

  void count_error(ErrorKind kind) noexcept { ++errors[static_cast<size_t>(kind)]; }
  uint64_t error_total() const noexcept;
  void merge(const Recorder& other);
  void reset() noexcept;
};

}  // namespace th
