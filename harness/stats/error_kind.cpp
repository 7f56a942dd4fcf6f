#include "stats/error_kind.hpp"

#include <uv.h>

namespace th {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::resolve_failed:
      return "resolve_failed";
    case ErrorKind::connect_refused:
      return "connect_refused";
    case ErrorKind::reset:
      return "reset";
    case ErrorKind::response_reset:
      return "response_reset";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::ephemeral_ports_exhausted:
      return "ephemeral_ports_exhausted";
    case ErrorKind::too_many_open_files:
      return "too_many_open_files";
    case ErrorKind::closed_early:
      return "closed_early";
    case ErrorKind::bad_response:
      return "bad_response";
    case ErrorKind::tls_handshake_failed:
      return "tls_handshake_failed";
    case ErrorKind::tls_alert:
      return "tls_alert";
    case ErrorKind::tls_certificate:
      return "tls_certificate";
    case ErrorKind::other:
      return "other";
  }
  return "other";
}

const char* status_text(int status) {
  switch (status) {
    case kTlsHandshakeFailed:
      return "TLS handshake failed";
    case kTlsAlertReceived:
      return "the server ended the TLS handshake with a fatal alert";
    case kTlsCertificateRejected:
      return "the server's certificate did not verify (tls.verify)";
    default:
      return uv_strerror(status);
  }
}

ErrorKind error_kind_from_uv(int status) {
  switch (status) {
    case UV_ECONNREFUSED:
      return ErrorKind::connect_refused;
    case UV_ECONNRESET:
    case UV_EPIPE:
    case UV_ECONNABORTED:
      return ErrorKind::reset;
    case UV_ETIMEDOUT:
      return ErrorKind::timeout;
    case UV_EADDRNOTAVAIL:
    // bind() to a chosen source address with port 0 says EADDRINUSE when its ports are gone.
    case UV_EADDRINUSE:
      return ErrorKind::ephemeral_ports_exhausted;
    case UV_EMFILE:
    case UV_ENFILE:
      return ErrorKind::too_many_open_files;
    case UV_EOF:
      return ErrorKind::closed_early;
    case kTlsHandshakeFailed:
      return ErrorKind::tls_handshake_failed;
    case kTlsAlertReceived:
      return ErrorKind::tls_alert;
    case kTlsCertificateRejected:
      return ErrorKind::tls_certificate;
    default:
      return ErrorKind::other;
  }
}

}  // namespace th
