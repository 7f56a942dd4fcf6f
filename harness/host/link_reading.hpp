#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace th {

// The shaped link's interface names: "th" + pid + "x" + serial + a role letter, unique per process
// and within the 15 characters an interface name holds (pid 7 digits at most, serial below 1000).
// Roles: c the client's veth end, a and b the router's ends towards the client and the server,
// s the server's end.
inline std::string link_device_name(uint64_t pid, unsigned serial, char role) {
  return "th" + std::to_string(pid) + "x" + std::to_string(serial) + role;
}

// The role letter of a name link_device_name made; any other name is returned whole. Two runs'
// links agree on a device's role while its name differs with the process.
inline std::string link_device_role(std::string_view device) {
  constexpr std::string_view kDigits = "0123456789";
  constexpr auto kNone = std::string_view::npos;
  // "th", digits, "x", digits, one letter.
  const size_t separator = device.starts_with("th") ? device.find_first_not_of(kDigits, 2) : kNone;
  const bool ours = separator != kNone && separator > 2 && device[separator] == 'x' &&
                    separator + 2 < device.size() &&
                    device.find_first_not_of(kDigits, separator + 1) == device.size() - 1;
  return std::string(ours ? device.substr(device.size() - 1) : device);
}

// One qdisc on one end of the shaped link, as `tc -s -j qdisc show` reads it back when the load
// has stopped: counters cover the whole run, warm-up included.
struct QdiscReading {
  std::string kind;        // "tbf", or "netem" with delay_ms/loss_pct
  nlohmann::json options;  // tc's own reading of its parameters (tbf: rate bytes/s, burst, lat us)
  uint64_t sent_bytes = 0;
  uint64_t sent_packets = 0;
  uint64_t dropped_packets = 0;  // tbf: the queue was full (tail drop); netem: loss_pct as well
  uint64_t overlimits = 0;       // times a packet had to wait for tokens
  uint64_t requeues = 0;
  uint64_t backlog_bytes = 0;  // still queued at the end
  uint64_t backlog_packets = 0;
};

// The shaping of one direction: the router's egress towards the receiver.
struct LinkDirection {
  std::string device;
  uint64_t rate_bit_per_s = 0;  // as asked of tbf
  uint64_t burst_bytes = 0;
  uint64_t limit_bytes = 0;  // tbf's queue: queue_ms at the rate, plus the burst
  std::vector<QdiscReading> qdiscs;
};

// What the delay line (delay_ms/loss_pct on a kernel without sch_netem) did over the run: every
// packet it took was forwarded, lost on purpose, or dropped.
struct DelayLineCounters {
  uint64_t forwarded_packets = 0;
  uint64_t forwarded_bytes = 0;
  uint64_t lost_packets = 0;     // loss_pct's random drops
  uint64_t dropped_packets = 0;  // its store was full, or the device refused the packet back
  uint64_t late_packets = 0;     // left more than 1 ms after their due time: the CPU was busy
  uint64_t max_lateness_ns = 0;
  bool realtime = false;     // its thread got SCHED_FIFO (needs CAP_SYS_NICE)
  int stopped_by_errno = 0;  // the relay stopped before the run's end (a run warning says why)
};

struct DelayLineReading {
  std::string mechanism;  // "tun_relay"
  std::string device;     // the router's TUN device every packet passes through
  uint32_t capacity_packets = 0;
  DelayLineCounters counters;
};

// A sysctl of the server's namespace as the scenario asked for it and as read back after setting.
struct SysctlReading {
  std::string name;  // "net.ipv4.tcp_slow_start_after_idle"
  int64_t requested = 0;
  std::optional<int64_t> applied;  // nullopt: could not be read back
};

// A route the harness created, with the metrics `ip route` reads back on it; nullopt where the
// route carries none (the kernel's default applies).
struct RouteReading {
  std::string netns;        // "server" or "client"
  std::string destination;  // "default", or the server's network
  std::optional<uint32_t> initcwnd;
  std::optional<uint32_t> initrwnd;
};

// What the report shows about a shaped link, besides the scenario's link object.
struct LinkReading {
  std::string netns;  // the server's, /proc/<pid>/fd/<n> while the run lasts (nsenter --net=)
  std::string router_netns;    // the shaper's, likewise
  std::string client_address;  // the client's veth end
  std::string server_address;
  std::string offloads;  // "off", or why they were left on
  LinkDirection client_to_server;
  LinkDirection server_to_client;
  // delay_ms/loss_pct: "netem" (a qdisc under each direction's tbf, counters in its qdiscs) or
  // "tun_relay" (delay_line); "" without them.
  std::string delay_mechanism;
  std::optional<DelayLineReading> delay_line;
  std::vector<SysctlReading> server_sysctl;  // link.server_sysctl, in name order
  std::vector<RouteReading> routes;          // the server's route, then the client's
};

}  // namespace th
