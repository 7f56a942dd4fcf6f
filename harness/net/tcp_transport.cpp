#include "net/tcp_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>

#include "net/kernel_timestamps.hpp"
#include "net/socket_options.hpp"
#include "net/uv_handle.hpp"

namespace th {

TcpTransport::TcpTransport(uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer)
    : loop_(loop),
      events_(events),
      own_read_buffer_(shared_read_buffer ? nullptr : new char[kReadBufferBytes]),
      read_buffer_(shared_read_buffer ? shared_read_buffer : own_read_buffer_.get()) {
  tcp_.data = this;
  connect_request_.data = this;
  write_request_.data = this;
}

// The owner must let close() finish (on_closed) before destroying a transport; libuv still
// references the handle until then.
TcpTransport::~TcpTransport() { assert(state_ == State::closed); }

int TcpTransport::connect(const sockaddr* remote, const sockaddr* local,
                          const SocketOptions& options) {
  int status = uv_tcp_init_ex(loop_, &tcp_, remote->sa_family);
  if (status != 0) return status;
  tcp_.data = this;
  state_ = State::open;
  reset_counts();
  rearm_quickack_ = options.tcp_quickack.value_or(false);
  std::string failed_option;
  if ((status = apply_socket_options(fd(), options, SocketRole::client, &failed_option)) == 0 &&
      local != nullptr) {
    status = uv_tcp_bind(&tcp_, local, 0);
  }
  if (status == 0) status = uv_tcp_connect(&connect_request_, &tcp_, remote, on_connect);
  return status;  // on failure the handle is open: the caller closes it like any other
}

int TcpTransport::open_accepted(int fd) {
  int status = uv_tcp_init(loop_, &tcp_);
  if (status != 0) return status;
  tcp_.data = this;
  state_ = State::open;
  reset_counts();
  return uv_tcp_open(&tcp_, fd);
}

void TcpTransport::reset_counts() {
  timestamps_ = reading_ = false;
  bytes_written_ = key_origin_ = 0;
  received_realtime_ns_ = 0;
}

int TcpTransport::start_reading() {
  const int status = uv_read_start(as_stream(&tcp_), on_alloc, on_read);
  reading_ = status == 0;
  return status;
}

void TcpTransport::stop_reading() {
  reading_ = false;
  if (state_ == State::open) uv_read_stop(as_stream(&tcp_));
}

// Keys count from the next byte written (OPT_ID_TCP) or, on an older kernel, from the first one
// not yet acknowledged when the option was set; what libuv still queues has not reached the
// kernel at all.
int64_t TcpTransport::enable_timestamps() {
  const int descriptor = fd();
  if (descriptor < 0) return -EBADF;
  const int64_t applied = enable_software_timestamps(descriptor);
  if (applied < 0) return applied;
  int64_t unacknowledged = 0;
  if ((applied & kTimestampKeysFromWritten) == 0 &&
      (unacknowledged = unacknowledged_bytes(descriptor)) < 0) {
    const int error = errno;
    disable_software_timestamps(descriptor);
    return -error;
  }
  const size_t queued = uv_stream_get_write_queue_size(as_stream(&tcp_));
  key_origin_ =
      bytes_written_ - static_cast<uint32_t>(queued) - static_cast<uint32_t>(unacknowledged);
  timestamps_ = true;
  return applied;
}

WriteOutcome TcpTransport::write(const uv_buf_t* buffers, unsigned count, int* error) {
  assert(count <= 4 && !write_queued_);
  for (unsigned index = 0; index < count; ++index)
    bytes_written_ += static_cast<uint32_t>(buffers[index].len);
  auto* stream = as_stream(&tcp_);
  // Try the syscall now: most writes complete at once, which saves libuv's poll-for-writable
  // round (an epoll_ctl and a wakeup) per request.
  int written = uv_try_write(stream, buffers, count);
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) {
    *error = written;
    return WriteOutcome::failed;
  }
  uv_buf_t rest[4];
  unsigned rest_count = 0;
  size_t skip = static_cast<size_t>(written);
  for (unsigned index = 0; index < count; ++index) {
    if (skip >= buffers[index].len) {
      skip -= buffers[index].len;
      continue;
    }
    rest[rest_count++] =
        uv_buf_init(buffers[index].base + skip, static_cast<unsigned>(buffers[index].len - skip));
    skip = 0;
  }
  if (rest_count == 0) return WriteOutcome::done;
  const int status = uv_write(&write_request_, stream, rest, rest_count, on_write);
  if (status != 0) {
    *error = status;
    return WriteOutcome::failed;
  }
  write_queued_ = true;
  return WriteOutcome::queued;
}

int TcpTransport::write_then_notify(const uv_buf_t* buffers, unsigned count) {
  assert(count <= 4 && !write_queued_);
  for (unsigned index = 0; index < count; ++index)
    bytes_written_ += static_cast<uint32_t>(buffers[index].len);
  const int status = uv_write(&write_request_, as_stream(&tcp_), buffers, count, on_write);
  if (status == 0) write_queued_ = true;
  return status;
}

int TcpTransport::shutdown_write() {
  const int descriptor = fd();
  if (descriptor < 0) return -EBADF;
  return ::shutdown(descriptor, SHUT_WR) == 0 ? 0 : -errno;
}

void TcpTransport::close() {
  if (state_ != State::open) return;
  state_ = State::closing;
  close_handle(&tcp_, on_close);
}

int TcpTransport::fd() const {
  uv_os_fd_t descriptor = -1;
  if (state_ == State::closed) return -1;
  if (uv_fileno(as_handle(&tcp_), &descriptor) != 0) return -1;
  return descriptor;
}

void TcpTransport::on_connect(uv_connect_t* request, int status) {
  auto* self = static_cast<TcpTransport*>(request->data);
  if (status == UV_ECANCELED) return;  // closed while connecting; on_closed reports the end
  self->events_->on_connected(status);
}

void TcpTransport::on_alloc(uv_handle_t* handle, size_t, uv_buf_t* buffer) {
  auto* self = static_cast<TcpTransport*>(handle->data);
  *buffer = self->timestamps_ ? uv_buf_init(nullptr, 0)
                              : uv_buf_init(self->read_buffer_, kReadBufferBytes);
}

void TcpTransport::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* self = static_cast<TcpTransport*>(stream->data);
  if (nread == UV_ENOBUFS && self->timestamps_) return self->read_with_timestamps();
  if (nread > 0) {
    if (self->rearm_quickack_) {
      const int on = 1;
      setsockopt(self->fd(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
    }
    self->events_->on_data(self->read_buffer_, static_cast<size_t>(nread));
  } else if (nread < 0) {
    self->events_->on_read_end(static_cast<int>(nread));
  }
}

void TcpTransport::collect_transmit_timestamps() {
  if (timestamps_ && state_ == State::open) drain_transmit_timestamps(fd(), *events_);
}

// libuv's own read loop, with recvmsg: the socket is level-triggered, so what one call leaves
// brings the loop back. Transmit timestamps are taken first, so a request's is in before the
// answer that follows it. EPOLLERR for a waiting timestamp lands here too.
void TcpTransport::read_with_timestamps() {
  const int descriptor = fd();
  drain_transmit_timestamps(descriptor, *events_);
  for (int reads = 0; reads < 32 && reading_ && state_ == State::open; ++reads) {
    received_realtime_ns_ = 0;  // a read without one must not pass for the last read's
    const ssize_t count =
        read_with_timestamp(descriptor, read_buffer_, kReadBufferBytes, &received_realtime_ns_);
    if (count == -EAGAIN || count == -EWOULDBLOCK) return;
    if (count <= 0) {
      stop_reading();  // as libuv does at the end of stream: no more wake-ups for it
      events_->on_read_end(count == 0 ? UV_EOF : static_cast<int>(count));
      return;
    }
    if (rearm_quickack_) {
      const int on = 1;
      setsockopt(descriptor, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
    }
    events_->on_data(read_buffer_, static_cast<size_t>(count));
    if (static_cast<size_t>(count) < kReadBufferBytes) return;
  }
}

void TcpTransport::on_write(uv_write_t* request, int status) {
  auto* self = static_cast<TcpTransport*>(request->data);
  self->write_queued_ = false;
  if (status == UV_ECANCELED) return;
  self->events_->on_write_done(status);
}

void TcpTransport::on_close(uv_handle_t* handle) {
  auto* self = static_cast<TcpTransport*>(handle->data);
  self->state_ = State::closed;
  self->write_queued_ = false;
  self->events_->on_closed();
}

TransportFactory tcp_transport_factory() {
  return [](uv_loop_t* loop, TransportEvents* events, char* shared_read_buffer) {
    return std::make_unique<TcpTransport>(loop, events, shared_read_buffer);
  };
}

}  // namespace th
