#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace th::testing {

// A TCP socket on 127.0.0.1, on a port the kernel picks, closed when this goes out of scope.
// Without a backlog it is bound only: connects to it are refused, and while it is open no other
// socket can take its port. With one it listens: the kernel completes handshakes into its backlog
// whether or not anyone accepts them.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(std::optional<int> backlog = std::nullopt) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    address_.sin_family = AF_INET;
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&address_), sizeof address_) == 0 &&
          (!backlog.has_value() || listen(fd_, *backlog) == 0);
    socklen_t length = sizeof address_;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address_), &length);
  }
  ~LoopbackSocket() { close(); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  bool ok() const { return ok_; }  // bound, and listening when a backlog was given
  int fd() const { return fd_; }
  const sockaddr_in& address() const { return address_; }
  uint16_t port() const { return ntohs(address_.sin_port); }
  std::string target() const { return "127.0.0.1:" + std::to_string(port()); }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  sockaddr_in address_{};
  bool ok_ = false;
};

// A loopback port the kernel just handed out, closed again: free for a server that cannot take
// port 0 (nginx), or refusing for a test of a server that is not there.
inline uint16_t free_loopback_port() { return LoopbackSocket().port(); }

}  // namespace th::testing
