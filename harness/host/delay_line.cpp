#include "host/delay_line.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "base/config_error.hpp"
#include "host/network_namespace.hpp"

namespace th {
namespace {

// A packet leaving later than this after its due time is counted as late: the relay's thread
// did not get a CPU in time, and the delay the run saw was longer than asked.
constexpr uint64_t kLateNs = 1'000'000;

uint64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return uint64_t(now.tv_sec) * 1'000'000'000 + uint64_t(now.tv_nsec);
}

// xorshift64*: loss needs a uniform draw per packet, not a cryptographic one, and must not lock.
uint64_t next_random(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ULL;
}

// The TUN device must be made inside the router namespace: its network namespace is the one of
// the thread that opens /dev/net/tun (drivers/net/tun.c, tun_chr_open).
int open_tun(int netns_fd, const std::string& device) {
  NetworkNamespaceGuard inside(netns_fd);
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw ConfigError(fmt::format(
        "link: delay_ms/loss_pct without sch_netem need a TUN device: cannot open /dev/net/tun: "
        "{} (load the tun module, or run on a kernel with CONFIG_NET_SCH_NETEM)",
        std::strerror(errno)));
  }
  ifreq request{};
  // IFF_NO_PI: bare IP packets, no 4-byte header to strip and rebuild.
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, device.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &request) != 0) {
    const int error = errno;
    ::close(fd);
    throw ConfigError(fmt::format("link: cannot create the delay line's TUN device {}: {}", device,
                                  std::strerror(error)));
  }
  return fd;
}

}  // namespace

std::string delay_line_warning(const DelayLineCounters& counters, double delay_ms) {
  std::string warning;
  if (counters.stopped_by_errno != 0) {
    warning = fmt::format(
        "link: the delay line stopped before the run's end ({}): every packet after that was "
        "lost, so the run's timeouts and errors from then on are the harness's, not the "
        "server's",
        std::strerror(counters.stopped_by_errno));
  }
  if (counters.dropped_packets != 0) {
    if (!warning.empty()) warning += "; ";
    warning += fmt::format(
        "link: the delay line dropped {} packets it had no room for (losses loss_pct did not ask "
        "for); lower rate_mbit x delay_ms",
        counters.dropped_packets);
  }
  const uint64_t taken = counters.forwarded_packets + counters.dropped_packets;
  if (counters.late_packets * 100 > taken) {
    if (!warning.empty()) warning += "; ";
    warning += fmt::format(
        "link: the delay line sent {} of {} packets more than 1 ms late (at worst {:.1f} ms after "
        "delay_ms {}): its thread waited for a CPU, so round trips were longer than asked{}",
        counters.late_packets, taken, double(counters.max_lateness_ns) / 1e6, delay_ms,
        counters.realtime ? "" : " (it ran without real-time priority: CAP_SYS_NICE is missing)");
  }
  return warning;
}

DelayLine::DelayLine(int netns_fd, const std::string& device, uint64_t delay_ns, double loss_pct,
                     uint32_t capacity_packets)
    : device_(device),
      delay_ns_(delay_ns),
      loss_per_million_(static_cast<uint32_t>(std::llround(loss_pct * 1e4))),
      capacity_(capacity_packets),
      slots_(new Slot[capacity_packets]),
      // Left uninitialised on purpose: the pages are only touched as packets fill them.
      bytes_(new uint8_t[size_t{capacity_packets} * kSlotBytes]),
      random_state_(monotonic_ns() | 1) {
  tun_fd_ = open_tun(netns_fd, device);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    const int error = errno;
    ::close(tun_fd_);
    throw ConfigError(fmt::format("link: delay line: eventfd: {}", std::strerror(error)));
  }
  thread_ = std::thread([this] { relay(); });
}

DelayLine::~DelayLine() {
  const uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // An eventfd write only fails on overflow, which one write cannot reach.
  }
  if (thread_.joinable()) thread_.join();
  ::close(wake_fd_);
  ::close(tun_fd_);
}

DelayLineCounters DelayLine::counters() const {
  DelayLineCounters counters;
  counters.forwarded_packets = forwarded_packets_.load(std::memory_order_relaxed);
  counters.forwarded_bytes = forwarded_bytes_.load(std::memory_order_relaxed);
  counters.lost_packets = lost_packets_.load(std::memory_order_relaxed);
  counters.dropped_packets = dropped_packets_.load(std::memory_order_relaxed);
  counters.late_packets = late_packets_.load(std::memory_order_relaxed);
  counters.max_lateness_ns = max_lateness_ns_.load(std::memory_order_relaxed);
  counters.realtime = realtime_.load();
  counters.stopped_by_errno = stopped_by_errno_.load();
  return counters;
}

void DelayLine::relay() {
  // The line stands for wire and routers, which no process on the host can slow down: with the
  // lowest real-time priority its thread runs ahead of the load generator, the server and any
  // compiler (late_packets counts what still goes late). Without CAP_SYS_NICE it runs as is.
  const sched_param priority{.sched_priority = 1};
  realtime_.store(pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority) == 0);
  pollfd polled[2] = {{tun_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    timespec timeout{};
    timespec* wait = nullptr;  // nothing held: sleep until a packet or the stop signal
    if (size_ != 0) {
      const uint64_t now = monotonic_ns();
      const uint64_t due = slots_[head_].due_ns;
      const uint64_t left = due > now ? due - now : 0;
      timeout = {static_cast<time_t>(left / 1'000'000'000),
                 static_cast<long>(left % 1'000'000'000)};
      wait = &timeout;
    }
    if (ppoll(polled, 2, wait, nullptr) < 0) {
      if (errno == EINTR) continue;
      stopped_by_errno_.store(errno);
      return;
    }
    if (polled[1].revents != 0) return;
    // The device is gone or broken: polling it again would return at once, forever.
    if ((polled[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      stopped_by_errno_.store(EIO);
      return;
    }
    if (polled[0].revents & POLLIN) {
      while (take_packet(monotonic_ns())) {
      }
    }
    send_due(monotonic_ns());
  }
}

bool DelayLine::take_packet(uint64_t now_ns) {
  if (size_ == capacity_) {
    // Still read it, so the device's own queue never fills behind a full store unseen.
    uint8_t discard[kSlotBytes];
    if (::read(tun_fd_, discard, sizeof discard) <= 0) return false;
    dropped_packets_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  const uint32_t index = (head_ + size_) % capacity_;
  uint8_t* packet = bytes_.get() + size_t{index} * kSlotBytes;
  const ssize_t length = ::read(tun_fd_, packet, kSlotBytes);
  if (length <= 0) return false;  // EAGAIN: the device is drained
  if (loss_per_million_ != 0 && next_random(random_state_) % 1'000'000 < loss_per_million_) {
    lost_packets_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  slots_[index] = {now_ns + delay_ns_, static_cast<uint32_t>(length)};
  ++size_;
  return true;
}

void DelayLine::send_due(uint64_t now_ns) {
  while (size_ != 0 && slots_[head_].due_ns <= now_ns) {
    const Slot& slot = slots_[head_];
    const uint64_t lateness = now_ns - slot.due_ns;
    if (lateness > kLateNs) {
      late_packets_.fetch_add(1, std::memory_order_relaxed);
      if (lateness > max_lateness_ns_.load(std::memory_order_relaxed)) {
        max_lateness_ns_.store(lateness, std::memory_order_relaxed);
      }
    }
    // A write into a TUN device is a receive on it (netif_rx); it fails only for a malformed
    // packet or a full backlog, and the packet is then dropped like one the store had no room for.
    if (::write(tun_fd_, bytes_.get() + size_t{head_} * kSlotBytes, slot.length) < 0) {
      dropped_packets_.fetch_add(1, std::memory_order_relaxed);
    } else {
      forwarded_packets_.fetch_add(1, std::memory_order_relaxed);
      forwarded_bytes_.fetch_add(slot.length, std::memory_order_relaxed);
    }
    head_ = (head_ + 1) % capacity_;
    --size_;
  }
}

}  // namespace th
