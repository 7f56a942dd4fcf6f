#include "host/netstat.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "host/connection_ends.hpp"
#include "host/network_namespace.hpp"

namespace th {

std::optional<FastOpenCounters> parse_fastopen_counters(const std::string& netstat_text) {
  std::map<std::string, uint64_t> counters = parse_proc_counters(netstat_text, "TcpExt:");
  if (!counters.contains("TCPFastOpenPassive")) return std::nullopt;
  auto get = [&](const char* name) { return counters.contains(name) ? counters[name] : 0; };
  return FastOpenCounters{get("TCPFastOpenActive"),         get("TCPFastOpenActiveFail"),
                          get("TCPFastOpenPassive"),        get("TCPFastOpenPassiveFail"),
                          get("TCPFastOpenListenOverflow"), get("TCPFastOpenCookieReqd")};
}

std::optional<FastOpenCounters> read_fastopen_counters(int netns_fd) {
  std::optional<NetworkNamespaceGuard> inside;
  if (netns_fd >= 0) inside.emplace(netns_fd);
  // /proc/net is the namespace of the process's main thread; this thread's may differ.
  std::ifstream file("/proc/thread-self/net/netstat");
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return parse_fastopen_counters(text.str());
}

FastOpenCounters operator-(const FastOpenCounters& after, const FastOpenCounters& before) {
  return {after.active - before.active,
          after.active_fail - before.active_fail,
          after.passive - before.passive,
          after.passive_fail - before.passive_fail,
          after.listen_overflow - before.listen_overflow,
          after.cookie_requested - before.cookie_requested};
}

FastOpenCounters operator+(const FastOpenCounters& one, const FastOpenCounters& other) {
  return {one.active + other.active,
          one.active_fail + other.active_fail,
          one.passive + other.passive,
          one.passive_fail + other.passive_fail,
          one.listen_overflow + other.listen_overflow,
          one.cookie_requested + other.cookie_requested};
}

}  // namespace th
