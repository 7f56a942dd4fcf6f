#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace th {

// What went wrong with one request. Each kind is a separate counter in the report, so a user can
// tell a server that refused from one that reset or from a client that ran out of ports.
enum class ErrorKind : uint8_t {
  resolve_failed,   // the target's host name did not resolve (resolve: every_request)
  connect_refused,  // ECONNREFUSED: nothing listening, or the accept queue overflowed
  reset,            // ECONNRESET / EPIPE: the peer aborted the connection
  // A reset while the request was written and its response not yet complete: the response was
  // cut short, or lost whole with the peer's unsent data (a close with unread input resets).
  response_reset,
  timeout,                    // no complete response within timeout_ms
  ephemeral_ports_exhausted,  // EADDRNOTAVAIL on connect (EADDRINUSE on bind): no free local port
  too_many_open_files,        // EMFILE / ENFILE
  closed_early,               // the peer closed before the response was complete
  bad_response,               // unparsable HTTP, unexpected status, or echo bytes that differ
  tls_handshake_failed,       // the TLS handshake failed here, or the peer closed during it
  tls_alert,                  // the peer ended the TLS session with a fatal alert
  tls_certificate,            // verify: the server's certificate chain or name did not check out
  other,                      // any other socket error
};

inline constexpr size_t kErrorKindCount = static_cast<size_t>(ErrorKind::other) + 1;

const char* to_string(ErrorKind kind);

// Statuses a TLS transport reports through TransportEvents where libuv's negative errno codes
// have no word for what failed; far below libuv's range (its lowest, UV_EAI_*, is near -3015).
inline constexpr int kTlsHandshakeFailed = -30001;
inline constexpr int kTlsAlertReceived = -30002;
inline constexpr int kTlsCertificateRejected = -30003;

// Maps a libuv status code (negative errno) or a kTls* status to the kind a report counts it as.
ErrorKind error_kind_from_uv(int status);
// What the status means, as uv_strerror says it ("connection refused"), kTls* statuses included.
const char* status_text(int status);

using ErrorCounts = std::array<uint64_t, kErrorKindCount>;

}  // namespace th
