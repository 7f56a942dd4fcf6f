#include "net/tls_transport.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cassert>
#include <cerrno>

namespace th {
namespace {

bool is_address(const std::string& name) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, name.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, name.c_str(), bytes) == 1;
}

}  // namespace

TlsTransport::TlsTransport(uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer,
                           std::shared_ptr<const TlsContext> context, std::string server_name)
    : loop_(loop),
      own_read_buffer_(shared_read_buffer ? nullptr : new char[kReadBufferBytes]),
      read_buffer_(shared_read_buffer ? shared_read_buffer : own_read_buffer_.get()),
      tcp_(loop, this, read_buffer_),
      events_(events),
      context_(std::move(context)),
      server_name_(std::move(server_name)) {}

TlsTransport::~TlsTransport() {
  end_session();
  if (session_ != nullptr) SSL_SESSION_free(session_);
}

int TlsTransport::begin_session(bool client) {
  end_session();
  client_ = client;
  handshake_done_ = owner_waits_ = shutdown_after_flush_ = alert_received_ = closing_ = false;
  shutdown_after_handshake_ = offers_early_data_ = fatal_ = paused_ = early_open_ =
      early_finished_ = early_held_ = false;
  early_plaintext_.clear();
  early_sent_ = 0;
  early_allowance_ = 0;
  facts_ = {};
  ssl_ = SSL_new(context_->native());
  into_ssl_ = BIO_new(BIO_s_mem());
  out_of_ssl_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || into_ssl_ == nullptr || out_of_ssl_ == nullptr) {
    BIO_free(into_ssl_);
    BIO_free(out_of_ssl_);
    into_ssl_ = out_of_ssl_ = nullptr;
    end_session();
    ERR_clear_error();
    return UV_ENOMEM;
  }
  // An empty BIO means "no data yet", not end of stream: the socket says when the stream ends.
  BIO_set_mem_eof_return(into_ssl_, -1);
  SSL_set_bio(ssl_, into_ssl_, out_of_ssl_);
  SSL_set_app_data(ssl_, static_cast<TlsSessionSink*>(this));
  SSL_set_info_callback(ssl_, on_info);
  if (!client) {
    SSL_set_accept_state(ssl_);
    return 0;
  }
  SSL_set_connect_state(ssl_);
  const TlsOptions& options = context_->options();
  const std::string& name = options.sni ? *options.sni : server_name_;
  if (!name.empty() && !is_address(name)) SSL_set_tlsext_host_name(ssl_, name.c_str());
  if (options.verify && !server_name_.empty()) {
    X509_VERIFY_PARAM* parameters = SSL_get0_param(ssl_);
    if (is_address(server_name_)) {
      X509_VERIFY_PARAM_set1_ip_asc(parameters, server_name_.c_str());
    } else {
      SSL_set1_host(ssl_, server_name_.c_str());
    }
  }
  if (session_ != nullptr && options.resumption != TlsResumption::none) {
    resume_with_session();
  }
  return 0;
}

void TlsTransport::end_session() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // and the two BIOs it owns
  ssl_ = nullptr;
  into_ssl_ = out_of_ssl_ = nullptr;
}

int TlsTransport::connect(const sockaddr* remote, const sockaddr* local,
                          const SocketOptions& options) {
  if (const int status = begin_session(true); status != 0) return status;
  return tcp_.connect(remote, local, options);
}

int TlsTransport::open_accepted(int fd) {
  if (const int status = begin_session(false); status != 0) return status;
  const int status = tcp_.open_accepted(fd);
  if (status != 0) end_session();
  return status;
}

// A session is resumable only after a proper close: OpenSSL marks the session of a connection
// freed without close_notify as bad (SSL_free: ssl_clear_bad_session), which would make every
// per_request connection a full handshake. So a healthy connection says close_notify, best
// effort (whatever the kernel takes at once), as curl and browsers do.
void TlsTransport::close() {
  if (ssl_ != nullptr && handshake_done_ && !fatal_ && !closing_) {
    if (SSL_shutdown(ssl_) >= 0) flush();
    ERR_clear_error();
  }
  closing_ = true;
  if (drain_timer_.initialised()) {
    timer_closing_ = true;
    drain_timer_.close(on_drain_timer_closed);
  }
  tcp_.close();
}

void TlsTransport::on_drain_timer_closed(uv_handle_t* handle) {
  auto* self = static_cast<TlsTransport*>(handle->data);
  self->timer_closing_ = false;
  if (self->socket_closed_) self->report_closed();
}

int TlsTransport::start_reading() {
  paused_ = false;
  const int status = tcp_.start_reading();
  if (status != 0 || (!handshake_done_ && !early_open_) || closing_ || ssl_ == nullptr) {
    return status;
  }
  if (SSL_pending(ssl_) > 0 || BIO_ctrl_pending(into_ssl_) > 0) {
    if (!drain_timer_.initialised() && drain_timer_.init_timer(loop_, this) != 0) return UV_ENOMEM;
    return uv_timer_start(drain_timer_.get(), on_drain, 0, 0);
  }
  return 0;
}

void TlsTransport::stop_reading() {
  paused_ = true;
  tcp_.stop_reading();
}

void TlsTransport::on_drain(uv_timer_t* timer) {
  auto* self = static_cast<TlsTransport*>(timer->data);
  if (self->ssl_ == nullptr || self->closing_) return;
  if (self->handshake_done_) return self->read_plaintext();
  if (self->early_open_) self->advance_handshake();
}

void TlsTransport::on_info(const SSL* ssl, int where, int value) {
  // SSL_CB_READ_ALERT is SSL_CB_ALERT | SSL_CB_READ: both bits, or an alert this side wrote
  // would count as the peer's.
  if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT || SSL_alert_type_string(value)[0] != 'F') {
    return;
  }
  auto* sink = static_cast<TlsSessionSink*>(SSL_get_app_data(ssl));
  static_cast<TlsTransport*>(sink)->alert_received_ = true;
}

void TlsTransport::on_connected(int status) {
  if (status != 0) return events_->on_connected(status);
  facts_.tcp_connected_ns = uv_hrtime();
  if (!client_ || !offers_early_data_) return advance_handshake();
  // 0-RTT: the owner writes its request now, and it leaves with the ClientHello.
  early_open_ = true;
  early_allowance_ = SSL_SESSION_get_max_early_data(session_);
  events_->on_connected(0);
  // An owner that wrote nothing yet: the ClientHello goes alone.
  if (ssl_ != nullptr && !closing_ && !fatal_ && SSL_in_before(ssl_)) advance_handshake();
}

void TlsTransport::advance_handshake() {
  if (!client_ && !early_finished_ && context_->options().early_data && !read_early_data()) return;
  const int result = SSL_do_handshake(ssl_);
  // A client's last flight (Finished) waits for the request the owner writes on
  // on_connected, so both leave in one segment. Written apart, the request was a second small
  // segment behind an unacknowledged one: Nagle held it until the server's delayed ACK, 40 ms
  // on every new connection.
  if (result == 1 && client_) {
    finish_handshake();
    if (ssl_ != nullptr && !closing_ && !fatal_) {
      if (const int flushed = flush(); flushed != 0) events_->on_read_end(flushed);
    }
    return;
  }
  // Otherwise OpenSSL's output goes first: the next flight, or the alert that tells the peer
  // why the handshake failed.
  const int flushed = flush();
  if (result == 1) return flushed == 0 ? finish_handshake() : fail_handshake(flushed);
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    if (flushed != 0) fail_handshake(flushed);
    return;
  }
  if (client_ && context_->options().verify && SSL_get_verify_result(ssl_) != X509_V_OK) {
    return fail_handshake(kTlsCertificateRejected);
  }
  fail_handshake(alert_received_ ? kTlsAlertReceived : kTlsHandshakeFailed);
}

void TlsTransport::finish_handshake() {
  handshake_done_ = true;
  facts_.resumed = SSL_session_reused(ssl_) == 1;
  switch (SSL_get_early_data_status(ssl_)) {
    case SSL_EARLY_DATA_ACCEPTED:
      facts_.early_data = TlsEarlyData::accepted;
      break;
    case SSL_EARLY_DATA_REJECTED:
      facts_.early_data = TlsEarlyData::rejected;
      break;
    default:
      facts_.early_data = TlsEarlyData::not_sent;
  }
  facts_.version = SSL_get_version(ssl_);
  facts_.cipher = SSL_get_cipher_name(ssl_);
  const int group = SSL_get_negotiated_group(ssl_);
  const char* group_name = group != 0 ? SSL_group_to_name(ssl_, group) : nullptr;
  facts_.group = group_name != nullptr ? group_name : "";
  facts_.handshake_bytes_received = BIO_number_read(into_ssl_);
  facts_.handshake_bytes_sent = BIO_number_written(out_of_ssl_);
  if (!early_open_) {
    events_->on_connected(0);
  } else {
    if (client_) {
      if (const int status = resend_early_plaintext(); status != 0) {
        fatal_ = true;
        return events_->on_read_end(status);
      }
    }
    events_->on_handshake_done();
    if (shutdown_after_handshake_ && !closing_) {
      shutdown_after_handshake_ = false;
      if (const int status = shutdown_write(); status != 0) return events_->on_read_end(status);
    }
  }
  // Records that came with the last handshake flight (a request right behind the client's
  // Finished, or TLS 1.3 tickets) are already in the BIO.
  if (!closing_) read_plaintext();
}

void TlsTransport::fail_handshake(int status) {
  fatal_ = true;
  ERR_clear_error();  // the queue is per thread and would otherwise grow
  // A 0-RTT client heard on_connected(0) already: the failure ends its reading instead.
  if (client_ && !early_open_) return events_->on_connected(status);
  events_->on_read_end(status);
}

void TlsTransport::on_data(const char* data, size_t size) {
  if (ssl_ == nullptr || closing_) return;
  BIO_write(into_ssl_, data, static_cast<int>(size));
  if (!handshake_done_) return advance_handshake();
  read_plaintext();
}

// Plaintext goes out of the same buffer the ciphertext came in: BIO_write copied it already.
void TlsTransport::read_plaintext() {
  while (!closing_ && !paused_) {
    const int got = SSL_read(ssl_, read_buffer_, static_cast<int>(kReadBufferBytes));
    if (got > 0) {
      events_->on_data(read_buffer_, static_cast<size_t>(got));
      continue;
    }
    const int error = SSL_get_error(ssl_, got);
    // A read can make output too: the answer to a key update, an alert.
    const int flushed = flush();
    if (error == SSL_ERROR_WANT_READ) {
      if (flushed != 0) events_->on_read_end(flushed);
      return;
    }
    ERR_clear_error();
    if (error == SSL_ERROR_ZERO_RETURN) return events_->on_read_end(UV_EOF);  // close_notify
    fatal_ = true;
    return events_->on_read_end(alert_received_ ? kTlsAlertReceived : UV_EPROTO);
  }
}

void TlsTransport::on_read_end(int status) {
  if (!handshake_done_) return fail_handshake(kTlsHandshakeFailed);  // the peer left mid-way
  events_->on_read_end(status);
}

int TlsTransport::encrypt(const uv_buf_t* buffers, unsigned count) {
  const bool answering_early_data = !handshake_done_;  // a server's 0.5-RTT answer
  for (unsigned index = 0; index < count; ++index) {
    const uv_buf_t& buffer = buffers[index];
    if (buffer.len == 0) continue;
    size_t written = 0;
    // A memory BIO never refuses bytes, so SSL_write takes all of them or fails.
    const bool ok = answering_early_data
                        ? SSL_write_early_data(ssl_, buffer.base, buffer.len, &written) == 1
                        : SSL_write(ssl_, buffer.base, static_cast<int>(buffer.len)) > 0;
    if (!ok) {
      fatal_ = true;
      ERR_clear_error();
      return UV_EPROTO;
    }
  }
  return 0;
}

int TlsTransport::flush(bool notify) {
  for (size_t pending = BIO_ctrl_pending(out_of_ssl_); pending > 0;
       pending = BIO_ctrl_pending(out_of_ssl_)) {
    const size_t used = gathering_.size();
    gathering_.resize(used + pending);
    BIO_read(out_of_ssl_, gathering_.data() + used, static_cast<int>(pending));
  }
  if (gathering_.empty() || tcp_.write_queued()) return 0;
  sending_.swap(gathering_);
  gathering_.clear();
  uv_buf_t buffer = uv_buf_init(sending_.data(), static_cast<unsigned>(sending_.size()));
  if (notify) return tcp_.write_then_notify(&buffer, 1);
  int error = 0;
  switch (tcp_.write(&buffer, 1, &error)) {
    case WriteOutcome::done:
      sending_.clear();
      return 0;
    case WriteOutcome::queued:
      return 0;
    case WriteOutcome::failed:
      sending_.clear();
      return error;
  }
  return 0;
}

WriteOutcome TlsTransport::write(const uv_buf_t* buffers, unsigned count, int* error) {
  assert(!owner_waits_);
  if ((!handshake_done_ && !early_open_) || closing_ || fatal_) {
    *error = UV_ENOTCONN;
    return WriteOutcome::failed;
  }
  if (client_ && !handshake_done_) return write_early(buffers, count, error);
  int status = encrypt(buffers, count);
  if (status == 0) status = flush();
  if (status != 0) {
    *error = status;
    return WriteOutcome::failed;
  }
  return written_outcome();
}

// The plaintext is encrypted already, so the owner's buffers are free either way; queued keeps
// TCP's meaning for the owner: the kernel did not take everything yet.
WriteOutcome TlsTransport::written_outcome() {
  if (!tcp_.write_queued() && gathering_.empty()) return WriteOutcome::done;
  owner_waits_ = true;
  return WriteOutcome::queued;
}

int TlsTransport::write_then_notify(const uv_buf_t* buffers, unsigned count) {
  assert(!owner_waits_);
  // A server's answer to early data may go before the handshake ends; a client's stream may not
  // (scenarios refuse early data with a stream).
  if ((!handshake_done_ && (client_ || !early_open_)) || closing_ || fatal_) return UV_ENOTCONN;
  int status = encrypt(buffers, count);
  if (status == 0) status = flush(/*notify=*/true);
  if (status == 0) owner_waits_ = true;
  return status;
}

int TlsTransport::shutdown_write() {
  if (ssl_ == nullptr || closing_ || fatal_) return -EBADF;
  // A server that answered early data and is done: close_notify may only follow the
  // handshake (OpenSSL refuses a shutdown in it), so the half-close waits for the client's
  // Finished.
  if (!handshake_done_) {
    shutdown_after_handshake_ = true;
    return 0;
  }
  SSL_shutdown(ssl_);  // close_notify; the peer's answer is not waited for
  ERR_clear_error();
  if (const int status = flush(); status != 0) return status;
  if (tcp_.write_queued() || !gathering_.empty()) {
    shutdown_after_flush_ = true;  // the FIN must follow the records, not overtake them
    return 0;
  }
  return tcp_.shutdown_write();
}

void TlsTransport::after_write_error(int status) {
  if (owner_waits_) {
    owner_waits_ = false;
    return events_->on_write_done(status);
  }
  if (!handshake_done_) return fail_handshake(status);
  events_->on_read_end(status);
}

void TlsTransport::on_write_done(int status) {
  sending_.clear();
  // libuv reports writes that completed as it closes the socket; nothing more is to be sent.
  if (closing_) return;
  if (status == 0) status = flush();
  if (status != 0) return after_write_error(status);
  if (tcp_.write_queued() || !gathering_.empty()) return;
  if (shutdown_after_flush_) {
    shutdown_after_flush_ = false;
    tcp_.shutdown_write();
  }
  if (owner_waits_) {
    owner_waits_ = false;
    events_->on_write_done(0);
  }
}

void TlsTransport::on_closed() {
  socket_closed_ = true;
  if (!timer_closing_) report_closed();
}

void TlsTransport::report_closed() {
  socket_closed_ = false;
  end_session();
  handshake_done_ = owner_waits_ = shutdown_after_flush_ = shutdown_after_handshake_ = false;
  sending_.clear();
  gathering_.clear();
  events_->on_closed();
}

void TlsTransport::keep_session(SSL_SESSION* session) {
  if (SSL_SESSION_is_resumable(session) != 1) {
    SSL_SESSION_free(session);
    return;
  }
  if (session_ != nullptr) SSL_SESSION_free(session_);
  session_ = session;
}

TransportFactory tls_transport_factory(std::shared_ptr<const TlsContext> context,
                                       std::string server_name) {
  return [context = std::move(context), server_name = std::move(server_name)](
             uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer) {
    return std::make_unique<TlsTransport>(loop, events, shared_read_buffer, context, server_name);
  };
}

}  // namespace th
