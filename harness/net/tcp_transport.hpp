#pragma once

#include <array>
#include <memory>

#include "net/transport.hpp"

namespace th {

// Plain TCP over a libuv handle. The read buffer is reused for every read, so a steady-state
// connection never touches the heap. An owner that consumes every read before returning from
// on_data (the load generator) may pass one buffer for all of a loop's transports: 10,000
// connections then share 64 KiB that stays in cache instead of touching 10,000 pages.
class TcpTransport final : public Transport {
 public:
  // shared_read_buffer: kReadBufferBytes that outlive the transport, or null for its own.
  TcpTransport(uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer = nullptr);
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  int connect(const sockaddr* remote, const sockaddr* local, const SocketOptions& options) override;
  int open_accepted(int fd) override;
  int start_reading() override;
  void stop_reading() override;
  WriteOutcome write(const uv_buf_t* buffers, unsigned count, int* error) override;
  int write_then_notify(const uv_buf_t* buffers, unsigned count) override;
  bool write_queued() const override { return write_queued_; }
  int shutdown_write() override;
  void close() override;
  bool is_open() const override { return state_ != State::closed; }
  int fd() const override;
  void rearm_quickack(bool on) override { rearm_quickack_ = on; }
  int64_t enable_timestamps() override;
  uint32_t transmit_key() const override { return bytes_written_ - 1 - key_origin_; }
  uint64_t receive_timestamp_ns() const override { return received_realtime_ns_; }
  void collect_transmit_timestamps() override;

 private:
  enum class State { closed, open, closing };

  static void on_connect(uv_connect_t* request, int status);
  static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void on_write(uv_write_t* request, int status);
  static void on_close(uv_handle_t* handle);
  void reset_counts();
  // Timestamps on: libuv reads nothing (on_alloc offers no buffer) and this reads with recvmsg,
  // which brings the receive timestamp along.
  void read_with_timestamps();

  uv_loop_t* loop_;
  TransportEvents* events_;
  uv_tcp_t tcp_{};
  uv_connect_t connect_request_{};
  uv_write_t write_request_{};
  State state_ = State::closed;
  bool write_queued_ = false;
  bool rearm_quickack_ = false;
  bool reading_ = false;
  bool timestamps_ = false;
  // Bytes handed to write() on this connection, and how many of them preceded the kernel's
  // first timestamp key; both wrap like the kernel's 32-bit key.
  uint32_t bytes_written_ = 0;
  uint32_t key_origin_ = 0;
  uint64_t received_realtime_ns_ = 0;
  std::unique_ptr<char[]> own_read_buffer_;
  char* read_buffer_;
};

// The factory of plain TCP transports, the default on both sides.
TransportFactory tcp_transport_factory();

}  // namespace th
