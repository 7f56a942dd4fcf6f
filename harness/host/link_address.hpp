#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace th {

// A /29 split into two /30s, one per veth pair: client .1 -- .2 router .5 -- .6 server.
struct LinkAddresses {
  std::string client;
  std::string router_client_side;
  std::string router_server_side;
  std::string server;
  std::string server_network;  // "a.b.c.d/30", routed from the client through the router
  static constexpr int kPrefixLength = 30;
  static constexpr int kBlockPrefixLength = 29;
};

// A /29 from IPv4 link-local space (169.254.0.0/16, RFC 3927: never routed beyond a link, which
// a veth pair is) that no address of this namespace overlaps. The search starts at a block chosen
// by `seed` (the pid and a run counter), so processes running side by side pick different blocks.
// 169.254.0.0/24 and 169.254.255.0/24 (reserved by RFC 3927) and 169.254.169.0/24 (cloud
// metadata services live at 169.254.169.254) are skipped. nullopt when every block is taken.
std::optional<LinkAddresses> free_link_addresses(uint64_t seed);

// Whether a.b.c.d/length and e.f.g.h/length2 share any address (host byte order).
bool prefixes_overlap(uint32_t first, int first_length, uint32_t second, int second_length);

}  // namespace th
