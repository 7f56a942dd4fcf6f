#include "stats/recorder.hpp"

namespace th {

uint64_t Recorder::error_total() const noexcept {
  uint64_t sum = 0;
  for (uint64_t count : errors) sum += count;
  return sum;
}

void Recorder::merge(const Recorder& other) {
  total.merge(other.total);
  resolve.merge(other.resolve);
  service_time.merge(other.service_time);
  connect.merge(other.connect);
  tls_handshake.merge(other.tls_handshake);
  write.merge(other.write);
  first_byte.merge(other.first_byte);
  transfer.merge(other.transfer);
  close.merge(other.close);
  schedule_lag.merge(other.schedule_lag);
  page_load.merge(other.page_load);
  pages_ok += other.pages_ok;
  pages_failed += other.pages_failed;
  requests_ok += other.requests_ok;
  for (size_t kind = 0; kind < errors.size(); ++kind) errors[kind] += other.errors[kind];
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  connections_opened += other.connections_opened;
  requests_sent += other.requests_sent;
  waited_for_connection += other.waited_for_connection;
  sent_late += other.sent_late;
  requests_retried += other.requests_retried;
  timeline.merge(other.timeline);
  if (other.tls) {
    if (tls) {
      tls->merge(*other.tls);
    } else {
      tls = other.tls;
    }
  }
  if (other.timestamps) {
    if (timestamps) {
      timestamps->merge(*other.timestamps);
    } else {
      timestamps = other.timestamps;
    }
  }
  if (other.tcp_info) {
    if (tcp_info) {
      tcp_info->merge(*other.tcp_info);
    } else {
      tcp_info = other.tcp_info;
    }
  }
}

}  // namespace th
