#include "host/link_address.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

namespace th {
namespace {

constexpr uint32_t kLinkLocalBase = 0xA9FE0000;  // 169.254.0.0
constexpr uint32_t kBlocksPerThirdOctet = 32;    // /29 blocks in a /24
constexpr uint32_t kFirstThirdOctet = 1;
constexpr uint32_t kLastThirdOctet = 254;
constexpr uint32_t kMetadataThirdOctet = 169;

std::vector<std::pair<uint32_t, int>> interface_prefixes() {
  std::vector<std::pair<uint32_t, int>> prefixes;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return prefixes;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    const uint32_t address =
        ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr.s_addr);
    const uint32_t mask =
        entry->ifa_netmask
            ? ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_netmask)->sin_addr.s_addr)
            : 0xFFFFFFFF;
    prefixes.emplace_back(address, std::popcount(mask));
  }
  freeifaddrs(list);
  return prefixes;
}

std::string dotted(uint32_t address) {
  in_addr raw{htonl(address)};
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &raw, text, sizeof text);
  return text;
}

}  // namespace

bool prefixes_overlap(uint32_t first, int first_length, uint32_t second, int second_length) {
  const int shorter = std::min(first_length, second_length);
  if (shorter <= 0) return true;
  return ((first ^ second) >> (32 - shorter)) == 0;
}

std::optional<LinkAddresses> free_link_addresses(uint64_t seed) {
  std::vector<uint32_t> blocks;
  for (uint32_t octet = kFirstThirdOctet; octet <= kLastThirdOctet; ++octet) {
    if (octet == kMetadataThirdOctet) continue;
    for (uint32_t block = 0; block < kBlocksPerThirdOctet; ++block) {
      blocks.push_back(kLinkLocalBase | octet << 8 | block << 3);
    }
  }
  const auto taken = interface_prefixes();
  for (size_t tried = 0; tried < blocks.size(); ++tried) {
    const uint32_t network = blocks[(seed + tried) % blocks.size()];
    bool free = true;
    for (const auto& [address, length] : taken) {
      free = free && !prefixes_overlap(network, LinkAddresses::kBlockPrefixLength, address, length);
    }
    if (free) {
      return LinkAddresses{dotted(network + 1), dotted(network + 2), dotted(network + 5),
                           dotted(network + 6), dotted(network + 4) + "/30"};
    }
  }
  return std::nullopt;
}

}  // namespace th
