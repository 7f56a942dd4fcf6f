#include "host/network_namespace.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "base/config_error.hpp"

namespace th {
namespace {

constexpr int kCapNetAdmin = 12;  // linux/capability.h
constexpr int kCapSysAdmin = 21;

int open_own_namespace() { return ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

}  // namespace

std::string missing_link_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  uint64_t effective = 0;
  while (std::getline(status, line)) {
    if (line.starts_with("CapEff:")) effective = std::strtoull(line.c_str() + 7, nullptr, 16);
  }
  std::string missing;
  for (const auto& [bit, name] :
       {std::pair{kCapNetAdmin, "CAP_NET_ADMIN"}, std::pair{kCapSysAdmin, "CAP_SYS_ADMIN"}}) {
    if ((effective >> bit & 1) == 0) missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  return missing;
}

int create_network_namespace() {
  const int home_fd = open_own_namespace();
  if (home_fd < 0) return -errno;
  int result = 0;
  if (unshare(CLONE_NEWNET) != 0) {
    result = -errno;
  } else {
    result = open_own_namespace();
    if (result < 0) result = -errno;
    if (setns(home_fd, CLONE_NEWNET) != 0) {
      // The thread would go on in the wrong namespace: every later socket would be misplaced.
      std::fprintf(stderr, "tcpharness: cannot return to the original network namespace: %s\n",
                   std::strerror(errno));
      std::abort();
    }
  }
  ::close(home_fd);
  return result;
}

NetworkNamespaceGuard::NetworkNamespaceGuard(int netns_fd) : home_fd_(open_own_namespace()) {
  if (home_fd_ < 0 || setns(netns_fd, CLONE_NEWNET) != 0) {
    const int error = errno;
    if (home_fd_ >= 0) ::close(home_fd_);
    throw ConfigError(
        fmt::format("link: cannot enter the link's network namespace: {}", std::strerror(error)));
  }
}

NetworkNamespaceGuard::~NetworkNamespaceGuard() {
  if (setns(home_fd_, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "tcpharness: cannot return to the original network namespace: %s\n",
                 std::strerror(errno));
    std::abort();
  }
  ::close(home_fd_);
}

}  // namespace th
