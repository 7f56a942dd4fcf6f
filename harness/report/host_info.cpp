#include "report/host_info.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace th {
namespace {

// The kernel settings that most often explain a difference between two reports.
constexpr const char* kSysctls[] = {
    "net.core.somaxconn",
    "net.core.rmem_max",
    "net.core.wmem_max",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_tw_reuse",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_congestion_control",
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_fastopen",
    // The upper-layer protocols the kernel can put on a TCP socket: "tls" is kernel TLS.
    "net.ipv4.tcp_available_ulp",
};

std::string read_sysctl(std::string name) {
  std::replace(name.begin(), name.end(), '.', '/');
  std::ifstream file("/proc/sys/" + name);
  std::string value;
  std::getline(file, value);
  std::replace(value.begin(), value.end(), '\t', ' ');
  return value;
}

std::string read_cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

HostInfo collect_host_info() {
  HostInfo host;
  utsname names{};
  if (uname(&names) == 0) {
    host.hostname = names.nodename;
    host.kernel = std::string(names.release) + " " + names.version;
  }
  host.cpu_model = read_cpu_model();
  host.cores = sysconf(_SC_NPROCESSORS_ONLN);
  for (const char* name : kSysctls) host.sysctls[name] = read_sysctl(name);
  return host;
}

void to_json(nlohmann::json& out, const HostInfo& host) {
  out = {{"hostname", host.hostname},
         {"kernel", host.kernel},
         {"cpu_model", host.cpu_model},
         {"cores", host.cores},
         {"sysctls", host.sysctls}};
}

}  // namespace th
