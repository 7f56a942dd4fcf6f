// The ending half of a client connection: how it closes (as the scenario's `close` says), what
// a failure counts, the retry of requests a closing server left unanswered, and the pauses a
// virtual user takes between a response and its next request (think_time_ms).
#include <utility>

#include "load/client_connection.hpp"
#include "load/worker.hpp"
#include "net/socket_options.hpp"

namespace th {

// Just before close(): the counters are final, and the socket still answers TCP_INFO.
void ClientConnection::sample_tcp_info_before_close(uint64_t now_ns) {
  if (tcp_info_.open()) {
    tcp_info_.sample(transport_->fd(), now_ns, worker_.plan().warmup_end_ns,
                     worker_.tcp_info_window_end_ns(), *worker_.recorder().tcp_info,
                     server_closes_);
  }
  tcp_info_.closed();
}

void ClientConnection::close_connection(bool back_off) {
  phase_ = Phase::closing;
  back_off_after_close_ = back_off;
  awaiting_server_close_ = false;
  close_start_ns_ = uv_hrtime();
  sample_tcp_info_before_close(close_start_ns_);
  if (!transport_->is_open()) return on_closed();
  // A failed connection is dropped at once; one that did its work closes as the scenario says.
  if (back_off) return transport_->close();
  close_as_configured();
}

void ClientConnection::close_as_configured() {
  switch (worker_.plan().close) {
    case CloseMode::abortive:
      // A refusal leaves an ordinary close: the report's close phase still ends.
      set_linger_zero(transport_->fd());
      break;
    case CloseMode::half_close:
      if (peer_ended_ || transport_->shutdown_write() != 0) break;
      half_closing_ = true;
      waiting_since_ns_ = close_start_ns_;
      return;  // on_read_end closes once the peer's end of stream arrives
    case CloseMode::graceful:
      break;
  }
  transport_->close();
}

void ClientConnection::fail(int uv_status) { fail_with(error_kind_from_uv(uv_status)); }

// Every request in flight on the connection fails with it. A connection the server closed while
// idle (a keep-alive timeout) is no error: it is replaced at once.
void ClientConnection::fail_with(ErrorKind kind) {
  if (phase_ == Phase::closing || phase_ == Phase::done) return;
  const bool ended_by_peer = kind == ErrorKind::closed_early || kind == ErrorKind::reset;
  if (ended_by_peer && server_closes_ && in_flight() > 0 && slot(completed_).first_byte_ns == 0) {
    return retry_unanswered();
  }
  const uint64_t now = uv_hrtime();
  for (uint64_t sequence = completed_; sequence < begun_; ++sequence) {
    // A request written in full was owed its response: a reset then took that response.
    const ErrorKind counted =
        kind == ErrorKind::reset && sequence < written_ ? ErrorKind::response_reset : kind;
    if (slot(sequence).measured) worker_.recorder().record_error(now, counted);
  }
  const unsigned failed = in_flight();
  completed_ = begun_;
  close_connection(failed > 0);
  tell_page_user(failed, false, now);
}

// RFC 9112 section 9.3.2: a client must not assume that requests pipelined after a close was
// announced were processed; these were not answered, so they go again, as a browser retries an
// idempotent request. Not errors: the server said it would close.
void ClientConnection::retry_unanswered() {
  for (uint64_t sequence = completed_; sequence < begun_; ++sequence) {
    if (slot(sequence).measured) ++worker_.recorder().requests_retried;
  }
  keep_unanswered_ = true;
  close_connection(false);
}

// The kept requests start over on the next connection; their start (and so their latency) stays.
void ClientConnection::keep_unanswered_for_next_connection() {
  for (uint64_t sequence = completed_; sequence < begun_; ++sequence) {
    Request& request = slot(sequence);
    request.sent_ns = request.first_byte_ns = 0;
    request.transmitted_realtime_ns = request.received_realtime_ns = 0;
    request.handed_over = false;
  }
  written_ = completed_;
  on_this_connection_ = in_flight();
  const LoadPlan& plan = worker_.plan();
  last_on_connection_ =
      plan.one_request_per_connection || (plan.max_requests_per_connection != 0 &&
                                          on_this_connection_ >= plan.max_requests_per_connection);
}

void ClientConnection::on_closed() {
  tcp_info_.closed();
  if (phase_ == Phase::done) return;
  const uint64_t now = uv_hrtime();
  if (!back_off_after_close_ && completed_ > 0 && slot(completed_ - 1).measured) {
    worker_.recorder().close.record(static_cast<int64_t>(now - close_start_ns_));
  }
  half_closing_ = peer_ended_ = awaiting_server_close_ = false;
  server_closes_ = false;
  write_group_ = 0;
  group_queued_ = false;
  write_waiting_since_ns_ = 0;  // a write cut short by the close waited for nothing more
  if (std::exchange(keep_unanswered_, false) && in_flight() > 0) {
    keep_unanswered_for_next_connection();
    phase_ = Phase::idle;
    connect(now);
    return;
  }
  written_ = completed_ = begun_;
  on_this_connection_ = 0;
  last_on_connection_ = false;
  if (back_off_after_close_) {
    phase_ = Phase::backoff;
    retry_at_ns_ = now + kBackoffNs;
    return;
  }
  phase_ = Phase::idle;
  // per_request: the user pauses after its response, whatever connection carries the next
  // request. A pause under way when the server closed the idle connection goes on.
  if (std::exchange(think_after_close_, false)) return start_thinking();
  if (thinking_) return;
  worker_.connection_free(*this, now);
}

// Timed by a timer of the connection's own rather than the worker's 10 ms tick, so a pause of a
// few milliseconds is what it says. Made once; restarting it allocates nothing.
void ClientConnection::start_thinking() {
  if (!think_timer_.initialised() && think_timer_.init_timer(worker_.loop(), this) != 0) {
    return worker_.connection_free(*this, uv_hrtime());  // no timer: no pause, no stall
  }
  thinking_ = true;
  const uint64_t pause_ms = (worker_.draw_think_time_ns() + 500'000) / 1'000'000;
  uv_timer_start(think_timer_.get(), on_thought, pause_ms, 0);
}

void ClientConnection::on_thought(uv_timer_t* timer) {
  auto* self = static_cast<ClientConnection*>(timer->data);
  self->thinking_ = false;
  if (self->phase_ == Phase::idle || self->phase_ == Phase::open) {
    self->worker_.connection_free(*self, uv_hrtime());
  }
}

// A pause that would outlast the run ends with it, not a think time later: at the deadline, or
// once a `requests` bound has handed out its last request.
bool ClientConnection::run_over(uint64_t now_ns) const {
  return worker_.stopping(now_ns) || worker_.plan().tickets_exhausted();
}

}  // namespace th
