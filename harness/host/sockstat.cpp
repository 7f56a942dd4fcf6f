#include "host/sockstat.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace th {

std::optional<uint64_t> time_wait_sockets() {
  // "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1"; IPv6 sockets are counted in the same pool.
  std::ifstream sockstat("/proc/net/sockstat");
  std::string line;
  while (std::getline(sockstat, line)) {
    if (line.rfind("TCP:", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    std::string name;
    uint64_t value = 0;
    while (fields >> name >> value) {
      if (name == "tw") return value;
    }
  }
  return std::nullopt;
}

}  // namespace th
