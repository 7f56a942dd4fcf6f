#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace th {

enum class TlsVersion { tls1_2, tls1_3 };
// How a client comes back: every connection a full handshake; a session ticket (RFC 8446 / 5077);
// or TLS 1.2's server-side session cache, found by the session id.
enum class TlsResumption { none, tickets, session_id };
// The embedded server's certificate key, generated in memory at start.
enum class TlsKeyType { ecdsa_p256, rsa_2048, rsa_4096, ed25519 };

// A scenario's `tls` object: both ends of a TLS connection as plain values. The client reads the
// handshake settings, the embedded server the same ones plus its certificate; OpenSSL checks the
// names (ciphers, groups) when the contexts are made, before any load.
struct TlsOptions {
  std::optional<TlsVersion> version;  // absent: the highest both sides offer
  TlsResumption resumption = TlsResumption::none;
  // TLS 1.3 0-RTT: a resuming client sends its first request as early data, and the embedded
  // server accepts it (and answers before the handshake ends, 0.5-RTT).
  bool early_data = false;
  std::string ciphers;            // TLS 1.2 cipher list, OpenSSL's syntax; empty: OpenSSL's default
  std::string ciphersuites;       // TLS 1.3 suites, colon-separated; empty: OpenSSL's default
  std::string groups;             // key exchange groups, colon-separated; empty: OpenSSL's default
  std::vector<std::string> alpn;  // protocols offered (client) or accepted (server), in order
  std::optional<std::string> sni;  // absent: the target's host name when it is not an address
  bool verify = false;             // check the server's certificate chain and name
  std::string ca_file;             // trusted CAs for verify; empty: the system's store
  TlsKeyType key_type = TlsKeyType::ecdsa_p256;
  std::string cert_file;  // PEM, with key_file: the embedded server's certificate instead
  std::string key_file;
  bool ktls = false;  // kernel TLS (the tls ULP); refused where the kernel lacks it
};

const char* to_string(TlsVersion version);
const char* to_string(TlsResumption resumption);
const char* to_string(TlsKeyType key_type);

}  // namespace th
