#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/tls_options.hpp"

struct ssl_ctx_st;
struct ssl_session_st;

namespace th {

// Where a client connection keeps the session its handshake (or a TLS 1.3 ticket after it) gave,
// to resume with next time. The client context's new-session callback finds the sink in the SSL
// object's app data.
class TlsSessionSink {
 public:
  // Takes ownership of `session` (one reference).
  virtual void keep_session(ssl_session_st* session) = 0;

 protected:
  ~TlsSessionSink() = default;
};

// One OpenSSL context (SSL_CTX) per side of a run, made before any load and shared by every
// connection of every loop: OpenSSL locks what the connections share (the server's session
// cache). Making it is where the scenario's TLS settings meet OpenSSL, so a cipher, group or
// version this build lacks is refused here, in the scenario's words, with exit code 2.
class TlsContext {
 public:
  enum class Side { client, server };
  // The early data the embedded server's tickets allow (TLS's largest record).
  static constexpr uint32_t kMaxEarlyDataBytes = 16384;

  // Throw ConfigError naming the key ("tls.ciphersuites: ...") when OpenSSL refuses a setting,
  // a certificate file cannot be read, or a key cannot be made.
  static std::shared_ptr<TlsContext> make_client(const TlsOptions& options);
  static std::shared_ptr<TlsContext> make_server(const TlsOptions& options);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return context_; }
  Side side() const { return side_; }
  const TlsOptions& options() const { return options_; }
  // ALPN protocols as the wire lists them (length-prefixed), for the client's offer and the
  // server's choice.
  const std::string& alpn_wire() const { return alpn_wire_; }

 private:
  TlsContext(ssl_ctx_st* context, Side side, TlsOptions options);

  ssl_ctx_st* context_;
  Side side_;
  TlsOptions options_;
  std::string alpn_wire_;
};

}  // namespace th
