#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "host/link_reading.hpp"

namespace th {

// A propagation delay (and random loss) for a kernel without sch_netem: a TUN device in the
// router namespace through which the router forwards every packet, and a thread that reads each
// packet, holds it for `delay_ns` from its arrival and writes it back into the device, where the
// router forwards it on. Both directions share the device; with one fixed delay the order of
// packets is kept. The packets really wait (nothing is faked): the cost is two syscalls per
// packet on a CPU of the host, which the report's late_packets shows when the host is too busy.
// The run's warning when the delay line did not deliver the path asked for: packets dropped for
// want of room, or more than 1 % of them sent over 1 ms late; "" when it did. Pure, for tests.
std::string delay_line_warning(const DelayLineCounters& counters, double delay_ms);

class DelayLine {
 public:
  // Creates the TUN device `device` inside `netns_fd` and starts the relay. Throws ConfigError
  // naming what failed (no /dev/net/tun, an ioctl refused).
  DelayLine(int netns_fd, const std::string& device, uint64_t delay_ns, double loss_pct,
            uint32_t capacity_packets);
  ~DelayLine();  // stops the relay and closes the device, which deletes it
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

  // Exact once the relay has stopped; a consistent-enough snapshot while it runs.
  DelayLineCounters counters() const;
  const std::string& device() const { return device_; }

  static constexpr uint32_t kSlotBytes = 2048;  // above the TUN device's 1500-byte MTU

 private:
  struct Slot {
    uint64_t due_ns;
    uint32_t length;
  };
  void relay();
  bool take_packet(uint64_t now_ns);  // false when the device had nothing more to read
  void send_due(uint64_t now_ns);

  std::string device_;
  uint64_t delay_ns_;
  uint32_t loss_per_million_;
  uint32_t capacity_;
  int tun_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: the destructor's stop signal
  // A ring of packets in arrival order, allocated once: the relay never allocates.
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<uint8_t[]> bytes_;
  uint32_t head_ = 0;  // oldest packet
  uint32_t size_ = 0;
  uint64_t random_state_;
  std::atomic<uint64_t> forwarded_packets_{0}, forwarded_bytes_{0}, lost_packets_{0},
      dropped_packets_{0}, late_packets_{0}, max_lateness_ns_{0};
  std::atomic<bool> realtime_{false};
  std::atomic<int> stopped_by_errno_{0};
  std::thread thread_;
};

}  // namespace th
