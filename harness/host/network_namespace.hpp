#pragma once

#include <string>

namespace th {

// The capabilities a shaped link needs that this process lacks ("CAP_NET_ADMIN, CAP_SYS_ADMIN"),
// or "" when it has them all: CAP_SYS_ADMIN to create and enter a network namespace (setns(2)),
// CAP_NET_ADMIN to create the veth pair and its qdiscs.
std::string missing_link_capabilities();

// A new network namespace, as a descriptor (O_CLOEXEC); the calling thread stays where it was.
// The namespace has no name in /run/netns: it lives as long as this descriptor, the sockets in
// it and the threads started inside it, so it disappears with the process however that ends.
// Returns -errno on failure.
int create_network_namespace();

// Moves the calling thread into a network namespace for the guard's lifetime. Sockets created
// meanwhile belong to that namespace for good, and threads started meanwhile start inside it;
// the rest of the process is untouched (setns(2) changes one thread only).
class NetworkNamespaceGuard {
 public:
  explicit NetworkNamespaceGuard(int netns_fd);  // throws ConfigError when setns fails
  ~NetworkNamespaceGuard();                      // aborts if the thread cannot go back
  NetworkNamespaceGuard(const NetworkNamespaceGuard&) = delete;
  NetworkNamespaceGuard& operator=(const NetworkNamespaceGuard&) = delete;

 private:
  int home_fd_ = -1;
};

}  // namespace th
