#include "host/shaped_link.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/config_error.hpp"
#include "host/command.hpp"
#include "host/link_address.hpp"
#include "host/network_namespace.hpp"

namespace th {
namespace {

// A full-size Ethernet frame as tbf counts it (1500-byte MTU + 14-byte header).
constexpr uint64_t kFrameBytes = 1514;
// The bucket holds 1 ms of data at the rate, and never less than a few frames: enough that the
// shaper's hrtimer wakes up rarely, small enough that what leaves unshaped is negligible.
constexpr uint64_t kMinBurstFrames = 4;
// netem's delay line must never drop (losses come from loss_pct and tbf's queue only); it holds
// what is in flight, so a generous packet limit costs no memory unless the traffic is there.
constexpr uint64_t kNetemLimitPackets = 1'000'000;
// The router's routing table that sends every arrival into the delay line.
constexpr const char* kDelayTable = "100";

std::atomic<unsigned> g_links_made{0};

using Argv = std::vector<std::string>;

void must(const Argv& argv, int netns_fd, const std::string& what) {
  const CommandResult result = run_command(argv, netns_fd);
  if (result.ok()) return;
  if (!result.started && result.spawn_error == ENOENT) {
    throw ConfigError(fmt::format(
        "link: needs the `{}` command (Debian package iproute2) to {}: not found in PATH", argv[0],
        what));
  }
  throw ConfigError(
      fmt::format("link: cannot {}: `{}`: {}", what, command_text(argv), result.failure()));
}

std::string rate_text(uint64_t bytes_per_s) { return std::to_string(bytes_per_s * 8) + "bit"; }

QdiscReading qdisc_from_json(const nlohmann::json& entry) {
  QdiscReading qdisc;
  qdisc.kind = entry.value("kind", "");
  qdisc.options = entry.value("options", nlohmann::json::object());
  qdisc.sent_bytes = entry.value("bytes", uint64_t{0});
  qdisc.sent_packets = entry.value("packets", uint64_t{0});
  qdisc.dropped_packets = entry.value("drops", uint64_t{0});
  qdisc.overlimits = entry.value("overlimits", uint64_t{0});
  qdisc.requeues = entry.value("requeues", uint64_t{0});
  qdisc.backlog_bytes = entry.value("backlog", uint64_t{0});
  qdisc.backlog_packets = entry.value("qlen", uint64_t{0});
  return qdisc;
}

// The qdiscs of one device, root first, as tc lists them.
std::vector<QdiscReading> read_qdiscs(const std::string& device, int netns_fd,
                                      std::string* problem) {
  const Argv argv = {"tc", "-s", "-j", "qdisc", "show", "dev", device};
  const CommandResult result = run_command(argv, netns_fd);
  std::vector<QdiscReading> qdiscs;
  if (!result.ok()) {
    *problem = fmt::format("link: cannot read the shaper's counters: `{}`: {}", command_text(argv),
                           result.failure());
    return qdiscs;
  }
  const auto parsed = nlohmann::json::parse(result.out, nullptr, false);
  if (!parsed.is_array()) {
    *problem = fmt::format("link: `{}` printed no JSON list", command_text(argv));
    return qdiscs;
  }
  for (const auto& entry : parsed) {
    if (entry.is_object()) qdiscs.push_back(qdisc_from_json(entry));
  }
  return qdiscs;
}

// The route metrics a LinkShape asks for, as `ip route add` takes them.
Argv route_metrics(const LinkShape& shape) {
  Argv metrics;
  if (shape.initcwnd > 0)
    metrics.insert(metrics.end(), {"initcwnd", std::to_string(shape.initcwnd)});
  if (shape.initrwnd > 0)
    metrics.insert(metrics.end(), {"initrwnd", std::to_string(shape.initrwnd)});
  return metrics;
}

// One route as `ip -j route show DESTINATION` reads it back in a namespace.
RouteReading read_route(const std::string& netns_role, const std::string& destination,
                        int netns_fd) {
  RouteReading route{netns_role, destination, std::nullopt, std::nullopt};
  const CommandResult result = run_command({"ip", "-j", "route", "show", destination}, netns_fd);
  const auto parsed = nlohmann::json::parse(result.out, nullptr, false);
  if (!result.ok() || !parsed.is_array() || parsed.empty() || !parsed[0].is_object()) return route;
  for (const auto& metrics : parsed[0].value("metrics", nlohmann::json::array())) {
    if (!metrics.is_object()) continue;
    if (metrics.contains("initcwnd")) route.initcwnd = metrics.value("initcwnd", 0u);
    if (metrics.contains("initrwnd")) route.initrwnd = metrics.value("initrwnd", 0u);
  }
  return route;
}

// A sysctl of the calling thread's namespace, "" when it cannot be read.
std::string host_sysctl(const std::string& path) {
  std::ifstream file("/proc/sys/" + path);
  std::string value;
  file >> value;
  return value;
}

}  // namespace

TbfParameters tbf_parameters(const LinkShape& shape) {
  TbfParameters tbf;
  tbf.rate_bytes_per_s = static_cast<uint64_t>(std::llround(shape.rate_mbit * 1e6 / 8));
  tbf.burst_bytes = std::max(tbf.rate_bytes_per_s / 1000, kMinBurstFrames * kFrameBytes);
  // tbf's limit counts the bucket too: a packet waits at most (limit - burst) / rate, which is
  // queue_ms. The queue always holds at least one frame, or nothing could wait at all.
  const uint64_t queue_bytes = tbf.rate_bytes_per_s * shape.queue_ms / 1000;
  tbf.limit_bytes = tbf.burst_bytes + std::max(queue_bytes, kFrameBytes);
  return tbf;
}

ShapedLink::ShapedLink(const LinkShape& shape) {
  try {
    build(shape);
  } catch (...) {
    tear_down();
    throw;
  }
}

ShapedLink::~ShapedLink() { tear_down(); }

void ShapedLink::build(const LinkShape& shape) {
  if (const std::string missing = missing_link_capabilities(); !missing.empty()) {
    throw ConfigError(fmt::format(
        "link: needs {} (run as root) to create a network namespace for the server and shape "
        "its veth pairs with tc",
        missing));
  }
  netns_fd_ = create_network_namespace();
  router_fd_ = netns_fd_ >= 0 ? create_network_namespace() : -1;
  if (netns_fd_ < 0 || router_fd_ < 0) {
    const int error = netns_fd_ < 0 ? -netns_fd_ : -router_fd_;
    throw ConfigError(
        fmt::format("link: cannot create a network namespace: {}", std::strerror(error)));
  }
  const unsigned serial = g_links_made.fetch_add(1) % 1000;
  const auto pid = static_cast<uint64_t>(getpid());
  const auto addresses = free_link_addresses(pid * 7 + serial);
  if (!addresses) {
    throw ConfigError(
        "link: no free /29 in 169.254.0.0/16 for the veth pairs: addresses of this host cover it");
  }
  reading_.netns = fmt::format("/proc/{}/fd/{}", pid, netns_fd_);
  reading_.router_netns = fmt::format("/proc/{}/fd/{}", pid, router_fd_);
  reading_.client_address = addresses->client;
  reading_.server_address = addresses->server;
  const auto device = [&](char role) { return link_device_name(pid, serial, role); };
  client_device_ = device('c');
  const std::string router_client_side = device('a');
  const std::string router_server_side = device('b');
  const std::string server_device = device('s');
  // The router's egress towards the server shapes client -> server; towards the client, back.
  reading_.client_to_server.device = router_server_side;
  reading_.server_to_client.device = router_client_side;
  const std::string prefix = fmt::format("/{}", LinkAddresses::kPrefixLength);

  must({"ip", "link", "add", client_device_, "type", "veth", "peer", "name", router_client_side,
        "netns", reading_.router_netns},
       -1, "create the client's veth pair");
  veth_created_ = true;
  must({"ip", "link", "add", router_server_side, "type", "veth", "peer", "name", server_device,
        "netns", reading_.netns},
       router_fd_, "create the server's veth pair");
  must({"ip", "addr", "add", addresses->client + prefix, "dev", client_device_}, -1,
       "address the client's veth end");
  must({"ip", "link", "set", client_device_, "up"}, -1, "bring up the client's veth end");
  for (const auto& [address, name] :
       {std::pair{addresses->router_client_side, router_client_side},
        std::pair{addresses->router_server_side, router_server_side}}) {
    must({"ip", "addr", "add", address + prefix, "dev", name}, router_fd_, "address the router");
    must({"ip", "link", "set", name, "up"}, router_fd_, "bring up the router");
  }
  must({"sysctl", "-qw", "net.ipv4.ip_forward=1"}, router_fd_, "let the router forward");
  must({"ip", "addr", "add", addresses->server + prefix, "dev", server_device}, netns_fd_,
       "address the server's veth end");
  must({"ip", "link", "set", "lo", "up"}, netns_fd_, "bring up the namespace's loopback");
  // A new namespace starts with Fast Open for clients only (1). The server's namespace is the
  // harness's own, so it gets the host's flags plus the server bit (2): the server's tcp_fastopen
  // key works without touching the host, and a listener without a Fast Open queue is unaffected.
  const long host_fastopen = std::strtol(host_sysctl("net/ipv4/tcp_fastopen").c_str(), nullptr, 0);
  must({"sysctl", "-qw", fmt::format("net.ipv4.tcp_fastopen={}", host_fastopen | 2)}, netns_fd_,
       "enable Fast Open for the server's namespace");
  must({"ip", "link", "set", server_device, "up"}, netns_fd_, "bring up the server's veth end");
  set_server_sysctls(shape);
  // initcwnd and initrwnd are route metrics: the server's route sets its initial window for
  // responses and what it advertises for requests, the client's route the same the other way.
  Argv server_route = {"ip", "route", "add", "default", "via", addresses->router_server_side};
  Argv client_route = {
      "ip",  "route",       "add", addresses->server_network, "via", addresses->router_client_side,
      "dev", client_device_};
  for (Argv* route : {&server_route, &client_route}) {
    const Argv metrics = route_metrics(shape);
    route->insert(route->end(), metrics.begin(), metrics.end());
  }
  must(server_route, netns_fd_, "route the server's answers through the router");
  // Goes with the client's veth end when that is deleted.
  must(client_route, -1, "route to the server through the router");
  read_routes(addresses->server_network);
  turn_offloads_off({{client_device_, -1},
                     {router_client_side, router_fd_},
                     {router_server_side, router_fd_},
                     {server_device, netns_fd_}});
  bool netem = false;
  if (shape.needs_netem()) {
    netem = add_netem(shape, router_server_side);
    if (netem) {
      add_netem(shape, router_client_side);
      reading_.delay_mechanism = "netem";
    } else {
      add_delay_line(shape, device('d'), {router_client_side, router_server_side});
      reading_.delay_mechanism = "tun_relay";
    }
  }
  shape_direction(shape, reading_.client_to_server, netem);
  shape_direction(shape, reading_.server_to_client, netem);
}

// Only ever in the server's namespace: a run must leave the host's settings as it found them.
// Each value is read back, as a socket option is, so the report shows what the kernel holds.
void ShapedLink::set_server_sysctls(const LinkShape& shape) {
  for (const auto& [name, value] : shape.server_sysctl) {
    must({"sysctl", "-qw", fmt::format("{}={}", name, value)}, netns_fd_,
         fmt::format("set {} in the server's namespace", name));
    SysctlReading reading{name, value, std::nullopt};
    const CommandResult result = run_command({"sysctl", "-n", name}, netns_fd_);
    char* end = nullptr;
    const long long applied = std::strtoll(result.out.c_str(), &end, 10);
    if (result.ok() && end != result.out.c_str()) reading.applied = applied;
    reading_.server_sysctl.push_back(std::move(reading));
  }
}

void ShapedLink::read_routes(const std::string& server_network) {
  reading_.routes = {read_route("server", "default", netns_fd_),
                     read_route("client", server_network, -1)};
}

// TSO/GSO hand tbf 64 KiB super-packets that it must split again, and GRO merges arrivals:
// both blur a queue that should hold wire-sized packets. Optional, since tbf segments an
// oversized GSO packet itself (tbf_segment in net/sched/sch_tbf.c), so shaping stays correct.
void ShapedLink::turn_offloads_off(const std::vector<std::pair<std::string, int>>& devices) {
  const Argv off = {"tso", "off", "gso", "off", "gro", "off"};
  std::string problem;
  for (const auto& [device, netns_fd] : devices) {
    Argv argv = {"ethtool", "-K", device};
    argv.insert(argv.end(), off.begin(), off.end());
    const CommandResult result = run_command(argv, netns_fd);
    if (result.ok() || !problem.empty()) continue;
    problem = !result.started && result.spawn_error == ENOENT
                  ? "on: ethtool is not installed"
                  : fmt::format("on: `{}`: {}", command_text(argv), result.failure());
  }
  reading_.offloads = problem.empty() ? "off" : problem;
}

// netem at the root delays (and drops) first; its child tbf then shapes and queues, the
// arrangement of the netem manual page ("rate control" with tbf as a child). False when this
// kernel has no sch_netem.
bool ShapedLink::add_netem(const LinkShape& shape, const std::string& device) {
  Argv netem = {"tc",
                "qdisc",
                "add",
                "dev",
                device,
                "root",
                "handle",
                "1:",
                "netem",
                "limit",
                std::to_string(kNetemLimitPackets)};
  if (shape.delay_ms > 0) netem.insert(netem.end(), {"delay", fmt::format("{}ms", shape.delay_ms)});
  if (shape.loss_pct > 0) netem.insert(netem.end(), {"loss", fmt::format("{}%", shape.loss_pct)});
  const CommandResult result = run_command(netem, router_fd_);
  if (!result.ok() && result.err.find("kind is unknown") != std::string::npos) return false;
  if (!result.ok()) {
    throw ConfigError(
        fmt::format("link: cannot add netem: `{}`: {}", command_text(netem), result.failure()));
  }
  return true;
}

// The router sends what arrives from either side into the TUN device first (policy routing on
// the incoming interface); what the delay line writes back arrives on the TUN device and takes
// the main table to its side's veth, where tbf waits. So, as with netem, a packet is delayed
// before it queues for the rate.
void ShapedLink::add_delay_line(const LinkShape& shape, const std::string& device,
                                const std::vector<std::string>& router_sides) {
  const TbfParameters tbf = tbf_parameters(shape);
  // What arrives during one delay, both directions, with room for slow start's overshoot (up to
  // twice the rate) and the ACKs: a store that fills drops, and the report counts it.
  const double in_flight = 4.0 * double(tbf.rate_bytes_per_s) * shape.delay_ms / 1000 / 1000;
  const auto capacity = static_cast<uint32_t>(std::clamp(in_flight, 1024.0, 65536.0));
  delay_line_ = std::make_unique<DelayLine>(
      router_fd_, device, static_cast<uint64_t>(std::llround(shape.delay_ms * 1e6)), shape.loss_pct,
      capacity);
  must({"ip", "link", "set", device, "up"}, router_fd_, "bring up the delay line");
  must({"ip", "route", "add", "default", "dev", device, "table", kDelayTable}, router_fd_,
       "route into the delay line");
  for (const std::string& side : router_sides) {
    must({"ip", "rule", "add", "iif", side, "table", kDelayTable}, router_fd_,
         "send arrivals through the delay line");
  }
  // Packets from the client come back in on the TUN device, not on the interface the route to
  // the client leaves by: strict reverse-path filtering would drop them.
  must({"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0",
        fmt::format("net.ipv4.conf.{}.rp_filter=0", device)},
       router_fd_, "let the delay line's packets past the reverse-path filter");
  reading_.delay_line = DelayLineReading{"tun_relay", device, capacity, {}};
}

void ShapedLink::shape_direction(const LinkShape& shape, LinkDirection& direction,
                                 bool under_netem) {
  const TbfParameters tbf = tbf_parameters(shape);
  direction.rate_bit_per_s = tbf.rate_bytes_per_s * 8;
  direction.burst_bytes = tbf.burst_bytes;
  direction.limit_bytes = tbf.limit_bytes;
  Argv tbf_argv = {"tc", "qdisc", "add", "dev", direction.device};
  if (under_netem) {
    tbf_argv.insert(tbf_argv.end(), {"parent", "1:1", "handle", "10:"});
  } else {
    tbf_argv.push_back("root");
  }
  tbf_argv.insert(tbf_argv.end(),
                  {"tbf", "rate", rate_text(tbf.rate_bytes_per_s), "burst",
                   std::to_string(tbf.burst_bytes), "limit", std::to_string(tbf.limit_bytes)});
  must(tbf_argv, router_fd_, "shape the link with tbf");
}

LinkReading ShapedLink::read(std::string* problem) const {
  LinkReading reading = reading_;
  reading.client_to_server.qdiscs =
      read_qdiscs(reading.client_to_server.device, router_fd_, problem);
  reading.server_to_client.qdiscs =
      read_qdiscs(reading.server_to_client.device, router_fd_, problem);
  if (delay_line_) reading.delay_line->counters = delay_line_->counters();
  return reading;
}

// Deleting one end of a veth pair deletes the other; the namespace goes with its descriptor once
// the server's sockets and threads are gone. The explicit delete is synchronous, whereas a
// namespace's devices are cleaned up by the kernel in the background.
void ShapedLink::tear_down() noexcept {
  if (veth_created_) {
    const Argv argv = {"ip", "link", "del", client_device_};
    const CommandResult result = run_command(argv);
    if (!result.ok()) {
      std::fprintf(stderr, "tcpharness: link: `%s`: %s (the pair goes with the namespace)\n",
                   command_text(argv).c_str(), result.failure().c_str());
    }
    veth_created_ = false;
  }
  delay_line_.reset();
  for (int* fd : {&netns_fd_, &router_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

}  // namespace th
