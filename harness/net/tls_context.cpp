#include "net/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <utility>

#include "base/config_error.hpp"

namespace th {
namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no reason given";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

[[noreturn]] void refuse(const char* key, const std::string& value, const std::string& why) {
  ERR_clear_error();
  throw ConfigError(fmt::format("tls.{}: \"{}\" {}", key, value, why));
}

void set_versions(SSL_CTX* context, const TlsOptions& options) {
  // Nothing below TLS 1.2: what a measurement of today's HTTPS needs, and what OpenSSL 3
  // enables anyway.
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (!options.version) return;
  const int version = *options.version == TlsVersion::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (SSL_CTX_set_min_proto_version(context, version) != 1 ||
      SSL_CTX_set_max_proto_version(context, version) != 1) {
    refuse("version", to_string(*options.version), "is not available in this OpenSSL build");
  }
}

void set_algorithms(SSL_CTX* context, const TlsOptions& options) {
  if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(context, options.ciphers.c_str()) != 1) {
    refuse("ciphers", options.ciphers,
           "matches no TLS 1.2 cipher of this OpenSSL (`openssl ciphers -v` lists them)");
  }
  if (!options.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(context, options.ciphersuites.c_str()) != 1) {
    refuse("ciphersuites", options.ciphersuites,
           "is not a list of TLS 1.3 suites of this OpenSSL (TLS_AES_128_GCM_SHA256, "
           "TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)");
  }
  if (!options.groups.empty() && SSL_CTX_set1_groups_list(context, options.groups.c_str()) != 1) {
    refuse("groups", options.groups,
           "names a group this OpenSSL lacks (e.g. X25519, P-256, P-384, X448, ffdhe2048)");
  }
  // Renegotiation is an attack surface and nothing a load test needs.
  SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
}

std::string alpn_wire_of(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& protocol : protocols) {
    wire += static_cast<char>(protocol.size());  // 1..255, checked with the scenario
    wire += protocol;
  }
  return wire;
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateDeleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};

std::unique_ptr<EVP_PKEY, KeyDeleter> make_key(TlsKeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case TlsKeyType::ecdsa_p256:
      key = EVP_EC_gen("P-256");
      break;
    case TlsKeyType::rsa_2048:
      key = EVP_RSA_gen(2048);
      break;
    case TlsKeyType::rsa_4096:
      key = EVP_RSA_gen(4096);
      break;
    case TlsKeyType::ed25519:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (key == nullptr) refuse("key_type", to_string(type), "key cannot be made: " + openssl_error());
  return std::unique_ptr<EVP_PKEY, KeyDeleter>(key);
}

// A self-signed certificate for localhost and the loopback addresses, valid for a week from an
// hour ago (clock skew), made at start so no key material lives in the repository.
std::unique_ptr<X509, CertificateDeleter> self_signed(EVP_PKEY* key, TlsKeyType type) {
  std::unique_ptr<X509, CertificateDeleter> certificate(X509_new());
  X509* cert = certificate.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 7 * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX extension_context;
  X509V3_set_ctx_nodb(&extension_context);
  X509V3_set_ctx(&extension_context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* names = X509V3_EXT_conf_nid(nullptr, &extension_context, NID_subject_alt_name,
                                              "DNS:localhost,IP:127.0.0.1,IP:::1");
  if (names != nullptr) {
    X509_add_ext(cert, names, -1);
    X509_EXTENSION_free(names);
  }
  // Ed25519 signs the message itself: no separate digest.
  const EVP_MD* digest = type == TlsKeyType::ed25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert, key, digest) == 0) {
    refuse("key_type", to_string(type), "certificate cannot be signed: " + openssl_error());
  }
  return certificate;
}

void use_certificate(SSL_CTX* context, const TlsOptions& options) {
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(context, options.cert_file.c_str()) != 1) {
      refuse("cert_file", options.cert_file, "cannot be read as PEM: " + openssl_error());
    }
    if (SSL_CTX_use_PrivateKey_file(context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      refuse("key_file", options.key_file, "cannot be read as a PEM key: " + openssl_error());
    }
    if (SSL_CTX_check_private_key(context) != 1) {
      refuse("key_file", options.key_file, "is not the key of cert_file " + options.cert_file);
    }
    return;
  }
  const auto key = make_key(options.key_type);
  const auto certificate = self_signed(key.get(), options.key_type);
  if (SSL_CTX_use_certificate(context, certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(context, key.get()) != 1) {
    refuse("key_type", to_string(options.key_type), "cannot be used: " + openssl_error());
  }
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* sink = static_cast<TlsSessionSink*>(SSL_get_app_data(ssl));
  if (sink == nullptr) return 0;  // not kept: OpenSSL frees it
  sink->keep_session(session);
  return 1;
}

// The server picks the first protocol of its own list that the client offers.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned offered_length, void* argument) {
  const auto* wire = static_cast<const std::string*>(argument);
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(
          &chosen, out_length, reinterpret_cast<const unsigned char*>(wire->data()),
          static_cast<unsigned>(wire->size()), offered, offered_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // no protocol in common: the handshake fails, as RFC 7301
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TlsContext::TlsContext(SSL_CTX* context, Side side, TlsOptions options)
    : context_(context),
      side_(side),
      options_(std::move(options)),
      alpn_wire_(alpn_wire_of(options_.alpn)) {}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

std::shared_ptr<TlsContext> TlsContext::make_client(const TlsOptions& options) {
  SSL_CTX* native = SSL_CTX_new(TLS_client_method());
  if (native == nullptr) throw ConfigError("tls: cannot make a client context: " + openssl_error());
  std::shared_ptr<TlsContext> context(new TlsContext(native, Side::client, options));
  set_versions(native, options);
  set_algorithms(native, options);
  if (options.resumption == TlsResumption::none) {
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  } else {
    // Each connection keeps its own last session (TlsSessionSink), so none is shared between
    // connections or threads and OpenSSL's internal client cache would only hold copies.
    SSL_CTX_set_session_cache_mode(native,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(native, on_new_session);
  }
  // session_id resumes from the server's cache; none takes no TLS 1.2 ticket either.
  if (options.resumption != TlsResumption::tickets) SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  if (!context->alpn_wire_.empty() &&
      SSL_CTX_set_alpn_protos(native,
                              reinterpret_cast<const unsigned char*>(context->alpn_wire_.data()),
                              static_cast<unsigned>(context->alpn_wire_.size())) != 0) {
    refuse("alpn", options.alpn.front(), "cannot be offered: " + openssl_error());
  }
  if (options.verify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    const int loaded = options.ca_file.empty() ? SSL_CTX_set_default_verify_paths(native)
                                               : SSL_CTX_load_verify_locations(
                                                     native, options.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      refuse("ca_file", options.ca_file.empty() ? "(the system's store)" : options.ca_file,
             "cannot be read as PEM certificates: " + openssl_error());
    }
  }
  return context;
}

std::shared_ptr<TlsContext> TlsContext::make_server(const TlsOptions& options) {
  SSL_CTX* native = SSL_CTX_new(TLS_server_method());
  if (native == nullptr) throw ConfigError("tls: cannot make a server context: " + openssl_error());
  std::shared_ptr<TlsContext> context(new TlsContext(native, Side::server, options));
  set_versions(native, options);
  set_algorithms(native, options);
  use_certificate(native, options);
  static constexpr unsigned char kSessionContext[] = "tcpharness";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  switch (options.resumption) {
    case TlsResumption::none:
      // No tickets to send (TLS 1.3's count, TLS 1.2's option): a client that will not resume
      // is spared their bytes.
      SSL_CTX_set_num_tickets(native, 0);
      SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
      SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
      break;
    case TlsResumption::tickets:
      SSL_CTX_set_num_tickets(native, 1);
      if (options.early_data) {
        // Tickets offer early data up to a record's worth, which any request of the plan fits.
        // Anti-replay (single-use tickets) is off: a per_request client closes on its 0.5-RTT
        // answer, before the next ticket arrives, and resumes with one it used before, as a
        // browser may. A server with anti-replay rejects that early data; the client counts it.
        SSL_CTX_set_max_early_data(native, TlsContext::kMaxEarlyDataBytes);
        SSL_CTX_set_recv_max_early_data(native, TlsContext::kMaxEarlyDataBytes);
        SSL_CTX_set_options(native, SSL_OP_NO_ANTI_REPLAY);
      }
      break;
    case TlsResumption::session_id:
      SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
      break;
  }
  if (!context->alpn_wire_.empty()) {
    SSL_CTX_set_alpn_select_cb(native, select_alpn, &context->alpn_wire_);
  }
  return context;
}

}  // namespace th
