// Running out of file descriptors: the server refuses waiting connections cleanly with its spare
// descriptor, counts them, does not spin, and serves again once descriptors are free.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "blocking_client.hpp"
#include "server/server.hpp"

namespace th {
namespace {

// Lowers the soft descriptor limit to a little above what is open and fills the table; undoes
// both when it goes out of scope, so later tests in the same process are unaffected.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    int highest = 0;
    for (int fd = 0; fd < 4096; ++fd) {
      if (fcntl(fd, F_GETFD) != -1) highest = fd;
    }
    rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(highest + 64);
    setrlimit(RLIMIT_NOFILE, &low);
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        stopped_by_ = errno;
        break;
      }
      fillers_.push_back(fd);
    }
  }
  ~DescriptorExhaustion() {
    for (int fd : fillers_) ::close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool exhausted() const { return !fillers_.empty() && stopped_by_ == EMFILE; }

 private:
  rlimit saved_{};
  std::vector<int> fillers_;
  int stopped_by_ = 0;
};

// A socket made before the table fills: connect() needs no new descriptor.
int unconnected_socket() { return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }

// Sockets made in advance: no new one can be made while the table is full, and a connect that
// the machine fails (no ephemeral port free, a signal) is retried on the next one. Returns the
// connected socket, or -1 after the last, with errno.
int connect_one(const SocketAddress& address, std::vector<int>& spares) {
  while (!spares.empty()) {
    const int fd = spares.back();
    spares.pop_back();
    if (connect(fd, address.get(), sizeof(sockaddr_in)) == 0) return fd;
    if (errno != EADDRNOTAVAIL && errno != EINTR && errno != EAGAIN) return -1;
  }
  return -1;
}

bool refused(int fd) {
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte;
  const ssize_t got = recv(fd, &byte, 1, 0);
  return got == 0 || (got < 0 && errno == ECONNRESET);
}

TEST(ServerDescriptors, OutOfDescriptorsRefusesCleanlyCountsAndDoesNotSpin) {
  ServerConfig config;
  config.protocol = Protocol::echo;
  Server server(config);
  std::vector<int> spares;
  for (int index = 0; index < 12; ++index) spares.push_back(unconnected_socket());
  const std::vector<int> sockets = spares;
  {
    DescriptorExhaustion exhaustion;
    ASSERT_TRUE(exhaustion.exhausted());
    const double cpu_before = server.cpu_seconds();
    for (int index = 0; index < 3; ++index) {
      const int fd = connect_one(server.address(), spares);
      ASSERT_GE(fd, 0) << "connection " << index << ": " << std::strerror(errno);
      EXPECT_TRUE(refused(fd)) << "connection " << index << " was not refused";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // A loop spinning on a listener that stays readable would burn the whole half second.
    EXPECT_LT(server.cpu_seconds() - cpu_before, 0.25);
    EXPECT_EQ(server.stats().refused_no_descriptors, 3u);
  }
  // Descriptors are back: the next connection is served as usual.
  const int served = connect_one(server.address(), spares);
  ASSERT_GE(served, 0) << std::strerror(errno);
  ASSERT_EQ(send(served, "ping", 4, MSG_NOSIGNAL), 4);
  char echoed[4] = {};
  timeval timeout{5, 0};
  setsockopt(served, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  EXPECT_EQ(recv(served, echoed, sizeof echoed, MSG_WAITALL), 4);
  for (int fd : sockets) ::close(fd);
  server.stop();
  EXPECT_EQ(server.stats().connections_accepted, 1u);
}

}  // namespace
}  // namespace th
