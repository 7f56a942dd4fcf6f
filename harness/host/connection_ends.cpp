#include "host/connection_ends.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/config_error.hpp"
#include "host/network_namespace.hpp"

namespace th {
namespace {

std::string read_text(const char* path) {
  std::ifstream file(path);
  if (!file) return {};
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> words_after_prefix(const std::string& line) {
  std::istringstream stream(line);
  std::vector<std::string> words;
  std::string word;
  stream >> word;  // "Tcp:"
  while (stream >> word) words.push_back(word);
  return words;
}

// Whether one end of a diag message is the server's address and port.
bool is_server(const sockaddr_storage& server, uint8_t family, const __be32 address[4],
               __be16 port) {
  if (server.ss_family != family) return false;
  if (family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(server);
    return v4.sin_port == port && std::memcmp(&v4.sin_addr, address, 4) == 0;
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(server);
  return v6.sin6_port == port && std::memcmp(&v6.sin6_addr, address, 16) == 0;
}

// One dump of the TIME_WAIT sockets of a family, counted into `count`. False on any failure.
bool count_family(int netlink, const sockaddr_storage& server, TimeWaitCount& count) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = static_cast<uint8_t>(server.ss_family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1u << TCP_TIME_WAIT;
  if (send(netlink, &message, sizeof message, 0) != static_cast<ssize_t>(sizeof message)) {
    return false;
  }
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    const ssize_t got = recv(netlink, buffer.data(), buffer.size(), 0);
    if (got <= 0) return false;
    int left = static_cast<int>(got);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(header, left);
         header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_type == NLMSG_DONE) return true;
      if (header->nlmsg_type == NLMSG_ERROR) return false;
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return false;
      const auto* socket = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      if (is_server(server, socket->idiag_family, socket->id.idiag_src, socket->id.idiag_sport)) {
        ++count.server_side;
      } else if (is_server(server, socket->idiag_family, socket->id.idiag_dst,
                           socket->id.idiag_dport)) {
        ++count.client_side;
      }
    }
  }
}

}  // namespace

std::map<std::string, uint64_t> parse_proc_counters(const std::string& text,
                                                    const std::string& prefix) {
  std::istringstream lines(text);
  std::string names;
  std::string values;
  std::map<std::string, uint64_t> counters;
  while (std::getline(lines, names) && std::getline(lines, values)) {
    if (names.rfind(prefix, 0) != 0) continue;
    const std::vector<std::string> keys = words_after_prefix(names);
    const std::vector<std::string> numbers = words_after_prefix(values);
    for (size_t index = 0; index < keys.size() && index < numbers.size(); ++index) {
      counters[keys[index]] = std::strtoull(numbers[index].c_str(), nullptr, 10);
    }
  }
  return counters;
}

std::optional<CloseCounters> parse_close_counters(const std::string& snmp_text,
                                                  const std::string& netstat_text) {
  auto tcp = parse_proc_counters(snmp_text, "Tcp:");
  auto extended = parse_proc_counters(netstat_text, "TcpExt:");
  if (!tcp.contains("OutRsts") || !extended.contains("TCPAbortOnData")) return std::nullopt;
  return CloseCounters{tcp["OutRsts"], tcp["EstabResets"], extended["TCPAbortOnData"],
                       extended["TCPAbortOnClose"]};
}

std::optional<CloseCounters> read_close_counters(int netns_fd) {
  std::optional<NetworkNamespaceGuard> inside;
  try {
    if (netns_fd >= 0) inside.emplace(netns_fd);
  } catch (const ConfigError&) {
    return std::nullopt;  // the namespace cannot be entered: no counters, the run stands
  }
  // /proc/net is the namespace of the process's main thread; this thread's may differ.
  return parse_close_counters(read_text("/proc/thread-self/net/snmp"),
                              read_text("/proc/thread-self/net/netstat"));
}

CloseCounters operator-(const CloseCounters& after, const CloseCounters& before) {
  return {
      after.resets_sent - before.resets_sent, after.established_resets - before.established_resets,
      after.aborts_on_data - before.aborts_on_data, after.aborts_on_close - before.aborts_on_close};
}

std::optional<TimeWaitCount> count_time_wait(const sockaddr_storage& server, int netns_fd) {
  if (server.ss_family != AF_INET && server.ss_family != AF_INET6) return std::nullopt;
  int netlink = -1;
  {
    // A netlink socket answers for the namespace it was made in.
    std::optional<NetworkNamespaceGuard> inside;
    try {
      if (netns_fd >= 0) inside.emplace(netns_fd);
    } catch (const ConfigError&) {
      return std::nullopt;
    }
    netlink = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  }
  if (netlink < 0) return std::nullopt;
  TimeWaitCount count;
  const bool counted = count_family(netlink, server, count);
  close(netlink);
  return counted ? std::optional(count) : std::nullopt;
}

}  // namespace th
