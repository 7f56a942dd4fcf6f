#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/config_error.hpp"
#include "server/server_loop.hpp"
#include "server/session.hpp"

// ServerLoop's listening half: the listening socket, accept4 in batches, and the way out when the
// process runs out of descriptors or the kernel refuses accept().
namespace th {
namespace {

// The kernel clamps it to net.core.somaxconn; a per_request load needs a deep accept queue.
constexpr int kListenBacklog = 4096;
// Connections accepted per wake-up before the loop serves the others; the listener stays readable
// (level-triggered), so the rest are taken on the next iteration.
constexpr int kAcceptBatch = 64;
// How long accepting stops when the kernel refuses accept() and nothing can be done at once.
constexpr uint64_t kAcceptPauseMs = 100;

int open_spare_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

// Closes with an RST (SO_LINGER 0): the client learns at once that it was refused, and no
// TIME_WAIT is left on the server's side.
void reset_and_close(int fd) {
  const linger abort{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd);
}

[[noreturn]] void fail_listen(int fd, const std::string& message) {
  if (fd >= 0) ::close(fd);
  throw ConfigError(message);
}

socklen_t length_of(const SocketAddress& address) {
  return address.family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

}  // namespace

// Every loop binds with SO_REUSEPORT, and any other process of this user may too: a second server
// on a fixed port would join the first and silently take part of its connections. A probe bound
// without SO_REUSEPORT cannot share a port with a listening socket, whether that one set
// SO_REUSEPORT or not (inet_csk_bind_conflict: SO_REUSEADDR on both sides excuses only sockets
// that do not listen), so EADDRINUSE means someone listens there; SO_REUSEADDR keeps an earlier
// server's connections in TIME_WAIT from counting. A server started in the same instant can still
// bind between this probe and the listeners (microseconds): closing that window would need the
// first listener bound without SO_REUSEPORT, which socket(7) says must be set before bind, so
// this server's own loops could not join it.
void refuse_held_port(const SocketAddress& address) {
  const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;  // the listeners' own socket() says why
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const bool held = ::bind(fd, address.get(), length_of(address)) != 0 && errno == EADDRINUSE;
  ::close(fd);
  if (held) {
    throw ConfigError(fmt::format(
        "port {} is already in use (another listener holds it; --reuseport shares it on purpose)",
        address.port()));
  }
}

void ServerLoop::listen(SocketAddress* address) {
  const std::string where = address->to_string();
  const int fd = ::socket(address->family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail_listen(-1, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  // SO_REUSEPORT gives each loop its own accept queue on the one port (socket(7)); SO_REUSEADDR
  // lets a fixed port be reused while old connections sit in TIME_WAIT.
  const int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  }
  std::string failed_option;
  int status =
      apply_socket_options(fd, shared_.config.options, SocketRole::listener, &failed_option);
  if (status != 0) {
    fail_listen(fd, fmt::format("server.{}: the kernel refused the value: {}", failed_option,
                                uv_strerror(status)));
  }
  if (::bind(fd, address->get(), length_of(*address)) != 0 || ::listen(fd, kListenBacklog) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(-errno)));
  }
  socklen_t length = sizeof address->storage;
  getsockname(fd, address->get(), &length);  // port 0: later loops bind the port chosen here
  if ((status = listener_.init_poll(uv_loop(), fd, this)) != 0) {
    fail_listen(fd, fmt::format("cannot listen on {}: {}", where, uv_strerror(status)));
  }
  spare_fd_ = open_spare_descriptor();
  listen_fd_ = fd;  // closed by close_everything from here on
  if ((status = uv_poll_start(listener_.get(), UV_READABLE, on_listener_readable)) != 0) {
    throw ConfigError(fmt::format("cannot listen on {}: {}", where, uv_strerror(status)));
  }
}

int ServerLoop::listener_fd() const { return listen_fd_; }

void ServerLoop::on_listener_readable(uv_poll_t* poll, int status, int) {
  auto* self = static_cast<ServerLoop*>(poll->data);
  if (status < 0) {
    add(self->counters_.accept_errors);
    return self->pause_accepting();
  }
  self->accept_pending();
}

void ServerLoop::accept_pending() {
  for (int accepted = 0; accepted < kAcceptBatch && listen_fd_ >= 0; ++accepted) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      start_session(fd);
      continue;
    }
    switch (errno) {
      case EAGAIN:
        return;  // the queue is empty
      case EINTR:
      case ECONNABORTED:  // the client gave up while queued
      // accept(2): Linux passes errors already pending on the new connection to accept();
      // they concern that connection only, so take the next one.
      case ENETDOWN:
      case EPROTO:
      case ENOPROTOOPT:
      case EHOSTDOWN:
      case ENONET:
      case EHOSTUNREACH:
      case EOPNOTSUPP:
      case ENETUNREACH:
        continue;
      case EMFILE:
      case ENFILE:
        return refuse_with_spare_descriptor();
      default:  // ENOBUFS, ENOMEM: the connection stays queued, so waiting beats retrying now
        add(counters_.accept_errors);
        return pause_accepting();
    }
  }
}

void ServerLoop::start_session(int fd) {
  Session* session = acquire();
  if (session == nullptr) {  // out of memory: refuse this one, the next may fare better
    reset_and_close(fd);
    add(counters_.accept_errors);
    return;
  }
  link(session);
  if (session->open(fd) != 0) {
    add(counters_.accept_errors);
    return session->close();
  }
  add(counters_.connections_accepted);
}

// The classic way out of EMFILE: the spare descriptor makes room for one accept at a time, so
// every waiting connection is taken off the queue and reset, rather than left to wait for a
// descriptor that may never come while the listener keeps the loop awake.
void ServerLoop::refuse_with_spare_descriptor() {
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  uint64_t refused = 0;
  int last_errno = 0;
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      last_errno = errno;
      if (last_errno == EINTR || last_errno == ECONNABORTED) continue;
      break;
    }
    reset_and_close(fd);
    ++refused;
  }
  spare_fd_ = open_spare_descriptor();
  add(counters_.refused_no_descriptors, refused);
  // Still EMFILE: another thread took the freed slot, or there was no spare. Pause, not spin.
  if (last_errno != EAGAIN || spare_fd_ < 0) pause_accepting();
}

void ServerLoop::pause_accepting() {
  if (listen_fd_ < 0 || accept_pause_timer_.active()) return;
  add(counters_.accept_pauses);
  // Neither fails on an initialised handle; the listener stays polled if the timer could not run.
  if (uv_timer_start(accept_pause_timer_.get(), on_accept_resume, kAcceptPauseMs, 0) == 0) {
    uv_poll_stop(listener_.get());
  }
}

void ServerLoop::on_accept_resume(uv_timer_t* timer) {
  auto* self = static_cast<ServerLoop*>(timer->data);
  if (self->listen_fd_ < 0) return;
  if (self->spare_fd_ < 0) self->spare_fd_ = open_spare_descriptor();
  uv_poll_start(self->listener_.get(), UV_READABLE, on_listener_readable);
}

}  // namespace th
