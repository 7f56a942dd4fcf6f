#include "tune/sysctl_needs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

namespace th {
namespace {

enum class Rule {
  at_least_value,  // the sysctl must be >= the option's value
  lists_value,     // the sysctl is a space-separated list that must contain the value
  fastopen_bit,    // net.ipv4.tcp_fastopen: bit 0x1 enables clients, 0x2 servers (ip-sysctl.rst)
};

struct Dependency {
  std::string_view option;  // last part of the scenario key
  std::string_view sysctl;
  Rule rule;
  std::string_view why;
};

// socket(7), tcp(7) and Documentation/networking/ip-sysctl.rst.
constexpr std::array kDependencies = {
    Dependency{"so_sndbuf", "net.core.wmem_max", Rule::at_least_value,
               "SO_SNDBUF is capped at net.core.wmem_max without CAP_NET_ADMIN"},
    Dependency{"so_rcvbuf", "net.core.rmem_max", Rule::at_least_value,
               "SO_RCVBUF is capped at net.core.rmem_max without CAP_NET_ADMIN"},
    Dependency{"tcp_congestion", "net.ipv4.tcp_available_congestion_control", Rule::lists_value,
               "the algorithm's module must be loaded"},
    Dependency{"tcp_congestion", "net.ipv4.tcp_allowed_congestion_control", Rule::lists_value,
               "a process without CAP_NET_ADMIN may only pick an algorithm listed here"},
    Dependency{"tcp_fastopen", "net.ipv4.tcp_fastopen", Rule::fastopen_bit,
               "TCP Fast Open is off unless the sysctl enables it for that side"},
};

std::string_view option_of(std::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

std::optional<long long> integer_of(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (end == text->c_str()) return std::nullopt;
  return value;
}

// Which tcp_fastopen bits a key needs: 0x1 for the client side, 0x2 for the server's.
long long fastopen_bits(std::string_view key) {
  if (key.starts_with("client.")) return 0x1;
  if (key.starts_with("server.")) return 0x2;
  return 0x3;
}

bool enabled(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  return !value.is_null();
}

std::optional<SysctlNeed> need_for(const Dependency& dependency, const std::string& key,
                                   const nlohmann::json& value, const SysctlReader& read,
                                   bool server_behind_link) {
  SysctlNeed need;
  need.key = key;
  need.sysctl = std::string(dependency.sysctl);
  need.why = std::string(dependency.why);
  need.current = read(need.sysctl);
  switch (dependency.rule) {
    case Rule::at_least_value: {
      if (!value.is_number_integer()) return std::nullopt;
      const long long wanted = value.get<long long>();
      need.requirement = fmt::format(">= {}", wanted);
      if (auto current = integer_of(need.current)) need.satisfied = *current >= wanted;
      need.fix = fmt::format("sysctl -w {}={}", need.sysctl, wanted);
      break;
    }
    case Rule::lists_value: {
      if (!value.is_string()) return std::nullopt;
      const std::string wanted = value.get<std::string>();
      need.requirement = fmt::format("lists {}", wanted);
      if (need.current) {
        const std::vector<std::string> listed = words_of(*need.current);
        need.satisfied = std::find(listed.begin(), listed.end(), wanted) != listed.end();
      }
      need.fix = dependency.sysctl.ends_with("available_congestion_control")
                     ? fmt::format("modprobe tcp_{}", wanted)
                     : fmt::format("sysctl -w {}=\"{}{}\"", need.sysctl,
                                   need.current ? *need.current + " " : "", wanted);
      break;
    }
    case Rule::fastopen_bit: {
      if (!enabled(value)) return std::nullopt;
      long long bits = fastopen_bits(key);
      if (server_behind_link) bits &= ~0x2LL;
      if (bits == 0) return std::nullopt;
      need.requirement = fmt::format("has bit 0x{:x} ({})", bits,
                                     bits == 0x1   ? "client"
                                     : bits == 0x2 ? "server"
                                                   : "both");
      const std::optional<long long> current = integer_of(need.current);
      if (current) need.satisfied = (*current & bits) == bits;
      need.fix = fmt::format("sysctl -w {}={}", need.sysctl, current.value_or(0) | bits);
      break;
    }
  }
  return need;
}

}  // namespace

std::optional<std::string> read_proc_sysctl(const std::string& name) {
  std::string path = name;
  std::replace(path.begin(), path.end(), '.', '/');
  std::ifstream file("/proc/sys/" + path);
  std::string value;
  if (!file || !std::getline(file, value)) return std::nullopt;
  std::replace(value.begin(), value.end(), '\t', ' ');
  return value;
}

std::vector<SysctlNeed> sysctl_needs(
    const std::vector<std::pair<std::string, nlohmann::json>>& params, const SysctlReader& read,
    bool server_behind_link) {
  std::vector<SysctlNeed> needs;
  for (const auto& [key, value] : params) {
    for (const Dependency& dependency : kDependencies) {
      if (option_of(key) != dependency.option) continue;
      if (auto need = need_for(dependency, key, value, read, server_behind_link)) {
        needs.push_back(std::move(*need));
      }
    }
  }
  return needs;
}

nlohmann::json to_json(const SysctlNeed& need) {
  return {{"key", need.key},
          {"sysctl", need.sysctl},
          {"requirement", need.requirement},
          {"why", need.why},
          {"current", need.current ? nlohmann::json(*need.current) : nlohmann::json(nullptr)},
          {"satisfied", need.satisfied ? nlohmann::json(*need.satisfied) : nlohmann::json(nullptr)},
          {"fix", need.fix}};
}

}  // namespace th
