#include "base/tls_options.hpp"

namespace th {

const char* to_string(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls1_2:
      return "1.2";
    case TlsVersion::tls1_3:
      return "1.3";
  }
  return "unknown";
}

const char* to_string(TlsResumption resumption) {
  switch (resumption) {
    case TlsResumption::none:
      return "none";
    case TlsResumption::tickets:
      return "tickets";
    case TlsResumption::session_id:
      return "session_id";
  }
  return "unknown";
}

const char* to_string(TlsKeyType key_type) {
  switch (key_type) {
    case TlsKeyType::ecdsa_p256:
      return "ecdsa-p256";
    case TlsKeyType::rsa_2048:
      return "rsa-2048";
    case TlsKeyType::rsa_4096:
      return "rsa-4096";
    case TlsKeyType::ed25519:
      return "ed25519";
  }
  return "unknown";
}

}  // namespace th
