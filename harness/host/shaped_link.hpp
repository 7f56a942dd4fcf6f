#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/run_parameters.hpp"
#include "host/delay_line.hpp"
#include "host/link_reading.hpp"

namespace th {

// How tbf is set for a LinkShape (docs/methodology.md, "Shaped link").
struct TbfParameters {
  uint64_t rate_bytes_per_s = 0;
  uint64_t burst_bytes = 0;  // the bucket: what may leave at once, unshaped
  uint64_t limit_bytes = 0;  // bucket + queue; a packet arriving beyond it is dropped
};
TbfParameters tbf_parameters(const LinkShape& shape);

// A link between the load generator and the embedded server: a network namespace of its own for
// the server, joined to the caller's namespace through a router namespace by two veth pairs; the
// router's egress towards each side is shaped by tbf, and delay_ms/loss_pct are added by netem
// under it or, on a kernel without sch_netem, by a DelayLine that the router forwards through. The
// shaper sits in a namespace of its own because a qdisc on the sender's own egress holds packets
// its socket still owns, and TCP Small Queues would then cap what the sender queues there to about
// a millisecond of data: it could never fill the queue. The constructor builds it, the destructor
// takes it down; nothing is left behind on an exception, and the namespace (and with it both veth
// ends) also dies with the process if it is killed before the destructor runs.
class ShapedLink {
 public:
  // Throws ConfigError naming what is missing: capabilities, the ip/tc commands, a free address
  // block, or for delay_ms/loss_pct both sch_netem and /dev/net/tun.
  explicit ShapedLink(const LinkShape& shape);
  ~ShapedLink();
  ShapedLink(const ShapedLink&) = delete;
  ShapedLink& operator=(const ShapedLink&) = delete;

  int netns_fd() const { return netns_fd_; }  // where the server's sockets must be made
  const std::string& server_address() const { return reading_.server_address; }
  // Parameters as applied and the qdiscs' counters now. A failure to read them is returned in
  // `problem` (for a warning): the run itself is still valid.
  LinkReading read(std::string* problem) const;

 private:
  void build(const LinkShape& shape);
  bool add_netem(const LinkShape& shape, const std::string& device);
  void add_delay_line(const LinkShape& shape, const std::string& device,
                      const std::vector<std::string>& router_sides);
  void shape_direction(const LinkShape& shape, LinkDirection& direction, bool under_netem);
  void set_server_sysctls(const LinkShape& shape);
  void read_routes(const std::string& server_network);
  void turn_offloads_off(const std::vector<std::pair<std::string, int>>& devices);
  void tear_down() noexcept;

  int netns_fd_ = -1;   // the server's namespace
  int router_fd_ = -1;  // the shaper's
  bool veth_created_ = false;
  std::string client_device_;
  std::unique_ptr<DelayLine> delay_line_;  // closed before the router namespace's descriptor
  LinkReading reading_;                    // everything but the counters, filled in by build()
};

}  // namespace th
