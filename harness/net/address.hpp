#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

namespace th {

struct SocketAddress {
  sockaddr_storage storage{};
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  int port() const;
  std::string to_string() const;  // "127.0.0.1:8080" or "[::1]:8080"
};

// Resolves host (name or literal) and port once, before the run. Throws ConfigError naming the
// host when it does not resolve.
SocketAddress resolve_address(const std::string& host, int port);

}  // namespace th
