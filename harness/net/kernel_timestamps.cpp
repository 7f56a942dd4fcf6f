#include "net/kernel_timestamps.hpp"

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "net/transport.hpp"

namespace th {
namespace {

uint64_t nanoseconds(const timespec& time) {
  return static_cast<uint64_t>(time.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(time.tv_nsec);
}

// Room for the timestamp and the extended error that carries a transmit timestamp's key, on the
// stack: nothing is allocated per read.
constexpr size_t kControlBytes =
    CMSG_SPACE(sizeof(scm_timestamping)) + CMSG_SPACE(sizeof(sock_extended_err) + 64);

// One recvmsg's buffers: data into `data`, control messages into a buffer on the stack.
struct ReceivedMessage {
  ReceivedMessage(void* buffer, size_t size) : data{buffer, size} {
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
  }
  ReceivedMessage(const ReceivedMessage&) = delete;
  ReceivedMessage& operator=(const ReceivedMessage&) = delete;

  iovec data;
  alignas(cmsghdr) char control[kControlBytes];
  msghdr header{};
};

uint64_t software_stamp(const cmsghdr* message) {
  const auto* stamps = reinterpret_cast<const scm_timestamping*>(CMSG_DATA(message));
  return nanoseconds(stamps->ts[0]);  // ts[1] is deprecated, ts[2] the hardware's
}

bool is_extended_error(const cmsghdr* message) {
  return (message->cmsg_level == SOL_IP && message->cmsg_type == IP_RECVERR) ||
         (message->cmsg_level == SOL_IPV6 && message->cmsg_type == IPV6_RECVERR);
}

}  // namespace

uint32_t software_timestamp_flags() {
  return SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
         SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
}

void disable_software_timestamps(int fd) {
  const int none = 0;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &none, sizeof none);
}

int64_t enable_software_timestamps(int fd) {
  int flags = static_cast<int>(software_timestamp_flags() | kTimestampKeysFromWritten);
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) {
    if (errno != EINVAL) return -errno;
    flags = static_cast<int>(software_timestamp_flags());  // a kernel before 6.2
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) return -errno;
  }
  int applied = 0;
  socklen_t length = sizeof applied;
  if (getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &applied, &length) != 0) {
    const int error = errno;
    disable_software_timestamps(fd);
    return -error;
  }
  return static_cast<uint32_t>(applied);
}

// The socket sends itself a datagram until one arrives with a timestamp (the switch is on), for
// at most about 20 ms.
int turn_on_receive_timestamping() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  const int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  sockaddr_in self{};
  self.sin_family = AF_INET;
  self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof self;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&self), &length) != 0) {
    return fd;  // best effort: at worst a first segment comes without its timestamp
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    const char probe = 0;
    sendto(fd, &probe, 1, 0, reinterpret_cast<const sockaddr*>(&self), sizeof self);
    char received;
    uint64_t stamp = 0;
    while (read_with_timestamp(fd, &received, 1, &stamp) > 0) {
    }
    if (stamp != 0) break;
    const timespec pause{0, 200'000};
    nanosleep(&pause, nullptr);
  }
  return fd;
}

int64_t unacknowledged_bytes(int fd) {
  int bytes = 0;
  return ioctl(fd, SIOCOUTQ, &bytes) == 0 ? bytes : -1;
}

ssize_t read_with_timestamp(int fd, char* buffer, size_t size, uint64_t* received_realtime_ns) {
  ReceivedMessage message(buffer, size);
  ssize_t count;
  do {
    count = recvmsg(fd, &message.header, MSG_DONTWAIT);
  } while (count < 0 && errno == EINTR);
  if (count < 0) return -errno;
  for (cmsghdr* part = CMSG_FIRSTHDR(&message.header); part != nullptr;
       part = CMSG_NXTHDR(&message.header, part)) {
    if (part->cmsg_level == SOL_SOCKET && part->cmsg_type == SCM_TIMESTAMPING) {
      *received_realtime_ns = software_stamp(part);
    }
  }
  return count;
}

unsigned drain_transmit_timestamps(int fd, TransportEvents& events) {
  unsigned drained = 0;
  // Bounded: a queue refilled as fast as it drains must not hold the loop.
  for (; drained < 1024; ++drained) {
    char payload;  // OPT_TSONLY: no copy of the packet comes back
    ReceivedMessage message(&payload, sizeof payload);
    if (recvmsg(fd, &message.header, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
    uint64_t stamp = 0;
    const sock_extended_err* error = nullptr;
    for (cmsghdr* part = CMSG_FIRSTHDR(&message.header); part != nullptr;
         part = CMSG_NXTHDR(&message.header, part)) {
      if (part->cmsg_level == SOL_SOCKET && part->cmsg_type == SCM_TIMESTAMPING) {
        stamp = software_stamp(part);
      } else if (is_extended_error(part)) {
        error = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(part));
      }
    }
    if (error != nullptr && error->ee_errno == ENOMSG &&
        error->ee_origin == SO_EE_ORIGIN_TIMESTAMPING && error->ee_info == SCM_TSTAMP_SND &&
        stamp != 0) {
      events.on_transmit_timestamp(error->ee_data, stamp);
    }
  }
  return drained;
}

// A thread preempted between the reads would put the middle anywhere in its pause (a 1 ms
// pause moved 500 requests' split by 0.5 ms): the narrowest of a few brackets is kept.
int64_t realtime_minus_monotonic_ns() {
  int64_t offset = 0;
  uint64_t narrowest = UINT64_MAX;
  // Well inside TimestampSplit's 1 us tolerance for a step, with two readings per request.
  for (int attempt = 0; attempt < 5 && narrowest > 300; ++attempt) {
    timespec before{};
    timespec wall{};
    timespec after{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &after);
    const uint64_t width = nanoseconds(after) - nanoseconds(before);
    if (width >= narrowest) continue;
    narrowest = width;
    offset = static_cast<int64_t>(nanoseconds(wall) - (nanoseconds(before) + width / 2));
  }
  return offset;
}

}  // namespace th
