#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
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

// What the report shows about a shaped link, besides the scenario's link object.
struct LinkReading {
  std::string netns;  // the server's, /proc/<pid>/fd/<n> while the run lasts (nsenter --net=)
  std::string router_netns;    // the shaper's, likewise
  std::string client_address;  // the client's veth end
  std::string server_address;
  std::string offloads;  // "off", or why they were left on
  LinkDirection client_to_server;
  LinkDirection server_to_client;
};

}  // namespace th
