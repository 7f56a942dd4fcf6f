#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace th {

// The machine a report was measured on: the facts that change TCP numbers between two hosts.
struct HostInfo {
  std::string hostname;
  std::string kernel;  // uname release and version
  std::string cpu_model;
  long cores = 0;
  std::map<std::string, std::string> sysctls;  // name -> value, as /proc/sys shows it
};

HostInfo collect_host_info();
void to_json(nlohmann::json& out, const HostInfo& host);

}  // namespace th
