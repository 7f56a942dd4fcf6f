// TLS 1.3 early data (0-RTT), the parts of TlsTransport only a 0-RTT connection runs: the
// client's resumption with a copy of its session and its early writes, the server's reading of
// early data. See tls_transport.cpp for the transport as a whole.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/tls_transport.hpp"

namespace th {

// A session that carried early data is changed by that handshake: the next 0-RTT handshake
// with the same SSL_SESSION object failed in OpenSSL with an internal error alert. A connection
// that will send early data resumes with a copy, and the original stays for the next one (its own
// new ticket comes after the 0.5-RTT answer, usually after a per_request client has closed).
void TlsTransport::resume_with_session() {
  if (!context_->options().early_data || SSL_SESSION_get_max_early_data(session_) == 0) {
    SSL_set_session(ssl_, session_);
    return;
  }
  SSL_SESSION* copy = SSL_SESSION_dup(session_);
  if (copy == nullptr) {
    ERR_clear_error();
    return;  // a full handshake, then
  }
  SSL_set_session(ssl_, copy);
  SSL_SESSION_free(copy);  // the SSL object holds its own reference
  offers_early_data_ = true;
}

// The server's flight leaves before any answer the owner writes to early data, and the owner
// hears of the connection with the first early data, so it can answer in 0.5-RTT.
bool TlsTransport::read_early_data() {
  while (!closing_ && !paused_ && !fatal_) {
    size_t got = 0;
    const int result = SSL_read_early_data(ssl_, read_buffer_, kReadBufferBytes, &got);
    if (result == SSL_READ_EARLY_DATA_FINISH) {
      early_finished_ = true;
      return true;
    }
    const int flushed = flush();
    if (result == SSL_READ_EARLY_DATA_SUCCESS) {
      if (flushed != 0) {
        fail_handshake(flushed);
        return false;
      }
      if (!early_open_) {
        early_open_ = true;
        events_->on_connected(0);
      }
      if (got > 0 && !closing_) events_->on_data(read_buffer_, got);
      continue;
    }
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (flushed != 0) fail_handshake(flushed);
      return false;
    }
    fail_handshake(alert_received_ ? kTlsAlertReceived : kTlsHandshakeFailed);
    return false;
  }
  return false;
}

int TlsTransport::resend_early_plaintext() {
  const size_t from = facts_.early_data == TlsEarlyData::accepted ? early_sent_ : 0;
  int status = 0;
  if (from < early_plaintext_.size() &&
      SSL_write(ssl_, early_plaintext_.data() + from,
                static_cast<int>(early_plaintext_.size() - from)) <= 0) {
    ERR_clear_error();
    status = UV_EPROTO;
  }
  early_plaintext_.clear();  // its capacity stays, for the next connection
  return status;
}

// A client's writes before its 0-RTT handshake ends go as early data while the ticket's
// allowance lasts; the first that does not fit, and all after it, wait for the handshake.
WriteOutcome TlsTransport::write_early(const uv_buf_t* buffers, unsigned count, int* error) {
  for (unsigned index = 0; index < count; ++index) {
    const uv_buf_t& buffer = buffers[index];
    if (buffer.len == 0) continue;
    early_plaintext_.insert(early_plaintext_.end(), buffer.base, buffer.base + buffer.len);
    if (early_held_ || buffer.len > early_allowance_) {
      early_held_ = true;
      continue;
    }
    size_t written = 0;
    // A memory BIO takes everything, and the size fits the allowance: a failure is fatal (the
    // ClientHello could not be made), not a reason to hold the data.
    if (SSL_write_early_data(ssl_, buffer.base, buffer.len, &written) != 1) {
      fatal_ = true;
      ERR_clear_error();
      *error = UV_EPROTO;
      return WriteOutcome::failed;
    }
    early_sent_ += written;
    early_allowance_ -= static_cast<uint32_t>(written);
  }
  if (SSL_in_before(ssl_)) {
    // Nothing went as early data: the ClientHello goes alone.
    SSL_do_handshake(ssl_);
    ERR_clear_error();
  }
  if (const int status = flush(); status != 0) {
    *error = status;
    return WriteOutcome::failed;
  }
  return written_outcome();
}

}  // namespace th
