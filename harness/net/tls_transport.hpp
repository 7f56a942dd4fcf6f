#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/tcp_transport.hpp"
#include "net/tls_context.hpp"
#include "net/uv_handle.hpp"

struct ssl_st;
struct bio_st;

namespace th {

// TLS over a TcpTransport, OpenSSL driven by the loop through memory BIOs: ciphertext read from
// the socket goes into one BIO, SSL_do_handshake / SSL_read take it from there, and whatever
// OpenSSL has to send (handshake messages, records, alerts) is drained from the other BIO into
// the TCP transport after every SSL call. The owner sees plaintext and the same events as over
// TCP; a client's on_connected(0) comes when the handshake is done, with tls_facts() saying when
// TCP connected, so the connect and the handshake are measured apart.
//
// Steady state allocates nothing of its own: the ciphertext buffers are reused (two, so records
// can be gathered while one is being written), and plaintext is read into the read buffer the
// ciphertext came in, which OpenSSL has copied by then.
class TlsTransport final : public Transport, private TransportEvents, private TlsSessionSink {
 public:
  TlsTransport(uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer,
               std::shared_ptr<const TlsContext> context, std::string server_name);
  ~TlsTransport() override;
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  int connect(const sockaddr* remote, const sockaddr* local, const SocketOptions& options) override;
  int open_accepted(int fd) override;
  int start_reading() override;
  void stop_reading() override;
  WriteOutcome write(const uv_buf_t* buffers, unsigned count, int* error) override;
  int write_then_notify(const uv_buf_t* buffers, unsigned count) override;
  bool write_queued() const override { return owner_waits_; }
  int shutdown_write() override;
  void close() override;
  bool is_open() const override { return tcp_.is_open(); }
  int fd() const override { return tcp_.fd(); }
  void rearm_quickack(bool on) override { tcp_.rearm_quickack(on); }
  const TlsFacts* tls_facts() const override { return handshake_done_ ? &facts_ : nullptr; }
  bool handshake_pending() const override { return ssl_ != nullptr && !handshake_done_; }
  int64_t enable_timestamps() override { return tcp_.enable_timestamps(); }
  // Records gathered but not yet handed to TCP come after everything TCP was given.
  uint32_t transmit_key() const override {
    return tcp_.transmit_key() + static_cast<uint32_t>(gathering_.size());
  }
  uint64_t receive_timestamp_ns() const override { return tcp_.receive_timestamp_ns(); }
  void collect_transmit_timestamps() override { tcp_.collect_transmit_timestamps(); }

 private:
  // From the TCP transport underneath.
  void on_connected(int status) override;
  void on_data(const char* data, size_t size) override;
  void on_read_end(int status) override;
  void on_write_done(int status) override;
  void on_closed() override;
  void on_transmit_timestamp(uint32_t key, uint64_t realtime_ns) override {
    events_->on_transmit_timestamp(key, realtime_ns);
  }
  void keep_session(ssl_session_st* session) override;

  int begin_session(bool client);
  void end_session();
  void advance_handshake();
  void finish_handshake();
  // The server's side of 0-RTT: reads early data and hands it over; false while the handshake
  // still waits for the client (or failed), true once the client's early data has ended.
  bool read_early_data();
  void resume_with_session();
  WriteOutcome write_early(const uv_buf_t* buffers, unsigned count, int* error);
  // After a client's 0-RTT handshake: sends again, as ordinary records, what the server did
  // not take as early data.
  int resend_early_plaintext();
  WriteOutcome written_outcome();
  void fail_handshake(int status);
  void read_plaintext();
  // Moves what OpenSSL wrote into the outgoing buffer and writes it when TCP is free; 0 or a
  // negative libuv status.
  int flush(bool notify = false);
  void after_write_error(int status);
  static void on_info(const ssl_st* ssl, int where, int value);
  static void on_drain(uv_timer_t* timer);
  static void on_drain_timer_closed(uv_handle_t* handle);
  void report_closed();
  int encrypt(const uv_buf_t* buffers, unsigned count);

  uv_loop_t* loop_;
  std::unique_ptr<char[]> own_read_buffer_;
  char* read_buffer_;  // ciphertext comes in here, and plaintext goes out from it
  TcpTransport tcp_;
  TransportEvents* events_;
  std::shared_ptr<const TlsContext> context_;
  std::string server_name_;  // SNI and the name verify checks; empty: neither
  ssl_st* ssl_ = nullptr;
  bio_st* into_ssl_ = nullptr;         // ciphertext from the socket
  bio_st* out_of_ssl_ = nullptr;       // ciphertext for the socket
  ssl_session_st* session_ = nullptr;  // the last session given, to resume with
  std::vector<char> sending_;          // handed to TCP, valid until its write is done
  std::vector<char> gathering_;
  bool client_ = false;
  bool handshake_done_ = false;
  bool owner_waits_ = false;  // the owner's write is queued: on_write_done owed
  bool shutdown_after_flush_ = false;
  bool shutdown_after_handshake_ = false;
  bool alert_received_ = false;
  bool closing_ = false;
  // The owner stopped reading (its write is queued and it still points into the read buffer):
  // no plaintext is handed over until it starts again, though OpenSSL may hold more.
  bool paused_ = false;
  // Hands over, on the loop's next turn after start_reading, plaintext that arrived before the
  // pause: no socket read would bring it, and handing it over inside start_reading would reach
  // the owner before it has finished with what it kept.
  UvHandle<uv_timer_t> drain_timer_;
  // The owner hears on_closed once both handles are closed: it may free this transport then
  // (a server session is deleted in its on_closed), and libuv closes handles in no set order.
  bool timer_closing_ = false;
  bool socket_closed_ = false;
  bool fatal_ = false;  // OpenSSL failed: no more SSL calls but SSL_free (its rule)
  // 0-RTT: the owner heard on_connected(0) at TCP connected (a client) or with the first early
  // data (a server), before the handshake ended.
  bool early_open_ = false;
  bool offers_early_data_ = false;  // a client resuming with a session that allows early data
  bool early_finished_ = false;     // a server: the client's early data ended (or never came)
  // A client's plaintext written before the handshake ended, kept (capacity reused) until the
  // server says whether it took the early part; plaintext past the ticket's allowance (or
  // after a write that did not fit) is held here and sent once the handshake is done.
  std::vector<char> early_plaintext_;
  size_t early_sent_ = 0;  // the prefix of early_plaintext_ sent as early data
  bool early_held_ = false;
  uint32_t early_allowance_ = 0;
  TlsFacts facts_;
};

// Transports of TLS over TCP with `context`; server_name is the client's SNI and verified name.
TransportFactory tls_transport_factory(std::shared_ptr<const TlsContext> context,
                                       std::string server_name);

}  // namespace th
