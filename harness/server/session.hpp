#pragma once

#include <uv.h>

#include <memory>

#include "net/transport.hpp"

namespace th {

class ServerLoop;

// One accepted connection, talking through the Transport its server's factory made (TCP, or TLS
// over it), so a new transport changes no session. Sessions are pooled by their loop and reused
// with their transport, so a per_request load (tens of thousands of connections a second) does
// not allocate a session, a transport or a read buffer per accept.
class Session : public TransportEvents {
 public:
  explicit Session(ServerLoop& loop);
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Takes over an accepted socket (closing it on failure) and starts reading. Returns 0 or a
  // negative libuv status, after which the caller counts an accept error and calls close().
  int open(int fd);
  // Idempotent. The session goes back to its loop once the transport has closed.
  void close();

  // Called by the loop's sweep timer a few times per shortest timeout (no timer per session).
  // The base closes a connection that has neither read nor written for idle_timeout_ms.
  virtual void check_timeouts(uint64_t now_ms);

  // How long a refused http connection is drained after its error response (lingering close).
  static constexpr uint64_t kLingerMs = 1000;

  // Links in the loop's list of live sessions, or of free ones (next only).
  Session* previous = nullptr;
  Session* next = nullptr;

 protected:
  virtual void reset() = 0;  // forget the previous connection's state

  bool closing() const { return closing_; }
  bool reading() const { return reading_; }
  // Marks progress on the connection (a read, a completed write): the idle clock restarts.
  void touch();
  // Reading stops while a write is queued: the queued bytes may point into the transport's read
  // buffer, and back-pressure then reaches the client through the TCP window.
  void pause_reading();
  int resume_reading();  // 0 or a negative libuv status

  void on_connected(int status) override;  // TLS only: the handshake done
  void on_handshake_done() override;       // TLS 1.3 early data read before it ended
  void on_read_end(int status) override;   // EOF or error: nothing more will be answered

  ServerLoop& loop_;
  std::unique_ptr<Transport> transport_;

 private:
  void on_closed() final;
  void count_handshake();

  bool reading_ = false;
  bool closing_ = false;
  uint64_t last_active_ms_ = 0;
  uint64_t opened_ms_ = 0;
};

// Echo: writes back exactly what it reads.
class EchoSession final : public Session {
 public:
  using Session::Session;

 private:
  void reset() override { queued_bytes_ = 0; }
  void on_data(const char* data, size_t size) override;
  void on_write_done(int status) override;

  size_t queued_bytes_ = 0;
  uint64_t read_ns_ = 0;  // uv_hrtime() of the last read: the server's own time starts there
};

// Stream: reads and discards, for one-way throughput.
class StreamSession final : public Session {
 public:
  using Session::Session;

 private:
  void reset() override {}
  void on_data(const char* data, size_t size) override;
  void on_write_done(int) override {}
};

}  // namespace th
