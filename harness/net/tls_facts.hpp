#pragma once

#include <cstdint>

#include "stats/error_kind.hpp"  // kTls* statuses

namespace th {

// TLS 1.3 0-RTT on one connection: not sent (no early data asked for, or the session allowed
// none), or sent and accepted or rejected by the server.
enum class TlsEarlyData : uint8_t { not_sent, accepted, rejected };

// What one connection's handshake settled, for the client's report. The names are OpenSSL's,
// valid while the connection's context lives: copy them to keep them.
struct TlsFacts {
  uint64_t tcp_connected_ns = 0;  // uv_hrtime() when TCP connected: the handshake's start
  bool resumed = false;
  TlsEarlyData early_data = TlsEarlyData::not_sent;
  const char* version = "";               // "TLSv1.3"
  const char* cipher = "";                // "TLS_AES_256_GCM_SHA384"
  const char* group = "";                 // "x25519"; empty when TLS 1.2 used RSA key exchange
  uint64_t handshake_bytes_sent = 0;      // TLS records written until the handshake finished
  uint64_t handshake_bytes_received = 0;  // and read
};

}  // namespace th
