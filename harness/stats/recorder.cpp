#include "stats/recorder.hpp"

namespace th {

uint64_t Recorder::error_total() const noexcept {
  uint64_t sum = 0;
  for (uint64_t count : errors) sum += count;
  return sum;
}

void Recorder::merge(const Recorder& other) {
  total.merge(other.total);
  connect.merge(other.connect);
  first_byte.merge(other.first_byte);
  requests_ok += other.requests_ok;
  for (size_t kind = 0; kind < errors.size(); ++kind) errors[kind] += other.errors[kind];
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  connections_opened += other.connections_opened;
}

void Recorder::reset() noexcept {
  total.reset();
  connect.reset();
  first_byte.reset();
  requests_ok = 0;
  errors.fill(0);
  bytes_sent = bytes_received = connections_opened = 0;
}

}  // namespace th
