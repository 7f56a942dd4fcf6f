// The answering half of a client connection: responses read, matched to their requests, timed
// and (timestamps: true) split at the kernel's timestamps.
#include <algorithm>
#include <cstring>

#include "load/client_connection.hpp"
#include "load/worker.hpp"
#include "net/kernel_timestamps.hpp"
#include "net/tcp_info.hpp"

namespace th {

void ClientConnection::on_data(const char* data, size_t size) {
  const uint64_t now = uv_hrtime();
  if (phase_ == Phase::streaming) return;  // a stream sink has nothing to say
  if (in_flight() == 0) return fail_with(ErrorKind::bad_response);  // bytes nobody asked for
  if (slot(completed_).measured) worker_.recorder().add_bytes_received(now, size);
  if (worker_.plan().protocol == Protocol::echo) return take_echo(data, size, now);
  take_http(data, size, now);
}

void ClientConnection::note_first_byte(Request& request, uint64_t now_ns) {
  if (request.first_byte_ns != 0) return;
  request.first_byte_ns = now_ns;
  request.received_realtime_ns = transport_->receive_timestamp_ns();
}

// A segment's timestamp carries the key of its last byte, and a segment may carry the ends of
// several pipelined requests: each written request still waiting for its timestamp takes the
// first one whose key reaches its last byte (compared as the kernel's keys wrap, mod 2^32).
void ClientConnection::on_transmit_timestamp(uint32_t key, uint64_t realtime_ns) {
  for (uint64_t sequence = completed_; sequence < begun_; ++sequence) {
    Request& request = slot(sequence);
    if (request.transmitted_realtime_ns != 0) continue;
    if (!request.handed_over || static_cast<int32_t>(key - request.transmit_key) < 0) return;
    request.transmitted_realtime_ns = realtime_ns;
  }
}

void ClientConnection::take_echo(const char* data, size_t size, uint64_t now_ns) {
  const std::string& payload = worker_.plan().payload;
  while (size > 0) {
    if (in_flight() == 0) return fail_with(ErrorKind::bad_response);
    Request& front = slot(completed_);
    note_first_byte(front, now_ns);
    const size_t take = std::min(size, payload.size() - echo_received_);
    if (std::memcmp(data, payload.data() + echo_received_, take) != 0) {
      return fail_with(ErrorKind::bad_response);
    }
    echo_received_ += take;
    data += take;
    size -= take;
    if (echo_received_ == payload.size()) {
      echo_received_ = 0;
      complete_front(now_ns, true);
      if (phase_ != Phase::open) return;
    }
  }
}

void ClientConnection::take_http(const char* data, size_t size, uint64_t now_ns) {
  const uint64_t cap = worker_.plan().max_response_bytes;
  while (size > 0) {
    if (in_flight() == 0) return fail_with(ErrorKind::bad_response);
    Request& front = slot(completed_);
    note_first_byte(front, now_ns);
    size_t consumed = 0;
    switch (http_.feed(data, size, &consumed)) {
      case HttpResponseParser::Result::need_more:
        if (http_.body_bytes() > cap) fail_with(ErrorKind::bad_response);
        return;
      case HttpResponseParser::Result::error:
        return fail_with(ErrorKind::bad_response);
      case HttpResponseParser::Result::complete:
        if (http_.status_code() < 200 || http_.status_code() > 299 || http_.body_bytes() > cap) {
          return fail_with(ErrorKind::bad_response);
        }
        data += consumed;
        size -= consumed;
        complete_front(now_ns, http_.keep_alive());
        if (phase_ != Phase::open) return;
    }
  }
}

void ClientConnection::on_read_end(int status) {
  peer_ended_ = true;
  if (half_closing_) {  // both ends have sent their FIN: nothing is left unread
    half_closing_ = false;
    return transport_->close();
  }
  if (awaiting_server_close_ && in_flight() == 0) return close_connection(false);
  // Linux reports a reset once (the first call to meet it takes sk_err); a read after that finds
  // the socket shut down and returns 0, an end of stream. The state tells them apart: a FIN
  // leaves CLOSE_WAIT, a reset CLOSE (over TLS an end of stream may be close_notify alone, the
  // TCP connection still established). One getsockopt, on this path only.
  if (status == UV_EOF && in_flight() > 0) {
    TcpInfoSample state{};
    if (read_tcp_info(transport_->fd(), state) == 0 && state.reset) status = UV_ECONNRESET;
  }
  count_failed_handshake(status);  // a 0-RTT connection's handshake fails here
  if (phase_ == Phase::open && in_flight() > 0 && status == UV_EOF &&
      worker_.plan().protocol == Protocol::http && slot(completed_).first_byte_ns != 0) {
    // A body without Content-Length or chunking ends when the server closes (RFC 9112 §6.3).
    if (http_.feed_eof() == HttpResponseParser::Result::complete) {
      if (http_.status_code() < 200 || http_.status_code() > 299) {
        return fail_with(ErrorKind::bad_response);
      }
      return complete_front(uv_hrtime(), false);
    }
  }
  fail(status);
}

void ClientConnection::complete_front(uint64_t now_ns, bool server_keeps_connection) {
  Request& request = slot(completed_);
  // libuv reports a queued write's completion a loop turn late; the kernel had all of the
  // request once the answer began, so the answer bounds the send time.
  if (request.sent_ns == 0) request.sent_ns = request.first_byte_ns;
  if (written_ == completed_) {  // answered before its write was reported done
    if (request.measured) {
      worker_.recorder().add_bytes_sent(now_ns, worker_.plan().requests[request.prepared].bytes);
    }
    ++written_;
    write_group_ = 0;
  }
  if (request.measured) {
    worker_.recorder().record_ok(
        now_ns,
        RequestTimes{.latency_ns = static_cast<int64_t>(now_ns - request.intended_ns),
                     .service_ns = static_cast<int64_t>(now_ns - request.start_ns),
                     .write_ns = static_cast<int64_t>(request.sent_ns - request.write_start_ns),
                     .first_byte_ns = static_cast<int64_t>(request.first_byte_ns - request.sent_ns),
                     .transfer_ns = static_cast<int64_t>(now_ns - request.first_byte_ns)});
    if (Recorder& recorder = worker_.recorder(); recorder.tcp_info && tcp_info_.open()) {
      // One getsockopt per connection at most: the min RTT is cached from then on.
      recorder.tcp_info->record_round_trips(now_ns - request.first_byte_ns,
                                            tcp_info_.min_rtt_us(transport_->fd()));
    }
    if (Recorder& recorder = worker_.recorder(); recorder.timestamps) {
      recorder.timestamps->record(request.write_start_ns, request.handed_over_ns, now_ns,
                                  request.transmitted_realtime_ns, request.received_realtime_ns,
                                  request.offset_at_handover_ns, realtime_minus_monotonic_ns());
    }
    worker_.note_completion(now_ns);
  }
  ++completed_;
  if (!server_keeps_connection) last_on_connection_ = server_closes_ = true;
  tell_page_user(1, true, now_ns);
  after_response(now_ns);
}

void ClientConnection::after_response(uint64_t now_ns) {
  if (phase_ != Phase::open) return;  // the page user's next request failed on this connection
  const bool think = worker_.plan().think_time_ns > 0 && in_flight() == 0;
  if (last_on_connection_ && in_flight() == 0) {
    think_after_close_ = think;
    // closer server: the server said it closes; its end of stream ends the connection, so the
    // FIN (and TIME_WAIT) is the server's.
    if (worker_.plan().server_closes_first && server_closes_ && !peer_ended_) {
      awaiting_server_close_ = true;
      waiting_since_ns_ = now_ns;
      return;
    }
    return close_connection(false);
  }
  if (think) return start_thinking();
  worker_.connection_free(*this, now_ns);
}

}  // namespace th
