#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace th {

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
  bool realtime = false;  // its thread got SCHED_FIFO (needs CAP_SYS_NICE)
};

struct DelayLineReading {
  std::string mechanism;  // "tun_relay"
  std::string device;     // the router's TUN device every packet passes through
  uint32_t capacity_packets = 0;
  DelayLineCounters counters;
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
};

}  // namespace th
