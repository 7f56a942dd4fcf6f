#include "host/netstat.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "host/network_namespace.hpp"

namespace th {
namespace {

std::vector<std::string> words_after_prefix(const std::string& line) {
  std::istringstream stream(line);
  std::vector<std::string> words;
  std::string word;
  stream >> word;  // "TcpExt:"
  while (stream >> word) words.push_back(word);
  return words;
}

}  // namespace

std::optional<FastOpenCounters> parse_fastopen_counters(const std::string& netstat_text) {
  std::istringstream lines(netstat_text);
  std::string names;
  std::string values;
  std::map<std::string, uint64_t> counters;
  while (std::getline(lines, names) && std::getline(lines, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    const std::vector<std::string> keys = words_after_prefix(names);
    const std::vector<std::string> numbers = words_after_prefix(values);
    for (size_t index = 0; index < keys.size() && index < numbers.size(); ++index) {
      counters[keys[index]] = std::strtoull(numbers[index].c_str(), nullptr, 10);
    }
  }
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
