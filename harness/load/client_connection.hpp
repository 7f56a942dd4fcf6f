#pragma once

#include <cstdint>
#include <memory>

#include "load/tcp_info_probe.hpp"
#include "net/address.hpp"
#include "net/transport.hpp"
#include "net/uv_handle.hpp"
#include "proto/http_response_parser.hpp"
#include "stats/error_kind.hpp"

namespace th {

class Worker;
class PageUser;

// One client connection and the requests in flight on it: one at a time (per_request,
// keep_alive) or up to pipeline_depth (pipelined), answered in order. Its state and buffers are
// allocated once; per_request reconnects reuse the same transport object. The Worker decides
// when a request starts (closed or open loop); the connection runs it and reports back.
class ClientConnection final : public TransportEvents {
 public:
  enum class Phase { idle, resolving, connecting, open, streaming, closing, backoff, done };
  // A failed connection waits this long before the next attempt, so a refusing or dead server
  // costs a bounded number of attempts per second instead of a busy loop of errors.
  static constexpr uint64_t kBackoffNs = 10'000'000;

  explicit ClientConnection(Worker& worker);
  ~ClientConnection();
  void attach(std::unique_ptr<Transport> transport) { transport_ = std::move(transport); }

  // True when begin() may add a request: not closing, and the pipeline has room.
  bool can_take_request() const;
  // Starts a request meant to start at intended_ns (the schedule's time in an open loop, now in
  // a closed one). When a slot frees up, the connection calls Worker::connection_free.
  // `request` indexes the plan's prepared requests (0 unless a page's object).
  void begin(uint64_t intended_ns, uint64_t now_ns, bool measured, uint32_t request = 0);
  // The worker's periodic check: request timeout and the end of backoff.
  void tick(uint64_t now_ns);
  void finish();  // stop now: close if open, count what is in flight
  Phase phase() const { return phase_; }
  unsigned in_flight() const { return static_cast<unsigned>(begun_ - completed_); }
  bool parked = false;  // in the worker's list of connections waiting for the schedule
  const sockaddr* local_address = nullptr;  // source address to bind, or any
  PageUser* page_user = nullptr;  // the virtual user this connection loads pages for, if any
  // Whether the worker may finish this connection now: no request on it and no callback due.
  bool at_rest() const;
  // The worker's once-a-second TCP_INFO sample; nothing unless connected (and tcp_info is on).
  void sample_tcp_info(uint64_t now_ns);

  void on_connected(int status) override;
  void on_data(const char* data, size_t size) override;
  void on_read_end(int status) override;
  void on_write_done(int status) override;
  void on_closed() override;
  void on_handshake_done() override;
  void on_transmit_timestamp(uint32_t key, uint64_t realtime_ns) override;

 private:
  // The times of one request, for its phases (connect, write, first_byte, transfer).
  struct Request {
    uint64_t intended_ns = 0;
    uint64_t start_ns = 0;
    uint64_t write_start_ns = 0;
    uint64_t sent_ns = 0;
    uint64_t first_byte_ns = 0;
    // timestamps on: the kernel's transmit timestamp of the request's last byte (its key) and
    // the receive timestamp of the read that brought the response's first bytes, wall clock.
    uint64_t transmitted_realtime_ns = 0;
    uint64_t received_realtime_ns = 0;
    // The wall clock minus the monotonic one just before the write of the last byte: a step of
    // the wall clock from then until the answer is seen by comparing it again then.
    int64_t offset_at_handover_ns = 0;
    uint64_t handed_over_ns = 0;  // the write call with its last byte returned
    uint32_t transmit_key = 0;
    bool handed_over = false;  // its last byte went to the transport: transmit_key is set
    bool measured = false;
    uint32_t prepared = 0;  // which of the plan's requests
  };
  Request& slot(uint64_t sequence) { return requests_[sequence & slot_mask_]; }

  void connect(uint64_t now_ns);
  void record_handshake(uint64_t now_ns, const TlsFacts& tls);
  void count_failed_handshake(int status);
  void connect_to(const sockaddr* address);
  void record_connected(uint64_t now_ns);
  static void on_resolved(uv_getaddrinfo_t* request, int status, addrinfo* result);
  void tell_page_user(unsigned requests, bool ok, uint64_t now_ns);
  void write_pending();
  void group_written(uint64_t now_ns);
  void send_chunk();
  void take_echo(const char* data, size_t size, uint64_t now_ns);
  void take_http(const char* data, size_t size, uint64_t now_ns);
  void complete_front(uint64_t now_ns, bool server_keeps_connection);
  void note_first_byte(Request& request, uint64_t now_ns);
  void after_response(uint64_t now_ns);
  // think_time_ms: the virtual user pauses before it takes its next request.
  void start_thinking();
  bool run_over(uint64_t now_ns) const;
  static void on_thought(uv_timer_t* timer);
  void fail(int uv_status);
  void fail_with(ErrorKind kind);
  // The server announced its close ("Connection: close") and then ended the connection: the
  // requests after that response were never answered, and go again on a new connection.
  void retry_unanswered();
  void keep_unanswered_for_next_connection();
  void close_connection(bool back_off);
  void close_as_configured();
  void sample_tcp_info_before_close(uint64_t now_ns);
  void count_send_buffer_wait(uint64_t now_ns);

  Worker& worker_;
  std::unique_ptr<Transport> transport_;
  HttpResponseParser http_;
  Phase phase_ = Phase::idle;
  // A ring of the plan's pipeline depth rounded up to a power of two: one slot for one request
  // at a time, so 10,000 keep-alive connections do not carry 32 slots each.
  std::unique_ptr<Request[]> requests_;
  uint64_t slot_mask_ = 0;
  // Sequence numbers on this connection object: requests begun, fully written, answered. The
  // ones in flight are [completed_, begun_), the ones still to write [written_, begun_).
  uint64_t begun_ = 0;
  uint64_t written_ = 0;
  uint64_t completed_ = 0;
  unsigned write_group_ = 0;             // which of the plan's writes of request written_ goes next
  bool group_queued_ = false;            // that write is queued in the transport
  uint64_t queued_request_ = 0;          // the request that queued write belongs to
  uint64_t write_waiting_since_ns_ = 0;  // when the kernel last refused part of a write
  uint64_t on_this_connection_ = 0;      // requests begun since the connection opened
  bool last_on_connection_ = false;      // the server or max_requests_per_connection ends it
  bool server_closes_ = false;           // a response said so ("Connection: close")
  bool awaiting_server_close_ = false;   // closer server: answered, waiting for its end of stream
  bool half_closing_ = false;            // close half_close: our FIN sent, waiting for theirs
  bool peer_ended_ = false;              // the peer's end of stream has arrived
  bool keep_unanswered_ = false;         // the close keeps the requests in flight for a retry
  uint64_t waiting_since_ns_ = 0;        // of either wait, bounded by timeout_ms
  uv_getaddrinfo_t resolve_request_{};
  // A lookup runs on libuv's thread pool until it answers, even after a timeout gave up on it;
  // its request must not be reused (and the connection not retried) before then.
  bool resolve_pending_ = false;
  SocketAddress resolved_;  // resolve every_request: this connection's answer
  uint64_t connect_start_ns_ = 0;
  bool connect_measured_ = false;
  uint64_t close_start_ns_ = 0;
  bool back_off_after_close_ = false;
  uint64_t retry_at_ns_ = 0;
  size_t echo_received_ = 0;          // bytes of the front request's echo so far
  TcpInfoProbe tcp_info_;             // open from connected until just before the close
  UvHandle<uv_timer_t> think_timer_;  // made at the first pause (think_time_ms only)
  bool thinking_ = false;
  bool think_after_close_ = false;  // the response that closes the connection starts a pause
};

}  // namespace th
