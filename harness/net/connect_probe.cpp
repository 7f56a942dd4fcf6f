#include "net/connect_probe.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>

namespace th {
namespace {

// poll(2) may return early on a signal; it is asked again for what is left of the timeout.
int wait_writable(int fd, uint64_t deadline_ns) {
  while (true) {
    const uint64_t now = uv_hrtime();
    if (now >= deadline_ns) return UV_ETIMEDOUT;
    pollfd waiting{fd, POLLOUT, 0};
    const int timeout_ms = static_cast<int>((deadline_ns - now + 999'999) / 1'000'000);
    const int ready = poll(&waiting, 1, timeout_ms);
    if (ready > 0) return 0;
    if (ready < 0 && errno != EINTR) return -errno;
  }
}

}  // namespace

ConnectProbe probe_connect(const SocketAddress& address, uint32_t timeout_ms) {
  ConnectProbe probe;
  const uint64_t start = uv_hrtime();
  const int fd = socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {-errno, 0};
  const socklen_t length =
      address.family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (connect(fd, address.get(), length) != 0) {
    probe.status =
        errno == EINPROGRESS ? wait_writable(fd, start + uint64_t{timeout_ms} * 1'000'000) : -errno;
  }
  if (probe.status == 0) {
    // The handshake's outcome, once the socket is writable (connect(2), EINPROGRESS).
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    probe.status = -error;
  }
  probe.connect_ns = uv_hrtime() - start;
  close(fd);
  return probe;
}

}  // namespace th
