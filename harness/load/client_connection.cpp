#include "load/client_connection.hpp"

#include <cstring>

#include "load/worker.hpp"

namespace th {
namespace {

// A failed connection waits this long before the next attempt, so a refusing or dead server
// costs a bounded number of attempts per second instead of a busy loop of errors.
constexpr uint64_t kBackoffNs = 10'000'000;

}  // namespace

ClientConnection::~ClientConnection() = default;

void ClientConnection::start() { start_request(); }

void ClientConnection::start_request() {
  LoadPlan& plan = worker_.plan();
  const uint64_t now = uv_hrtime();
  if (worker_.stopping(now)) return finish();
  measured_ = worker_.measuring(now);
  if (measured_ && !plan.claim_ticket()) return finish();
  request_start_ns_ = now;
  sent_ns_ = first_byte_ns_ = 0;
  echo_received_ = 0;
  if (transport_->is_open()) return send_request();

  phase_ = Phase::connecting;
  connect_start_ns_ = now;
  http_.reset();
  if (const int status = transport_->connect(plan.target.get(), nullptr, plan.client_options)) {
    fail(status);
  }
}

void ClientConnection::on_connected(int status) {
  if (status != 0) return fail(status);
  if (measured_) {
    worker_.recorder().connect.record(static_cast<int64_t>(uv_hrtime() - connect_start_ns_));
    ++worker_.recorder().connections_opened;
  }
  worker_.note_applied_options(transport_->fd());
  if (const int read_status = transport_->start_reading()) return fail(read_status);
  if (worker_.plan().protocol == Protocol::stream) return send_chunk();
  send_request();
}

void ClientConnection::send_request() {
  phase_ = Phase::sending;
  next_write_ = 0;
  write_parts();
}

void ClientConnection::write_parts() {
  const LoadPlan& plan = worker_.plan();
  while (next_write_ < plan.write_count) {
    const LoadPlan::WriteGroup& group = plan.writes[next_write_++];
    int error = 0;
    const WriteOutcome outcome = transport_->write(group.buffers, group.count, &error);
    if (outcome == WriteOutcome::failed) return fail(error);
    if (outcome == WriteOutcome::queued) return;  // on_write_done goes on
  }
  request_sent(uv_hrtime());
}

void ClientConnection::request_sent(uint64_t now_ns) {
  if (sent_ns_ == 0) sent_ns_ = now_ns;
  if (measured_) worker_.recorder().bytes_sent += worker_.plan().request_bytes;
  if (phase_ == Phase::sending) phase_ = Phase::awaiting;
}

// Stream: one chunk after another on one connection, each counted as it is handed to the kernel.
void ClientConnection::send_chunk() {
  phase_ = Phase::streaming;
  const LoadPlan& plan = worker_.plan();
  if (const int status = transport_->write_then_notify(plan.writes[0].buffers, 1)) fail(status);
}

void ClientConnection::on_write_done(int status) {
  if (status != 0) return fail(status);
  const uint64_t now = uv_hrtime();
  switch (phase_) {
    case Phase::sending:
      return write_parts();
    case Phase::streaming:
      if (measured_) {
        worker_.recorder().bytes_sent += worker_.plan().payload.size();
        ++worker_.recorder().requests_ok;
        worker_.note_completion(now);
      }
      if (worker_.stopping(now)) return finish();
      measured_ = worker_.measuring(now);
      if (measured_ && !worker_.plan().claim_ticket()) return finish();
      return send_chunk();
    case Phase::awaiting_write:  // the response beat the write's callback; go on now
      if (measured_) worker_.recorder().bytes_sent += worker_.plan().request_bytes;
      return continue_after_response(keep_connection_);
    default:
      return;
  }
}

void ClientConnection::on_data(const char* data, size_t size) {
  const uint64_t now = uv_hrtime();
  const LoadPlan& plan = worker_.plan();
  if (phase_ == Phase::streaming) return;  // a stream sink has nothing to say
  if (phase_ != Phase::sending && phase_ != Phase::awaiting) {
    return fail_with(ErrorKind::bad_response);  // bytes nobody asked for
  }
  if (measured_) worker_.recorder().bytes_received += size;
  if (first_byte_ns_ == 0) {
    first_byte_ns_ = now;
    // libuv reports a queued write's completion one loop turn late; the kernel had all of the
    // request once the answer starts, so the answer's arrival bounds the send time.
    if (sent_ns_ == 0) sent_ns_ = now;
  }
  if (plan.protocol == Protocol::echo) {
    const size_t expected = plan.payload.size();
    if (size > expected - echo_received_ ||
        std::memcmp(data, plan.payload.data() + echo_received_, size) != 0) {
      return fail_with(ErrorKind::bad_response);
    }
    echo_received_ += size;
    if (echo_received_ == expected) complete(now, true);
    return;
  }
  size_t consumed = 0;
  switch (http_.feed(data, size, &consumed)) {
    case HttpResponseParser::Result::need_more:
      return;
    case HttpResponseParser::Result::error:
      return fail_with(ErrorKind::bad_response);
    case HttpResponseParser::Result::complete:
      // A closed-loop client has one request outstanding, so trailing bytes are a broken server.
      if (consumed != size || http_.status_code() < 200 || http_.status_code() > 299) {
        return fail_with(ErrorKind::bad_response);
      }
      return complete(now, http_.keep_alive());
  }
}

void ClientConnection::on_read_end(int status) {
  const bool in_request = phase_ == Phase::sending || phase_ == Phase::awaiting;
  if (in_request && status == UV_EOF && worker_.plan().protocol == Protocol::http &&
      first_byte_ns_ != 0) {
    // A body without Content-Length or chunking ends when the server closes (RFC 9112 §6.3).
    if (http_.feed_eof() == HttpResponseParser::Result::complete) {
      if (http_.status_code() < 200 || http_.status_code() > 299) {
        return fail_with(ErrorKind::bad_response);
      }
      return complete(uv_hrtime(), false);
    }
  }
  fail(status);
}

void ClientConnection::complete(uint64_t now_ns, bool keep_connection) {
  if (measured_) {
    Recorder& recorder = worker_.recorder();
    recorder.total.record(static_cast<int64_t>(now_ns - request_start_ns_));
    recorder.first_byte.record(static_cast<int64_t>(first_byte_ns_ - sent_ns_));
    ++recorder.requests_ok;
    worker_.note_completion(now_ns);
  }
  keep_connection_ = keep_connection && worker_.plan().model == ConnectionModel::keep_alive;
  phase_ = Phase::idle;
  if (transport_->write_queued()) {
    phase_ = Phase::awaiting_write;
    return;
  }
  continue_after_response(keep_connection_);
}

void ClientConnection::continue_after_response(bool keep_connection) {
  if (keep_connection) return start_request();
  phase_ = Phase::closing;
  backoff_after_close_ = false;
  transport_->close();  // on_closed starts the next request on a new connection
}

void ClientConnection::fail(int uv_status) { fail_with(error_kind_from_uv(uv_status)); }

void ClientConnection::fail_with(ErrorKind kind) {
  if (phase_ == Phase::closing || phase_ == Phase::done) return;
  // A response that completed while our write was still queued was already counted ok; what
  // goes wrong after it (the server closing, say) belongs to no request.
  const bool answered = phase_ == Phase::awaiting_write;
  if (measured_ && !answered) worker_.recorder().count_error(kind);
  phase_ = Phase::closing;
  backoff_after_close_ = !answered;
  if (transport_->is_open()) {
    transport_->close();
  } else {
    on_closed();
  }
}

void ClientConnection::on_closed() {
  if (phase_ == Phase::done) return;
  if (backoff_after_close_) {
    phase_ = Phase::backoff;
    retry_at_ns_ = uv_hrtime() + kBackoffNs;
    return;
  }
  phase_ = Phase::idle;
  start_request();
}

void ClientConnection::tick(uint64_t now_ns) {
  switch (phase_) {
    case Phase::connecting:
    case Phase::sending:
    case Phase::awaiting:
    case Phase::awaiting_write:
      if (now_ns - request_start_ns_ > worker_.plan().timeout_ns) fail_with(ErrorKind::timeout);
      return;
    case Phase::backoff:
      if (worker_.stopping(now_ns)) return finish();
      if (now_ns >= retry_at_ns_) {
        phase_ = Phase::idle;
        start_request();
      }
      return;
    case Phase::streaming:
      if (worker_.stopping(now_ns)) return finish();
      return;
    default:
      return;
  }
}

void ClientConnection::finish() {
  if (phase_ == Phase::done) return;
  const bool in_flight = phase_ == Phase::connecting || phase_ == Phase::sending ||
                         phase_ == Phase::awaiting;
  if (in_flight && measured_) worker_.count_in_flight_at_end();
  phase_ = Phase::done;
  transport_->close();
  worker_.connection_finished();
}

}  // namespace th
