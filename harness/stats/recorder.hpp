#pragma once

#include <cstdint>
#include <optional>

#include "stats/error_kind.hpp"
#include "stats/histogram.hpp"
#include "stats/tcp_info_stats.hpp"
#include "stats/timeline.hpp"
#include "stats/timestamp_split.hpp"
#include "stats/tls_stats.hpp"

namespace th {

// The phases of one answered request, in ns: what one HTTP transaction costs, step by step
// (docs/methodology.md).
struct RequestTimes {
  int64_t latency_ns;     // intended start to response complete
  int64_t service_ns;     // actual start (connect or first write) to response complete
  int64_t write_ns;       // start (or connected) to the last byte handed to the kernel
  int64_t first_byte_ns;  // request written to the first response byte
  int64_t transfer_ns;    // first to last response byte
};

// Everything one load-generator thread measures. Thread-local during the run (no locks; nothing
// allocated per request) and merged into one after it.
inline constexpr int64_t kLateSendNs = 1'000'000;

struct Recorder {
  // From the request's intended start to response complete: the latency users see. In a closed
  // loop the intended start is the actual one; in an open loop it is the schedule's, so time
  // spent waiting for a free connection counts.
  Histogram total;
  Histogram resolve;  // host name to address: once per run, or per new connection (every_request)
  Histogram service_time;     // from the actual start (connect or send) to response complete
  Histogram connect;          // connect() called to connected; only for requests that opened one
  Histogram tls_handshake;    // TLS: TCP connected to handshake done, per connection opened
  Histogram write;            // start (or connected) to the last byte handed to the kernel
  Histogram first_byte;       // request fully written to first response byte
  Histogram transfer;         // first to last response byte
  Histogram close;            // client close() to the handle closed; only when it closes
  Histogram schedule_lag;     // open loop: how late each request started against its schedule
  Histogram page_load;        // page workload: a page's first request begun to its last object in
  uint64_t pages_ok = 0;      // pages whose every object was answered
  uint64_t pages_failed = 0;  // pages with at least one failed object
  uint64_t requests_ok = 0;
  ErrorCounts errors{};
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t connections_opened = 0;
  uint64_t requests_sent = 0;          // requests started in the window, answered or not
  uint64_t waited_for_connection = 0;  // open loop: requests that found every connection busy
  // Open loop: requests sent more than kLateSendNs after their time while a connection was free:
  // the generator's own lateness (its thread did not run on time), not the server's.
  uint64_t sent_late = 0;
  // Requests pipelined after a response that announced the server's close, unanswered when it
  // closed, and sent again on a new connection (each time it happened).
  uint64_t requests_retried = 0;
  Timeline timeline;
  // Client connections' TCP_INFO; absent when the scenario turned it off (tcp_info: false).
  std::optional<TcpInfoStats> tcp_info;
  std::optional<TlsStats> tls;               // present when the run speaks TLS
  std::optional<TimestampSplit> timestamps;  // present with the scenario key `timestamps`

  void record_ok(uint64_t now_ns, const RequestTimes& times) {
    total.record(times.latency_ns);
    service_time.record(times.service_ns);
    write.record(times.write_ns);
    first_byte.record(times.first_byte_ns);
    transfer.record(times.transfer_ns);
    ++requests_ok;
    TimelineSecond& second = timeline.at(now_ns);
    ++second.requests_ok;
    second.record_latency(times.latency_ns);
  }
  void record_error(uint64_t now_ns, ErrorKind kind) {
    ++errors[static_cast<size_t>(kind)];
    ++timeline.at(now_ns).errors;
  }
  void add_bytes_sent(uint64_t now_ns, uint64_t bytes) {
    bytes_sent += bytes;
    timeline.at(now_ns).bytes_sent += bytes;
  }
  void add_bytes_received(uint64_t now_ns, uint64_t bytes) {
    bytes_received += bytes;
    timeline.at(now_ns).bytes_received += bytes;
  }

  uint64_t error_total() const noexcept;
  void merge(const Recorder& other);
};

}  // namespace th
