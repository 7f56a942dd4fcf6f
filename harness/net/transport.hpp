#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "base/socket_option_types.hpp"
#include "net/tls_facts.hpp"

namespace th {

// What a transport tells its owner. Calls arrive on the loop thread that owns the transport.
class TransportEvents {
 public:
  // TCP connected, or for TLS the handshake done (TlsFacts says when TCP connected); a failed
  // handshake is a kTls* status. A TLS server transport reports its handshake done here too.
  virtual void on_connected(int status) = 0;
  virtual void on_data(const char* data, size_t size) = 0;
  virtual void on_read_end(int status) = 0;    // UV_EOF for an orderly close, else an error
  virtual void on_write_done(int status) = 0;  // only for writes that write() had to queue
  virtual void on_closed() = 0;                // the transport may be reused from here on
  // TLS 1.3 early data: a client that sends its request in 0-RTT, and a server that reads it,
  // hear on_connected(0) before the handshake ends (tls_facts() still null), so the request
  // and its answer can go; this says when the handshake ended. Never heard otherwise.
  virtual void on_handshake_done() {}
  // With timestamps enabled: the kernel's transmit timestamp (ns since the epoch) of the bytes up
  // to `key`, numbered like Transport::transmit_key. A segment carries the key of its last byte.
  virtual void on_transmit_timestamp(uint32_t /*key*/, uint64_t /*realtime_ns*/) {}

 protected:
  ~TransportEvents() = default;
};

enum class WriteOutcome { done, queued, failed };

// The byte pipe every client connection and server session talks through (wrk's net.h idea): TCP
// (net/tcp_transport) or TLS over it (net/tls_transport), without the load generator or servers
// changing.
// One transport object is reused for many connections (per_request reconnects into it).
class Transport {
 public:
  // Every read lands in a buffer of this size, owned by the transport or shared by a loop.
  static constexpr size_t kReadBufferBytes = 64 * 1024;

  virtual ~Transport() = default;

  // Opens a socket, applies `options` (buffers before connect, as TCP's window scale needs) and
  // starts connecting from `local` (nullptr: any). Returns 0 or a negative libuv status.
  virtual int connect(const sockaddr* remote, const sockaddr* local,
                      const SocketOptions& options) = 0;
  // Takes over a socket the server accepted itself (it does, to survive running out of file
  // descriptors). Returns 0 or a negative libuv status; on failure `fd` is still the caller's.
  virtual int open_accepted(int fd) = 0;
  virtual int start_reading() = 0;
  virtual void stop_reading() = 0;
  // Writes now as much as the kernel takes. Buffers that could not be written at once are queued
  // and must stay valid until on_write_done. At most one write may be queued at a time; at most
  // four buffers per call (libuv allocates beyond that).
  virtual WriteOutcome write(const uv_buf_t* buffers, unsigned count, int* error) = 0;
  // Always completes through on_write_done, even when the kernel took everything at once: a bulk
  // sender uses it to yield to the loop between chunks instead of spinning in one callback.
  virtual int write_then_notify(const uv_buf_t* buffers, unsigned count) = 0;
  virtual bool write_queued() const = 0;
  // Ends this side's sending once everything written has gone (a half-close: TCP's FIN); reading
  // goes on. 0 or a negative errno.
  virtual int shutdown_write() = 0;
  // Sets TCP_QUICKACK again after every read: Linux leaves quick-ACK mode on its own.
  virtual void rearm_quickack(bool on) = 0;
  virtual void close() = 0;  // idempotent; on_closed follows
  virtual bool is_open() const = 0;
  virtual int fd() const = 0;
  // A secure transport's handshake, once on_connected(0) reported it done; null for plain TCP.
  virtual const TlsFacts* tls_facts() const { return nullptr; }
  // A TLS connection whose handshake has not finished (a server's timeout counts from accept).
  virtual bool handshake_pending() const { return false; }

  // Kernel software timestamps (net/kernel_timestamps.hpp) on a connected socket, from here until
  // the connection closes: each read keeps its receive timestamp, and transmit timestamps reach
  // on_transmit_timestamp. The SO_TIMESTAMPING flags the kernel applied, or a negative errno.
  virtual int64_t enable_timestamps() = 0;
  // The key the kernel gives the transmit timestamp of the last byte written so far (for TLS, of
  // the record that carries it).
  virtual uint32_t transmit_key() const = 0;
  // Takes the transmit timestamps already waiting (over loopback a write's own comes back before
  // the call returns): read now, they do not wake the loop once more for the error queue.
  virtual void collect_transmit_timestamps() = 0;
  // The receive timestamp of the last segment of the latest read (ns since the epoch); 0 if none.
  virtual uint64_t receive_timestamp_ns() const = 0;
};

// Makes the transport of one connection slot (a pooled server session, a client connection): TCP
// today, TLS over TCP next. Called when the slot is made, never per request. shared_read_buffer:
// kReadBufferBytes that outlive the transport and that every transport of one loop may share
// (an owner that consumes each read before returning), or null for a buffer of its own.
using TransportFactory = std::function<std::unique_ptr<Transport>(
    uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer)>;

}  // namespace th
