#include "server/session.hpp"

#include <unistd.h>

#include "net/socket_options.hpp"
#include "server/server_loop.hpp"

namespace th {

Session::Session(ServerLoop& loop)
    : loop_(loop), transport_(loop.shared().config.make_transport(loop.uv_loop(), this, nullptr)) {}

int Session::open(int fd) {
  reading_ = false;
  closing_ = false;
  touch();
  opened_ms_ = last_active_ms_;
  reset();
  // uv_tcp_open costs one more syscall than uv_accept did (it sets O_NONBLOCK again); the price
  // of accepting ourselves, see ServerLoop.
  int status = transport_->open_accepted(fd);
  if (status != 0) {
    ::close(fd);
    return status;
  }
  // Only the options that may change after the handshake: the buffer sizes and the MSS were
  // inherited from the listener, where they had to be set before listen() to shape the SYN-ACK
  // (RFC 7323 §2.2 for the window scale).
  const SocketOptions& options = loop_.shared().config.options;
  status = apply_socket_options(fd, options, SocketRole::accepted, nullptr);
  if (status != 0) return status;
  transport_->rearm_quickack(options.tcp_quickack.value_or(false));
  loop_.record_applied_options(fd);
  return resume_reading();
}

void Session::close() {
  if (closing_) return;
  closing_ = true;
  if (transport_->is_open()) {
    transport_->close();  // on_closed returns the session to the loop
  } else {
    loop_.release(this);  // the accept failed before the handle existed
  }
}

void Session::touch() { last_active_ms_ = loop_.now_ms(); }

void Session::on_connected(int status) {
  if (status == 0) count_handshake();  // a 0-RTT one is counted in on_handshake_done
}

void Session::on_handshake_done() { count_handshake(); }

void Session::count_handshake() {
  const TlsFacts* tls = transport_->tls_facts();
  if (tls == nullptr) return;
  LoopCounters& counters = loop_.counters();
  add(tls->resumed ? counters.tls_resumed : counters.tls_full);
  if (tls->early_data == TlsEarlyData::accepted) add(counters.tls_early_data_accepted);
  if (tls->early_data == TlsEarlyData::rejected) add(counters.tls_early_data_rejected);
}

void Session::on_read_end(int status) {
  // An alert after the handshake (a client refused renegotiation giving up) ends a connection
  // whose handshake was counted as done already.
  const bool handshake_failed = status == kTlsHandshakeFailed || status == kTlsAlertReceived ||
                                status == kTlsCertificateRejected;
  if (handshake_failed && transport_->tls_facts() == nullptr) add(loop_.counters().tls_failed);
  close();
}

void Session::check_timeouts(uint64_t now_ms) {
  // A handshake gets the time a request head gets: a client that stops half-way (or never
  // starts) holds a connection no longer than one that stops in the middle of its headers.
  const uint32_t header_timeout_ms = loop_.shared().config.limits.header_timeout_ms;
  if (!closing_ && header_timeout_ms != 0 && transport_->handshake_pending() &&
      now_ms - opened_ms_ >= header_timeout_ms) {
    add(loop_.counters().tls_handshake_timeouts);
    return close();
  }
  const uint32_t idle_timeout_ms = loop_.shared().config.limits.idle_timeout_ms;
  if (closing_ || idle_timeout_ms == 0 || now_ms - last_active_ms_ < idle_timeout_ms) return;
  add(loop_.counters().idle_timeouts);
  close();
}

void Session::pause_reading() {
  if (!reading_) return;
  transport_->stop_reading();
  reading_ = false;
}

int Session::resume_reading() {
  if (reading_ || closing_) return 0;
  const int status = transport_->start_reading();
  if (status == 0) reading_ = true;
  return status;
}

// The last call the transport makes on this connection, so release() may delete the session.
void Session::on_closed() { loop_.release(this); }

void EchoSession::on_data(const char* data, size_t size) {
  read_ns_ = uv_hrtime();
  touch();
  LoopCounters& counters = loop_.counters();
  add(counters.bytes_received, size);
  // Echo straight from the transport's read buffer: when the kernel cannot take it all, reading
  // pauses until the queued rest is written, so no read can overwrite those bytes meanwhile.
  const uv_buf_t buffer = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(size));
  int error = 0;
  const WriteOutcome outcome = transport_->write(&buffer, 1, &error);
  // Echo has no message boundaries here: one reading per read echoed back.
  if (outcome != WriteOutcome::failed) loop_.record_cwnd_at_response(*transport_, read_ns_, 1);
  switch (outcome) {
    case WriteOutcome::done:
      add(counters.bytes_sent, size);
      loop_.record_own_time(read_ns_);
      break;
    case WriteOutcome::queued:
      queued_bytes_ = size;
      pause_reading();
      break;
    case WriteOutcome::failed:
      close();
      break;
  }
}

void EchoSession::on_write_done(int status) {
  if (status != 0) return close();
  touch();
  add(loop_.counters().bytes_sent, queued_bytes_);
  loop_.record_own_time(read_ns_);
  queued_bytes_ = 0;
  if (resume_reading() != 0) close();
}

void StreamSession::on_data(const char*, size_t size) {
  touch();
  add(loop_.counters().bytes_received, size);
}

}  // namespace th
