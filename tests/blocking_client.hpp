#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "net/address.hpp"

namespace th::testing {

// A blocking client with a receive timeout, so a server that never answers fails the test
// instead of hanging it.
class Client {
 public:
  explicit Client(const SocketAddress& address, int receive_buffer_bytes = 0) {
    fd_ = socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (receive_buffer_bytes > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
    }
    connected_ = connect(fd_, address.get(), sizeof address.storage) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  void set_receive_timeout_ms(int milliseconds) {
    timeval timeout{milliseconds / 1000, (milliseconds % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  // Everything until the server closes (EOF or reset), the timeout passes, or `limit` bytes.
  std::string receive_until_close(size_t limit = 1 << 20) {
    std::string bytes;
    while (bytes.size() < limit) {
      char chunk[16384];
      const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
      if (got <= 0) break;
      bytes.append(chunk, static_cast<size_t>(got));
    }
    return bytes;
  }

  bool send_all(const std::string& bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      const ssize_t written = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (written <= 0) return false;
      sent += static_cast<size_t>(written);
    }
    return true;
  }

  // Exactly `size` bytes, or fewer when the peer closes or the timeout passes.
  std::string receive(size_t size) {
    std::string bytes;
    while (bytes.size() < size) {
      char chunk[16384];
      const ssize_t got = recv(fd_, chunk, std::min(sizeof chunk, size - bytes.size()), 0);
      if (got <= 0) break;
      bytes.append(chunk, static_cast<size_t>(got));
    }
    return bytes;
  }

  // One response: its header block and a body of the Content-Length it names.
  struct Response {
    std::string header;
    std::string body;
  };
  Response receive_response() {
    Response response;
    while (response.header.find("\r\n\r\n") == std::string::npos) {
      const std::string byte = receive(1);
      if (byte.empty()) return response;
      response.header += byte;
    }
    const size_t at = response.header.find("Content-Length: ");
    if (at != std::string::npos) {
      response.body = receive(std::stoull(response.header.substr(at + 16)));
    }
    return response;
  }

  // True when the server closed: EOF (or a reset) rather than more bytes or a timeout.
  bool sees_close() {
    char byte;
    const ssize_t got = recv(fd_, &byte, 1, 0);
    return got == 0 || (got < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace th::testing
