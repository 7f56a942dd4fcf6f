#include "load/client_connection.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "load/page_user.hpp"
#include "load/worker.hpp"
#include "net/kernel_timestamps.hpp"

namespace th {

ClientConnection::ClientConnection(Worker& worker) : worker_(worker) {
  const unsigned slots = std::bit_ceil(std::max(1u, worker.plan().pipeline_depth));
  requests_ = std::make_unique<Request[]>(slots);
  slot_mask_ = slots - 1;
}

ClientConnection::~ClientConnection() = default;

bool ClientConnection::at_rest() const {
  return in_flight() == 0 &&
         (phase_ == Phase::idle || phase_ == Phase::open || phase_ == Phase::backoff);
}

bool ClientConnection::can_take_request() const {
  if (phase_ != Phase::idle && phase_ != Phase::resolving && phase_ != Phase::connecting &&
      phase_ != Phase::open) {
    return false;
  }
  const LoadPlan& plan = worker_.plan();
  return !thinking_ && !last_on_connection_ && in_flight() < plan.pipeline_depth &&
         (plan.max_requests_per_connection == 0 ||
          on_this_connection_ < plan.max_requests_per_connection);
}

void ClientConnection::begin(uint64_t intended_ns, uint64_t now_ns, bool measured,
                             uint32_t request) {
  const LoadPlan& plan = worker_.plan();
  // The write phase starts with the request (or, on a new connection, once connected), so time
  // queued behind earlier requests' writes on this connection is part of it.
  slot(begun_++) = Request{.intended_ns = intended_ns,
                           .start_ns = now_ns,
                           .write_start_ns = now_ns,
                           .measured = measured,
                           .prepared = request};
  ++on_this_connection_;
  if (measured) ++worker_.recorder().requests_sent;
  if (plan.one_request_per_connection ||
      (plan.max_requests_per_connection != 0 &&
       on_this_connection_ >= plan.max_requests_per_connection)) {
    last_on_connection_ = true;
  }
  if (phase_ == Phase::idle) return connect(now_ns);
  if (phase_ != Phase::open) return;  // connecting: on_connected writes it
  if (plan.protocol == Protocol::stream) return send_chunk();
  write_pending();
}

void ClientConnection::connect(uint64_t now_ns) {
  const LoadPlan& plan = worker_.plan();
  connect_start_ns_ = now_ns;
  connect_measured_ = slot(completed_).measured;
  http_.reset();
  echo_received_ = 0;
  if (!plan.resolve_each_connection) return connect_to(plan.target.get());
  phase_ = Phase::resolving;
  addrinfo hints{};
  hints.ai_family = plan.target.family();  // the family preflight checked local_addresses for
  hints.ai_socktype = SOCK_STREAM;
  resolve_request_.data = this;
  if (uv_getaddrinfo(worker_.loop(), &resolve_request_, on_resolved, plan.target_host.c_str(),
                     plan.target_service.c_str(), &hints) != 0) {
    return fail_with(ErrorKind::resolve_failed);
  }
  resolve_pending_ = true;
}

// A resolve still running when the run ends keeps the loop (and so this object) alive until it
// reports; by then the connection may be done and only frees the answer.
void ClientConnection::on_resolved(uv_getaddrinfo_t* request, int status, addrinfo* result) {
  auto* self = static_cast<ClientConnection*>(request->data);
  self->resolve_pending_ = false;
  const bool wanted = self->phase_ == Phase::resolving;
  if (wanted && status == 0 && result != nullptr) {
    std::memcpy(&self->resolved_.storage, result->ai_addr, result->ai_addrlen);
  }
  uv_freeaddrinfo(result);
  if (!wanted) return;
  if (status != 0 || result == nullptr) return self->fail_with(ErrorKind::resolve_failed);
  const uint64_t now = uv_hrtime();
  if (self->connect_measured_) {
    self->worker_.recorder().resolve.record(static_cast<int64_t>(now - self->connect_start_ns_));
  }
  self->connect_start_ns_ = now;
  self->connect_to(self->resolved_.get());
}

// Reading starts with the connect, so libuv registers the socket with epoll once for both
// events. Started when the connect completes, it cost an epoll_ctl ADD that failed with EEXIST
// and a MOD per connection. libuv reports the connect before any read.
void ClientConnection::connect_to(const sockaddr* address) {
  phase_ = Phase::connecting;
  int status = transport_->connect(address, local_address, worker_.plan().client_options);
  if (status != 0) {
    worker_.note_connect(status);
  } else {
    status = transport_->start_reading();
  }
  if (status != 0) fail(status);
}

void ClientConnection::count_failed_handshake(int status) {
  // A refused or timed-out TCP connect is no handshake, and an alert after a finished handshake
  // ends a connection, not its handshake; each is counted as what it is.
  const bool handshake_failed = (status == kTlsHandshakeFailed || status == kTlsAlertReceived ||
                                 status == kTlsCertificateRejected) &&
                                transport_->tls_facts() == nullptr;
  Recorder& recorder = worker_.recorder();
  if (recorder.tls && connect_measured_ && handshake_failed) ++recorder.tls->failed;
}

void ClientConnection::on_connected(int status) {
  worker_.note_connect(status);
  Recorder& recorder = worker_.recorder();
  if (status != 0) {
    count_failed_handshake(status);
    return fail(status);
  }
  phase_ = Phase::open;
  const uint64_t now = uv_hrtime();
  if (connect_measured_) {
    record_connected(now);
    ++recorder.connections_opened;
  }
  // The request that opened the connection writes from now; any begun while it connected
  // (pipelined) count the wait in their write phase, as the connect is recorded only once.
  if (written_ < begun_)
    slot(written_).write_start_ns = std::max(slot(written_).write_start_ns, now);
  worker_.note_applied_options(transport_->fd());
  // Before the first write, so every request's last byte has its transmit timestamp.
  if (worker_.plan().timestamps) worker_.note_timestamping(transport_->enable_timestamps());
  if (worker_.recorder().tcp_info) tcp_info_.opened(now);
  if (worker_.plan().protocol == Protocol::stream) return send_chunk();
  write_pending();
}

// Over TLS the transport reports the connection when its handshake is done; TCP connected
// earlier, when the handshake began, so the two are recorded apart. A 0-RTT connection is
// reported at TCP connected, and its handshake in on_handshake_done.
void ClientConnection::record_connected(uint64_t now_ns) {
  const TlsFacts* tls = transport_->tls_facts();
  if (tls == nullptr) {
    worker_.recorder().connect.record(static_cast<int64_t>(now_ns - connect_start_ns_));
    return;
  }
  worker_.recorder().connect.record(
      static_cast<int64_t>(tls->tcp_connected_ns - connect_start_ns_));
  record_handshake(now_ns, *tls);
}

void ClientConnection::record_handshake(uint64_t now_ns, const TlsFacts& tls) {
  Recorder& recorder = worker_.recorder();
  recorder.tls_handshake.record(static_cast<int64_t>(now_ns - tls.tcp_connected_ns));
  if (!recorder.tls) return;
  recorder.tls->record(tls.version, tls.cipher, tls.group, tls.resumed, tls.handshake_bytes_sent,
                       tls.handshake_bytes_received);
  if (tls.early_data == TlsEarlyData::accepted) ++recorder.tls->early_data_accepted;
  if (tls.early_data == TlsEarlyData::rejected) ++recorder.tls->early_data_rejected;
}

// The request went as early data with the ClientHello; the handshake ends as its answer comes.
void ClientConnection::on_handshake_done() {
  const TlsFacts* tls = transport_->tls_facts();
  if (connect_measured_ && tls != nullptr) record_handshake(uv_hrtime(), *tls);
}

// Writes every begun request in order, each as the plan's one or two writes, until the
// transport has to queue one; on_write_done goes on from there.
void ClientConnection::write_pending() {
  const LoadPlan& plan = worker_.plan();
  while (!group_queued_ && written_ < begun_ && phase_ == Phase::open) {
    const uint64_t now = uv_hrtime();
    const LoadPlan::WriteGroup& group = plan.requests[slot(written_).prepared].writes[write_group_];
    int error = 0;
    const bool last_write =
        plan.timestamps && write_group_ + 1 == plan.requests[slot(written_).prepared].write_count;
    // Read before the write: the kernel stamps the bytes inside it, so a step of the wall clock
    // between that stamp and any later reading (the loop may be preempted right after the call)
    // shows as a difference from the reading at the answer, and the request is not split.
    const int64_t offset_before_write = last_write ? realtime_minus_monotonic_ns() : 0;
    const WriteOutcome outcome = transport_->write(group.buffers, group.count, &error);
    if (Request& request = slot(written_); last_write && outcome != WriteOutcome::failed) {
      request.transmit_key = transport_->transmit_key();  // queued or not, its bytes are counted
      request.handed_over = true;
      request.offset_at_handover_ns = offset_before_write;
      request.handed_over_ns = uv_hrtime();
      transport_->collect_transmit_timestamps();
    }
    switch (outcome) {
      case WriteOutcome::failed:
        return fail(error);
      case WriteOutcome::queued:
        group_queued_ = true;
        queued_request_ = written_;
        write_waiting_since_ns_ = now;
        return;
      case WriteOutcome::done:
        group_written(now);
        break;
    }
  }
}

void ClientConnection::group_written(uint64_t now_ns) {
  Request& request = slot(written_);
  const LoadPlan::PreparedRequest& prepared = worker_.plan().requests[request.prepared];
  if (++write_group_ < prepared.write_count) return;
  write_group_ = 0;
  if (written_ >= completed_ && request.sent_ns == 0) request.sent_ns = now_ns;
  if (request.measured) worker_.recorder().add_bytes_sent(now_ns, prepared.bytes);
  ++written_;
}

// Stream: one chunk after another on one connection, each counted as it is handed to the kernel.
void ClientConnection::send_chunk() {
  phase_ = Phase::streaming;
  const LoadPlan& plan = worker_.plan();
  write_waiting_since_ns_ = uv_hrtime();
  if (const int status = transport_->write_then_notify(plan.requests[0].writes[0].buffers, 1))
    fail(status);
}

// The time a write waited for room in the send buffer, inside the measured window: the harness's
// own view of a sender stalled by SO_SNDBUF. A chunk the kernel took at once adds only the one
// loop turn its callback waits for.
void ClientConnection::count_send_buffer_wait(uint64_t now_ns) {
  if (!worker_.recorder().tcp_info || write_waiting_since_ns_ == 0) return;
  const uint64_t from = std::max(write_waiting_since_ns_, worker_.plan().warmup_end_ns);
  const uint64_t to = std::min(now_ns, worker_.tcp_info_window_end_ns());
  write_waiting_since_ns_ = 0;
  if (to > from) worker_.recorder().tcp_info->send_buffer_wait_us += (to - from) / 1000;
}

void ClientConnection::on_write_done(int status) {
  group_queued_ = false;
  if (status != 0) return fail(status);
  const uint64_t now = uv_hrtime();
  count_send_buffer_wait(now);
  if (phase_ == Phase::streaming) {
    const Request& chunk = slot(completed_);
    if (chunk.measured) {
      Recorder& recorder = worker_.recorder();
      recorder.add_bytes_sent(now, worker_.plan().payload.size());
      ++recorder.requests_ok;
      ++recorder.timeline.at(now).requests_ok;
      worker_.note_completion(now);
    }
    written_ = ++completed_;
    phase_ = Phase::open;
    return worker_.connection_free(*this, now);
  }
  // A request answered before its write was reported done was accounted for by the answer.
  if (queued_request_ == written_) group_written(now);
  write_pending();
}

void ClientConnection::tell_page_user(unsigned requests, bool ok, uint64_t now_ns) {
  if (page_user != nullptr && requests > 0) page_user->requests_finished(requests, ok, now_ns);
}

void ClientConnection::sample_tcp_info(uint64_t now_ns) {
  if (!tcp_info_.open()) return;
  tcp_info_.sample(transport_->fd(), now_ns, worker_.plan().warmup_end_ns,
                   worker_.tcp_info_window_end_ns(), *worker_.recorder().tcp_info);
}

void ClientConnection::tick(uint64_t now_ns) {
  switch (phase_) {
    case Phase::resolving:
    case Phase::connecting:
    case Phase::open:
      if (thinking_ && run_over(now_ns)) return finish();
      // closer server: a server that never ends the connection is waited for timeout_ms.
      if (awaiting_server_close_ && now_ns - waiting_since_ns_ > worker_.plan().timeout_ns) {
        return close_connection(false);
      }
      // From the request's actual start: time spent queued for a connection is not the
      // server's fault and is measured as latency instead.
      if (in_flight() > 0 && now_ns - slot(completed_).start_ns > worker_.plan().timeout_ns) {
        // A handshake that never completes (a black-holed target) is a failed attempt too.
        if (phase_ == Phase::connecting) worker_.note_connect(UV_ETIMEDOUT);
        fail_with(phase_ == Phase::resolving ? ErrorKind::resolve_failed : ErrorKind::timeout);
      }
      return;
    case Phase::backoff:
      if (now_ns >= retry_at_ns_ && !resolve_pending_) {
        phase_ = Phase::idle;
        worker_.connection_free(*this, now_ns);
      }
      return;
    case Phase::streaming:
      if (worker_.stopping(now_ns)) finish();
      return;
    case Phase::idle:
      if (thinking_ && run_over(now_ns)) finish();
      return;
    case Phase::closing:
      // half_close: a peer that never sends its FIN is waited for timeout_ms.
      if (half_closing_ && now_ns - waiting_since_ns_ > worker_.plan().timeout_ns) {
        half_closing_ = false;
        transport_->close();
      }
      return;
    default:
      return;
  }
}

void ClientConnection::finish() {
  if (phase_ == Phase::done) return;
  // Closing connections have nothing in flight, but for one keeping its requests for a retry.
  if (phase_ != Phase::closing || keep_unanswered_) {
    for (uint64_t sequence = completed_; sequence < begun_; ++sequence) {
      if (slot(sequence).measured) worker_.count_in_flight_at_end();
    }
  }
  phase_ = Phase::done;
  thinking_ = false;
  think_timer_.close();
  // A lookup still queued is dropped; one already running keeps the loop until it answers,
  // which the resolver's own timeout bounds (resolv.conf: timeout x attempts).
  if (resolve_pending_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_request_));
  if (tcp_info_.open()) sample_tcp_info_before_close(uv_hrtime());
  transport_->close();
  worker_.connection_finished();
}

}  // namespace th
